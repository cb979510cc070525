// Event-time alignment on and off, on input already in event-time order (where it must cost at
// most a few percent): a windowed sum and the order-analytics topology on the embedded log, each
// case in its own process, on and off interleaved `rounds` times; medians and their ratio.
// Usage: npx tsx bench/alignment.ts [records=100000] [rounds=3]
import { runCase, type CaseResult } from './run-case.ts'

const records = process.argv[2] ?? '100000'
const rounds = Number(process.argv[3] ?? 3)
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
console.log(
  `records per case: ${records} input records; 4 partitions; embedded log (fsync never); ${rounds} rounds`,
)
for (const kind of ['window-sum', 'order-analytics']) {
  const rates: Record<string, number[]> = { off: [], on: [] }
  let late = ''
  for (let round = 0; round < rounds; round++)
    for (const alignment of round % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
      const r = runCase('alignment-case.ts', [kind, alignment, records]) as CaseResult & { late: number }
      rates[alignment]!.push(r.recordsPerSec)
      late += ` ${alignment}:${r.late}`
    }
  const off = median(rates['off']!)
  const on = median(rates['on']!)
  console.log(
    `${kind.padEnd(16)} off ${String(off).padStart(8)} rec/s  on ${String(on).padStart(8)} rec/s  ratio on/off ${(on / off).toFixed(3)}  (runs off ${rates['off']!.join(',')}; on ${rates['on']!.join(',')}; late${late})`,
  )
}
