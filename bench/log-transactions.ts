/**
 * Exactly-once on the embedded log (not a test): a transactional producer writes small records to
 * several partitions in batches and commits every `commitMs` (as a stream thread with
 * exactly-once does), while a plain producer and a consumer stand for the rest of the process
 * (the order generator, the sink). Prints committed records/s, commits/s and their mean latency,
 * the side work's records/s, and the share of main-thread wall time spent blocked in fdatasync
 * (from a --cpu-prof profile of the run; see profile-share.ts). Each run is its own process, on a data directory under
 * the OS temp directory (a real disk: on tmpfs fdatasync costs nothing).
 *
 * Paired: `--base <dir>` runs the same workload against another checkout's library
 * (`<dir>/packages/tributary/src`, e.g. an export of main) in alternating rounds.
 *
 *   npx tsx bench/log-transactions.ts [--seconds 20] [--partitions 8] [--commit-ms 100]
 *                                     [--rounds 2] [--base /tmp/main-export]
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { EmbeddedLog as EmbeddedLogType } from '../packages/tributary/src/log/embedded/index.ts'
import type { ProducerRecord } from '../packages/tributary/src/log/log.ts'
import { timeUnder } from './profile-share.ts'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    partitions: { type: 'string', default: '8' },
    'commit-ms': { type: 'string', default: '100' },
    rounds: { type: 'string', default: '2' },
    base: { type: 'string' },
    child: { type: 'string' },
  },
})
const seconds = Number(values.seconds)
const partitions = Number(values.partitions)
const commitMs = Number(values['commit-ms'])

interface Result {
  committed: number
  commits: number
  commitLatencyMs: number
  side: number
  blockedShare: number
}

if (values.child !== undefined) {
  const result = await run(values.child)
  console.log(JSON.stringify(result))
} else {
  const here = resolve(import.meta.dirname, '..')
  const variants: [string, string][] = [['this checkout', here]]
  if (values.base !== undefined) variants.unshift(['base', resolve(values.base)])
  console.log(
    `exactly-once on the embedded log (fsync interval): ${partitions} partitions, commit every ${commitMs} ms, ` +
      `${seconds} s per run, load ${loadavg()[0]!.toFixed(1)}`,
  )
  for (let round = 1; round <= Number(values.rounds); round++) {
    for (const [name, root] of variants) {
      const profiles = mkdtempSync(join(tmpdir(), 'tributary-bench-prof-'))
      try {
        const out = execFileSync(
          process.execPath,
          [
            '--cpu-prof',
            '--cpu-prof-dir',
            profiles,
            '--import',
            'tsx',
            process.argv[1]!,
            ...['--seconds', String(seconds), '--partitions', String(partitions)],
            ...['--commit-ms', String(commitMs), '--child', root],
          ],
          { encoding: 'utf8' },
        )
        const r = JSON.parse(out.trim().split('\n').at(-1)!) as Result
        const blocked = timeUnder(join(profiles, readdirSync(profiles)[0]!), 'fdatasyncSync')
        r.blockedShare = blocked.seconds / blocked.wallSeconds
        console.log(
          `round ${round} ${name.padEnd(14)} committed ${rate(r.committed)} rec/s  commits ${rate(r.commits)}/s ` +
            `(mean ${r.commitLatencyMs.toFixed(1)} ms)  side work ${rate(r.side)} rec/s  ` +
            `main thread in fdatasync ${(r.blockedShare * 100).toFixed(1)}%  load ${loadavg()[0]!.toFixed(1)}`,
        )
      } finally {
        rmSync(profiles, { recursive: true, force: true })
      }
    }
  }
}

function rate(n: number): string {
  return Math.round(n / seconds)
    .toLocaleString('en-US')
    .padStart(8)
}

async function run(root: string): Promise<Result> {
  const { EmbeddedLog } = (await import(join(root, 'packages/tributary/src/log/embedded/index.ts'))) as {
    EmbeddedLog: typeof EmbeddedLogType
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-txn-'))
  const log = await EmbeddedLog.open({ dataDir, onWarning: () => undefined })
  try {
    await log.admin.createTopics([
      { name: 'out', partitions },
      { name: 'side', partitions: 1 },
    ])
    const deadline = performance.now() + seconds * 1000
    const value = Buffer.from('{"order":1234567,"amount":12.5,"region":"eu"}')
    const batch = (topic: string, n: number, spread: number): ProducerRecord[] =>
      Array.from({ length: n }, (_, i) => ({ topic, partition: i % spread, key: null, value }))

    const side = (async () => {
      const producer = await log.producer()
      const consumer = await log.consumer({ groupId: 'side' })
      await consumer.subscribe(['side'])
      let read = 0
      while (performance.now() < deadline) {
        await producer.send(batch('side', 50, 1))
        read += (await consumer.poll({ maxRecords: 1000, timeoutMs: 0 })).length
        await new Promise((r) => setImmediate(r))
      }
      return read
    })()

    const producer = await log.producer({ transactionalId: 'bench' })
    let committed = 0
    let commits = 0
    let commitTime = 0
    let inputOffset = 0
    while (performance.now() < deadline) {
      await producer.beginTransaction()
      const until = performance.now() + commitMs
      let sent = 0
      while (performance.now() < until) {
        await producer.send(batch('out', 100, partitions))
        sent += 100
        await new Promise((r) => setImmediate(r))
      }
      inputOffset += sent
      await producer.sendOffsets('bench', [{ topic: 'side', partition: 0, offset: inputOffset }])
      const started = performance.now()
      await producer.commitTransaction()
      commitTime += performance.now() - started
      committed += sent
      commits++
    }
    const sideRead = await side
    return { committed, commits, commitLatencyMs: commitTime / commits, side: sideRead, blockedShare: 0 }
  } finally {
    await log.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
}
