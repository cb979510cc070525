/**
 * Memory per retained entry of the durable embedded log, and the cost of reading evicted records
 * back, for the library at a baseline commit and at the working tree, side by side. Each side runs
 * in its own child process (`node --expose-gc`): it appends small dedupe-like records (a 36-byte
 * key, an 8-byte value) to a 4-partition topic with the default record cache, forcing GC and
 * sampling memory (JS heap plus typed arrays) at 9 points from when the cache is full (1.2x its
 * size) to the end: the slope over them is what an entry evicted from the cache costs. Then it
 * reads every partition from offset 0 to its end (cold: mostly evicted records) and seeks 2,000
 * random old offsets (one record each). Not a test.
 *   npx tsx bench/log-memory.ts [records=5000000] [baseline=31b565e]
 */
import { execFileSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const PARTITIONS = 4
const CACHE_RECORDS = 250_000 // the log's default

interface Result {
  entries: number
  /** Bytes (heap + array buffers) per entry evicted after the cache filled. */
  perEvicted: number
  /** Bytes per retained entry overall (everything the log holds, over all entries). */
  perEntry: number
  appendPerSec: number
  coldReadPerSec: number
  seekMicros: number
}

async function child(srcRoot: string, total: number): Promise<Result> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) throw new Error('run with node --expose-gc')
  const used = (): number => {
    gc()
    gc()
    const m = process.memoryUsage()
    return m.heapUsed + m.arrayBuffers
  }
  const { EmbeddedLog } = (await import(
    join(srcRoot, 'log/embedded/index.ts')
  )) as typeof import('../packages/tributary/src/log/embedded/index.ts')
  const dir = mkdtempSync(join(tmpdir(), 'log-memory-'))
  try {
    const log = await EmbeddedLog.open({ dataDir: dir, fsync: 'never', compactAfterEntries: 0 })
    log.sync.createTopic({ name: 'dedupe', partitions: PARTITIONS })
    const empty = used()
    const value = Buffer.alloc(8, 1)
    const batch = 1000
    const cacheFull = Math.round(CACHE_RECORDS * 1.2)
    const step = Math.max(batch, Math.floor((total - cacheFull) / 8 / batch) * batch)
    const samples: [number, number][] = [] // (entries, bytes used) from cacheFull on
    const started = performance.now()
    for (let sent = 0; sent < total; sent += batch) {
      const records = []
      for (let i = sent; i < sent + batch; i++) {
        const key = Buffer.from(`${String(i).padStart(12, '0')}-0000-4000-8000-0000000000`) // 36 bytes
        records.push({ topic: 'dedupe', key, value })
      }
      log.sync.append(records)
      const n = sent + batch
      if (n >= cacheFull && (n - cacheFull) % step === 0) samples.push([n, used()])
    }
    const appendSecs = (performance.now() - started) / 1000 // including the samples' GCs
    const perEvicted = slope(samples)
    const perEntry = (used() - empty) / total

    let read = 0
    const readStarted = performance.now()
    for (let p = 0; p < PARTITIONS; p++) {
      const tp = { topic: 'dedupe', partition: p }
      const end = log.sync.endOffset(tp)
      for (let from = 0; from < end;) {
        const got = log.sync.read(tp, from, 500)
        read += got.length
        from = got.at(-1)!.offset + 1
      }
    }
    const coldReadPerSec = read / ((performance.now() - readStarted) / 1000)

    const seeks = 2000
    const oldest = Math.floor(total / PARTITIONS) - CACHE_RECORDS / PARTITIONS
    let seed = 42
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * oldest
    const seekStarted = performance.now()
    for (let i = 0; i < seeks; i++) {
      const offset = Math.floor(random())
      const got = log.sync.read({ topic: 'dedupe', partition: i % PARTITIONS }, offset, 1)
      if (got[0]?.offset !== offset) throw new Error(`seek to ${offset} returned ${got[0]?.offset}`)
    }
    const seekMicros = ((performance.now() - seekStarted) * 1000) / seeks
    await log.close()
    return {
      entries: total,
      perEvicted,
      perEntry,
      appendPerSec: total / appendSecs,
      coldReadPerSec,
      seekMicros,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Least-squares slope of bytes over entries: the cache's own state (it is cut in batches) is
 *  noise around it. */
function slope(points: readonly [number, number][]): number {
  const mean = (f: (p: [number, number]) => number): number =>
    points.reduce((sum, p) => sum + f(p), 0) / points.length
  const mx = mean((p) => p[0])
  const my = mean((p) => p[1])
  return mean((p) => (p[0] - mx) * (p[1] - my)) / mean((p) => (p[0] - mx) ** 2)
}

function runSide(srcRoot: string, total: number): Result {
  const out = execFileSync(
    process.execPath,
    [
      '--expose-gc',
      '--max-old-space-size=8192',
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      'child',
      srcRoot,
      String(total),
    ],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  )
  return JSON.parse(out.trim().split('\n').at(-1)!) as Result
}

/** Extracts the library's sources at `ref` into a temporary directory. */
function checkout(ref: string): { src: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'log-memory-baseline-'))
  mkdirSync(dir, { recursive: true })
  execFileSync('sh', ['-c', `git archive ${ref} packages/tributary/src | tar -x -C ${dir}`], {
    cwd: join(here, '..'),
  })
  return {
    src: join(dir, 'packages/tributary/src'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  }
}

if (process.argv[2] === 'child') {
  const result = await child(process.argv[3]!, Number(process.argv[4]))
  console.log(JSON.stringify(result))
} else {
  const total = Number(process.argv[2] ?? 5_000_000)
  const ref = process.argv[3] ?? '31b565e'
  const baseline = checkout(ref)
  try {
    const before = runSide(baseline.src, total)
    const after = runSide(join(here, '../packages/tributary/src'), total)
    const fmt = (n: number, digits = 1): string =>
      n.toLocaleString('en-US', { maximumFractionDigits: digits })
    const rows: [string, (r: Result) => string][] = [
      ['bytes per evicted entry', (r) => fmt(r.perEvicted)],
      ['bytes per entry (all)', (r) => fmt(r.perEntry)],
      ['append records/s', (r) => fmt(r.appendPerSec, 0)],
      ['cold read records/s', (r) => fmt(r.coldReadPerSec, 0)],
      ['seek one old offset (µs)', (r) => fmt(r.seekMicros)],
    ]
    console.log(
      `${total.toLocaleString('en-US')} records (36-byte key, 8-byte value), ${PARTITIONS} partitions, cache ${CACHE_RECORDS.toLocaleString('en-US')} records`,
    )
    console.log(`${''.padEnd(26)}${`before (${ref})`.padStart(18)}${'after (worktree)'.padStart(18)}`)
    for (const [name, value] of rows)
      console.log(`${name.padEnd(26)}${value(before).padStart(18)}${value(after).padStart(18)}`)
  } finally {
    baseline.remove()
  }
}
