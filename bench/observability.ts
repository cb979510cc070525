// The cost of metrics (each recording level) and of tracing (sampled and unsampled) on the
// stateless and windowed topologies, as throughput ratios to no observer, measured side by side:
// the variants run interleaved, `rounds` times each, each in its own process; the median counts.
// Usage: npx tsx bench/observability.ts [records=100000] [rounds=3]
import { runCase } from './run-case.ts'

const records = process.argv[2] ?? '100000'
const rounds = Number(process.argv[3] ?? 3)
const variants = ['off', 'info', 'debug', 'traced', 'unsampled'] as const
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

console.log(
  `records per case: ${records}; ${rounds} rounds, interleaved; 4 partitions; embedded log (fsync never)`,
)
for (const kind of ['stateless', 'windowed']) {
  const rates = new Map<string, number[]>(variants.map((v) => [v, []]))
  for (let round = 0; round < rounds; round++)
    for (const v of variants)
      rates.get(v)!.push(runCase('observability-case.ts', [kind, v, records]).recordsPerSec)
  const base = median(rates.get('off')!)
  for (const v of variants) {
    const m = median(rates.get(v)!)
    const all = rates.get(v)!.join(', ')
    console.log(
      `${`${kind} ${v}`.padEnd(22)} ${String(m).padStart(8)} rec/s (median of ${all})  ratio to off ${(m / base).toFixed(3)}`,
    )
  }
}
