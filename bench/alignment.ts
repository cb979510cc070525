// Event-time alignment on and off, on input already in event-time order (where it must cost at
// most a few percent): a windowed sum and the order-analytics topology on the embedded log, each
// case in its own process, on and off interleaved `rounds` times; medians and their ratios, as
// throughput (wall clock) and CPU time per record (steadier on a shared machine), and the median
// and range of the ratios within each pair (an on run and the off run beside it share the
// machine's load, so their ratio is steadier than the ratio of medians). With `concurrent`, the
// two runs of a pair run at the same time instead of one after the other: on a machine whose
// load changes from minute to minute they then see the same load (and each the other). Both runs
// must drop nothing as late (otherwise they would not do the same work): the bench fails if one
// does. With `kafka`, the cases run on the broker at KAFKA_BROKERS instead of the embedded log.
// Usage: npx tsx bench/alignment.ts [records=100000] [rounds=3] [window-sum,order-analytics]
//          [interleaved|concurrent] [embedded|kafka]
import { execFile } from 'node:child_process'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { runCase, type CaseResult } from './run-case.ts'

const records = process.argv[2] ?? '100000'
const rounds = Number(process.argv[3] ?? 3)
const kinds = (process.argv[4] ?? 'window-sum,order-analytics').split(',')
const concurrent = process.argv[5] === 'concurrent'
const logKind = process.argv[6] ?? 'embedded'
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const load = () => loadavg()[0]!.toFixed(1)
const range = (xs: number[]) =>
  `median ${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`
type Result = CaseResult & { late: number; cpuMicrosPerRecord: number; records: number }

/** Runs one case in its own process, as runCase does, without blocking the other of its pair. */
async function runCaseAsync(args: readonly string[]): Promise<Result> {
  const script = join(import.meta.dirname, 'alignment-case.ts')
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...args], {
    maxBuffer: 1 << 20,
  })
  return JSON.parse(stdout.trim().split('\n').pop()!) as Result
}

/** One pair: off and on, one after the other (the first of them alternating) or at once. */
async function pair(kind: string, round: number): Promise<Record<string, Result>> {
  if (concurrent) {
    const [off, on] = await Promise.all(['off', 'on'].map((a) => runCaseAsync([kind, a, records, logKind])))
    return { off: off!, on: on! }
  }
  const results: Record<string, Result> = {}
  for (const alignment of round % 2 === 0 ? ['off', 'on'] : ['on', 'off'])
    results[alignment] = runCase('alignment-case.ts', [kind, alignment, records, logKind]) as Result
  return results
}

console.log(
  `${records} input records per case (order-analytics: + 5000 users); 4 partitions; ${logKind === 'kafka' ? `Kafka at ${process.env['KAFKA_BROKERS']}` : 'embedded log (fsync never)'}; ${rounds} rounds, ${concurrent ? 'on and off at once' : 'interleaved'}`,
)
for (const kind of kinds) {
  const rates: Record<string, number[]> = { off: [], on: [] }
  const cpu: Record<string, number[]> = { off: [], on: [] }
  const loads: string[] = [load()]
  for (let round = 0; round < rounds; round++) {
    const results = await pair(kind, round)
    for (const [alignment, r] of Object.entries(results)) {
      if (r.late > 0)
        throw new Error(
          `${kind} with alignment ${alignment} dropped ${r.late} records as late: not like-for-like`,
        )
      rates[alignment]!.push(r.recordsPerSec)
      cpu[alignment]!.push(r.cpuMicrosPerRecord)
    }
    loads.push(load())
    // each pair as it ends, so that a long run cut short still says what it measured
    const { off, on } = results as { off: Result; on: Result }
    console.log(
      `${kind} pair ${round + 1}: off ${off.recordsPerSec} rec/s ${off.cpuMicrosPerRecord} µs, on ${on.recordsPerSec} rec/s ${on.cpuMicrosPerRecord} µs; load ${loads.at(-2)} → ${loads.at(-1)}`,
    )
  }
  const rate = (a: string) => median(rates[a]!)
  const micros = (a: string) => median(cpu[a]!)
  const pairs = (f: (i: number) => number) => Array.from({ length: rounds }, (_, i) => f(i))
  console.log(
    `${kind.padEnd(16)} off ${String(rate('off')).padStart(7)} rec/s ${micros('off').toFixed(1).padStart(6)} µs CPU/rec` +
      ` | on ${String(rate('on')).padStart(7)} rec/s ${micros('on').toFixed(1).padStart(6)} µs CPU/rec` +
      ` | on/off rate ${(rate('on') / rate('off')).toFixed(3)}, CPU/rec off/on ${(micros('off') / micros('on')).toFixed(3)}` +
      `  (rates off ${rates['off']!.join(',')}; on ${rates['on']!.join(',')}; µs off ${cpu['off']!.join(',')}; on ${cpu['on']!.join(',')})`,
  )
  console.log(
    `${''.padEnd(16)} per pair: rate on/off ${range(pairs((i) => rates['on']![i]! / rates['off']![i]!))}` +
      `, CPU/rec off/on ${range(pairs((i) => cpu['off']![i]! / cpu['on']![i]!))}; load (1 min) ${loads.join(' → ')}`,
  )
}
