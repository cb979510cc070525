// Engine throughput beside the plain-JS limit, each case in its own process, in one run.
// Usage: npx tsx bench/streams-throughput.ts [records=200000]
import { runCase } from './run-case.ts'

const records = process.argv[2] ?? '200000'
const run = (kind: string, guarantee: string) => runCase('streams-case.ts', [kind, guarantee, records])

const rows: string[] = []
for (const [kind, limit] of [
  ['stateless', 'plain-stateless'],
  ['count', 'plain-count'],
] as const) {
  const base = run(limit, '-')
  rows.push(
    `${limit.padEnd(28)} ${String(base.recordsPerSec).padStart(10)} rec/s  ${String(base.peakRssMb).padStart(5)} MB  (limit)`,
  )
  for (const guarantee of ['at-least-once', 'exactly-once']) {
    const r = run(kind, guarantee)
    const ratio = (r.recordsPerSec / base.recordsPerSec).toFixed(3)
    rows.push(
      `${`${kind} ${guarantee}`.padEnd(28)} ${String(r.recordsPerSec).padStart(10)} rec/s  ${String(r.peakRssMb).padStart(5)} MB  ratio to limit ${ratio}`,
    )
  }
}
console.log(
  `records per case: ${records}; 4 partitions; durable embedded log (fsync never); count uses lmdb + changelog`,
)
console.log(rows.join('\n'))
