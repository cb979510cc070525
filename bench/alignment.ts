// Event-time alignment on and off, on input already in event-time order (where it must cost at
// most a few percent): a windowed sum and the order-analytics topology on the embedded log, each
// case in its own process, on and off interleaved `rounds` times; medians and their ratios, as
// throughput (wall clock) and CPU time per record (steadier on a shared machine). Both runs must
// drop nothing as late (otherwise they would not do the same work): the bench fails if one does.
// Usage: npx tsx bench/alignment.ts [records=100000] [rounds=3] [window-sum,order-analytics]
import { runCase, type CaseResult } from './run-case.ts'

const records = process.argv[2] ?? '100000'
const rounds = Number(process.argv[3] ?? 3)
const kinds = (process.argv[4] ?? 'window-sum,order-analytics').split(',')
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
type Result = CaseResult & { late: number; cpuMicrosPerRecord: number; records: number }

console.log(
  `${records} input records per case (order-analytics: + 5000 users); 4 partitions; embedded log (fsync never); ${rounds} rounds, interleaved`,
)
for (const kind of kinds) {
  const rates: Record<string, number[]> = { off: [], on: [] }
  const cpu: Record<string, number[]> = { off: [], on: [] }
  for (let round = 0; round < rounds; round++)
    for (const alignment of round % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
      const r = runCase('alignment-case.ts', [kind, alignment, records]) as Result
      if (r.late > 0)
        throw new Error(
          `${kind} with alignment ${alignment} dropped ${r.late} records as late: not like-for-like`,
        )
      rates[alignment]!.push(r.recordsPerSec)
      cpu[alignment]!.push(r.cpuMicrosPerRecord)
    }
  const rate = (a: string) => median(rates[a]!)
  const micros = (a: string) => median(cpu[a]!)
  console.log(
    `${kind.padEnd(16)} off ${String(rate('off')).padStart(7)} rec/s ${micros('off').toFixed(1).padStart(6)} µs CPU/rec` +
      ` | on ${String(rate('on')).padStart(7)} rec/s ${micros('on').toFixed(1).padStart(6)} µs CPU/rec` +
      ` | on/off rate ${(rate('on') / rate('off')).toFixed(3)}, CPU/rec off/on ${(micros('off') / micros('on')).toFixed(3)}` +
      `  (rates off ${rates['off']!.join(',')}; on ${rates['on']!.join(',')}; µs off ${cpu['off']!.join(',')}; on ${cpu['on']!.join(',')})`,
  )
}
