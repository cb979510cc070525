// The cost of metrics (each recording level) and of tracing (sampled and unsampled) on the
// stateless and windowed topologies, as throughput ratios to no observer, measured side by side:
// the variants run interleaved, `rounds` times each, each in its own process; the median counts.
// Two figures: throughput (wall clock) and CPU time per record (steadier on a shared machine).
// Usage: npx tsx bench/observability.ts [records=100000] [rounds=3]
import { runCase, type CaseResult } from './run-case.ts'

const records = process.argv[2] ?? '100000'
const rounds = Number(process.argv[3] ?? 3)
const variants = ['off', 'info', 'debug', 'traced', 'unsampled'] as const
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

console.log(
  `records per case: ${records}; ${rounds} rounds, interleaved; 4 partitions; embedded log (fsync never)`,
)
for (const kind of ['stateless', 'windowed']) {
  const rates = new Map<string, number[]>(variants.map((v) => [v, []]))
  const cpu = new Map<string, number[]>(variants.map((v) => [v, []]))
  for (let round = 0; round < rounds; round++)
    for (const v of variants) {
      const r = runCase('observability-case.ts', [kind, v, records]) as CaseResult & {
        cpuMicrosPerRecord: number
      }
      rates.get(v)!.push(r.recordsPerSec)
      cpu.get(v)!.push(r.cpuMicrosPerRecord)
    }
  const base = median(rates.get('off')!)
  const baseCpu = median(cpu.get('off')!)
  for (const v of variants) {
    const m = median(rates.get(v)!)
    const c = median(cpu.get(v)!)
    console.log(
      `${`${kind} ${v}`.padEnd(20)} ${String(m).padStart(7)} rec/s (${rates.get(v)!.join(', ')}) ratio ${(m / base).toFixed(3)}` +
        `  | ${c.toFixed(1).padStart(6)} µs CPU/record (${cpu.get(v)!.join(', ')}) ratio ${(c / baseCpu).toFixed(3)}`,
    )
  }
}
