// A 1-minute tumbling windowed sum and a stream-table join on the durable embedded log
// (at-least-once), each beside a plain-JS loop doing the same computation, in one run.
// Usage: npx tsx bench/windows-joins.ts [records=200000]
import { runCase } from './run-case.ts'

const records = process.argv[2] ?? '200000'
const script = 'windows-joins-case.ts'
const rows: string[] = []
for (const [kind, limit] of [
  ['window-sum', 'plain-window-sum'],
  ['join', 'plain-join'],
] as const) {
  const base = runCase(script, [limit, records])
  const r = runCase(script, [kind, records])
  rows.push(
    `${limit.padEnd(20)} ${String(base.recordsPerSec).padStart(10)} rec/s  ${String(base.peakRssMb).padStart(5)} MB  (limit)`,
  )
  rows.push(
    `${kind.padEnd(20)} ${String(r.recordsPerSec).padStart(10)} rec/s  ${String(r.peakRssMb).padStart(5)} MB  ratio to limit ${(r.recordsPerSec / base.recordsPerSec).toFixed(3)}`,
  )
}
console.log(
  `records per case: ${records}; 4 partitions; durable embedded log (fsync never); stores lmdb + changelog`,
)
console.log(rows.join('\n'))
