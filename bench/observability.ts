// The cost of metrics (each recording level) and of tracing (sampled and unsampled) on the
// stateless and windowed topologies, as ratios to no observer, measured side by side: the
// variants run interleaved, `rounds` times each (in a rotating order), each in its own process. Three figures:
// throughput (wall clock), CPU time per record of the process (with the garbage collector's and
// compiler's threads) and of the main thread alone (steadier on a shared machine). A ratio is the
// median over rounds of its figure divided by the no-observer figure of the same round (adjacent
// in time, so a change in the machine's load between rounds cancels out).
// Usage: npx tsx bench/observability.ts [records=100000] [rounds=3] [variants=off,info,debug,traced,unsampled] [kinds=stateless,windowed]
import { runCase, type CaseResult } from './run-case.ts'

const records = process.argv[2] ?? '100000'
const rounds = Number(process.argv[3] ?? 3)
const variants = [
  'off',
  ...(process.argv[4] ?? 'info,debug,traced,unsampled').split(',').filter((v) => v !== 'off'),
]
const kinds = (process.argv[5] ?? 'stateless,windowed').split(',')
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

console.log(
  `records per case: ${records}; ${rounds} rounds, interleaved; 4 partitions; embedded log (fsync never)`,
)
for (const kind of kinds) {
  const series = () => new Map<string, number[]>(variants.map((v) => [v, []]))
  const rates = series()
  const cpu = series()
  const mainCpu = series()
  for (let round = 0; round < rounds; round++)
    // Each round starts with the next variant: a run's position in the round biases it (an A/A
    // run of two identical variants, always in the same order, differed by 7-10%).
    for (const v of [
      ...variants.slice(round % variants.length),
      ...variants.slice(0, round % variants.length),
    ]) {
      const r = runCase('observability-case.ts', [kind, v, records]) as CaseResult & {
        cpuMicrosPerRecord: number
        mainCpuMicrosPerRecord: number
      }
      rates.get(v)!.push(r.recordsPerSec)
      cpu.get(v)!.push(r.cpuMicrosPerRecord)
      mainCpu.get(v)!.push(r.mainCpuMicrosPerRecord)
    }
  const ratio = (of: Map<string, number[]>, v: string) =>
    median(of.get(v)!.map((x, round) => x / of.get('off')![round]!)).toFixed(3)
  const figure = (of: Map<string, number[]>, v: string, digits: number) =>
    `${median(of.get(v)!).toFixed(digits)} (${of.get(v)!.join(', ')}) ratio ${ratio(of, v)}`
  for (const v of variants)
    console.log(
      `${kind} ${v}: rec/s ${figure(rates, v, 0)} | CPU µs/record ${figure(cpu, v, 2)}` +
        ` | main thread ${figure(mainCpu, v, 2)}`,
    )
}
