/**
 * Peak memory, time and event-loop delay of compacting one large partition of the durable
 * embedded log, for the library at a baseline commit and at the working tree, side by side. One child process writes
 * the partition once (dedupe-changelog-like records: a 36-byte key, an 8-byte value; the first
 * `keys` records each a new key, the rest updates of random earlier keys), in 16 MiB segments.
 * Then each side, in its own child process (`node --expose-gc`), opens a copy of it, resets the
 * process's peak RSS (Linux: /proc/self/clear_refs), compacts it once and reports the peak RSS
 * during the compaction, the RSS and JS heap before it, the time it took, the entries it
 * removed, and the max and p99 event-loop delay during it (perf_hooks.monitorEventLoopDelay at
 * 1 ms resolution: how long a produce, fetch or commit arriving then would have waited). Sides run one after the other, `pairs` times alternating, so both see the same load.
 * Not a test.
 *   npx tsx bench/compaction-memory.ts [records=5000000] [keys=2000000] [baseline=3f91e33] [pairs=1]
 */
import { execFileSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const TOPIC = 'changelog'
const tp = { topic: TOPIC, partition: 0 }

interface Result {
  rssBeforeMb: number
  heapBeforeMb: number
  peakRssMb: number
  seconds: number
  removed: number
  loopDelayMaxMs: number
  loopDelayP99Ms: number
}

type Library = typeof import('../packages/tributary/src/log/embedded/index.ts')
const load = (srcRoot: string): Promise<Library> =>
  import(join(srcRoot, 'log/embedded/index.ts')) as Promise<Library>

async function generate(srcRoot: string, dir: string, records: number, keys: number): Promise<void> {
  const { EmbeddedLog } = await load(srcRoot)
  const log = await EmbeddedLog.open({ dataDir: dir, fsync: 'never', compactAfterEntries: 0 })
  log.sync.createTopic({ name: TOPIC, partitions: 1, cleanupPolicy: 'compact' })
  const value = Buffer.alloc(8, 1)
  let seed = 42
  const random = (n: number): number =>
    Math.floor(((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * n)
  for (let sent = 0; sent < records; sent += 1000) {
    const batch = []
    for (let i = sent; i < Math.min(records, sent + 1000); i++) {
      const k = i < keys ? i : random(keys)
      const key = Buffer.from(`${String(k).padStart(12, '0')}-0000-4000-8000-0000000000`) // 36 bytes
      batch.push({ ...tp, key, value })
    }
    log.sync.append(batch)
  }
  await log.close()
}

const mb = (bytes: number): number => Math.round(bytes / 1024 / 1024)

/** The process's peak RSS since the last reset (kB in /proc/self/status), in bytes. */
const peakRss = (): number =>
  Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))![1]) * 1024

async function compact(srcRoot: string, dir: string): Promise<Result> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc')
  const { EmbeddedLog } = await load(srcRoot)
  const log = await EmbeddedLog.open({ dataDir: dir, fsync: 'never', compactAfterEntries: 0 })
  gc()
  gc()
  const before = process.memoryUsage()
  writeFileSync('/proc/self/clear_refs', '5') // resets VmHWM to the current RSS
  const delay = monitorEventLoopDelay({ resolution: 1 })
  delay.enable()
  await sleep(20) // its timer runs before the compaction starts, so a loop blocked from then counts
  const started = performance.now()
  const removed = await log.compact(TOPIC)
  const seconds = (performance.now() - started) / 1000
  await sleep(5) // the delay of a loop blocked until now is recorded when its timer fires late
  delay.disable()
  const peak = peakRss()
  await log.close()
  return {
    rssBeforeMb: mb(before.rss),
    heapBeforeMb: mb(before.heapUsed + before.arrayBuffers),
    peakRssMb: mb(peak),
    seconds,
    removed,
    loopDelayMaxMs: delay.max / 1e6,
    loopDelayP99Ms: delay.percentile(99) / 1e6,
  }
}

function runChild(args: string[]): string {
  return execFileSync(
    process.execPath,
    ['--expose-gc', '--max-old-space-size=12288', '--import', 'tsx', fileURLToPath(import.meta.url), ...args],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  )
}

/** Extracts the library's sources at `ref` into a temporary directory. */
function checkout(ref: string): { src: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'compaction-memory-baseline-'))
  execFileSync('sh', ['-c', `git archive ${ref} packages/tributary/src | tar -x -C ${dir}`], {
    cwd: join(here, '..'),
  })
  return {
    src: join(dir, 'packages/tributary/src'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

if (process.argv[2] === 'generate') {
  await generate(process.argv[3]!, process.argv[4]!, Number(process.argv[5]), Number(process.argv[6]))
} else if (process.argv[2] === 'compact') {
  console.log(JSON.stringify(await compact(process.argv[3]!, process.argv[4]!)))
} else {
  const records = Number(process.argv[2] ?? 5_000_000)
  const keys = Number(process.argv[3] ?? 2_000_000)
  const ref = process.argv[4] ?? '3f91e33'
  const pairs = Number(process.argv[5] ?? 1)
  const worktree = join(here, '../packages/tributary/src')
  const baseline = checkout(ref)
  const data = mkdtempSync(join(tmpdir(), 'compaction-memory-'))
  try {
    const source = join(data, 'source')
    const started = performance.now()
    runChild(['generate', worktree, source, String(records), String(keys)])
    console.log(
      `wrote ${records.toLocaleString('en-US')} records, ${keys.toLocaleString('en-US')} keys in ${((performance.now() - started) / 1000).toFixed(0)} s`,
    )
    const side = (src: string, name: string): Result & { load: string } => {
      const copy = join(data, name)
      cpSync(source, copy, { recursive: true })
      const load = loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')
      try {
        return {
          ...(JSON.parse(runChild(['compact', src, copy]).trim().split('\n').at(-1)!) as Result),
          load,
        }
      } finally {
        rmSync(copy, { recursive: true, force: true })
      }
    }
    const results: [string, Result & { load: string }][] = []
    for (let pair = 0; pair < pairs; pair++) {
      results.push([`before (${ref})`, side(baseline.src, 'before')])
      results.push(['after (worktree)', side(worktree, 'after')])
    }
    console.log(
      'side               RSS before  heap before  peak RSS  seconds   removed  loop delay max  p99  load (1/5/15 min)',
    )
    for (const [name, r] of results) {
      console.log(
        `${name.padEnd(18)} ${`${r.rssBeforeMb} MB`.padStart(10)} ${`${r.heapBeforeMb} MB`.padStart(12)} ${`${r.peakRssMb} MB`.padStart(9)} ${r.seconds.toFixed(1).padStart(8)} ${String(r.removed).padStart(9)} ${`${r.loopDelayMaxMs.toFixed(0)} ms`.padStart(15)} ${`${r.loopDelayP99Ms.toFixed(0)} ms`.padStart(6)}  ${r.load}`,
      )
    }
  } finally {
    rmSync(data, { recursive: true, force: true })
    baseline.remove()
  }
}
