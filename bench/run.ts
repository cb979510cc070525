// The benchmark harness: `npm run bench -- --help`. Runs every selected scenario on every selected
// system against one broker, rounds interleaving the systems (A B C D A B C D ...), checks each
// output, and writes results.json, results.md and chart.png to --out. See docs/benchmarks.md.
import { mkdirSync, rmSync } from 'node:fs'
import { randomUUID } from 'node:crypto'
import { join } from 'node:path'
import { KafkaLog } from 'tributary-streams/kafka'
import { ceiling, type CeilingRecord } from './harness/ceiling.ts'
import { measureLatency, type LatencyRecord, type LatencyScenario } from './harness/latency.ts'
import { machine, versions } from './harness/machine.ts'
import { toMarkdown } from './harness/markdown.ts'
import { parseOptions, USAGE, type Options } from './harness/options.ts'
import { loadAverage } from './harness/process-meter.ts'
import { toRows, writeResults, type Gap } from './harness/report.ts'
import { runStreaming, type RunContext, type RunRecord } from './harness/run-streaming.ts'
import { Inputs, TOPOLOGY } from './harness/scenarios.ts'
import { prepare, prepareVenv } from './harness/systems.ts'

let options: Options
try {
  options = parseOptions(process.argv.slice(2))
} catch (err) {
  console.error(`bench: ${(err as Error).message}\n${USAGE}`)
  process.exit(2)
}
const { scenarios, systems, guarantees, records, rounds, outDir, brokers } = options
mkdirSync(outDir, { recursive: true })
const log = await KafkaLog.connect({ brokers: [brokers], clientId: 'bench-harness' }).catch(
  (err: unknown) => {
    console.error(
      `bench: no Kafka broker at ${brokers} (${(err as Error).message}); start one: npm run kafka:start`,
    )
    process.exit(2)
  },
)
prepareVenv()
prepare([...new Set(systems.map((s) => s.system))])

const runId = randomUUID().slice(0, 8)
const inputs = new Inputs(log, runId, records)
const ctx: RunContext = {
  log,
  runId,
  brokers,
  commitIntervalMs: options.commitIntervalMs,
  orderGraceMs: options.orderGraceMs,
  orderUsersFirst: options.orderUsersFirst,
  outDir,
  inputs,
  reference: new Map(),
}
const date = new Date().toISOString()
const host = { ...machine(), versions: versions() }
const runs: Array<RunRecord & { load_avg_1m: number }> = []
const gaps: Gap[] = []
const latencies: LatencyRecord[] = []
const save = (chart: boolean): void => {
  const results = {
    machine: { ...host, load_avg_1m_at_end: loadAverage() },
    date,
    settings: {
      records,
      rounds,
      commit_interval_ms: options.commitIntervalMs,
      partitions: 4,
      brokers: '1 KRaft node (scripts/kafka-start.sh), on the same machine',
      latency_s: options.latencyS,
      order_analytics_grace_ms: options.orderGraceMs ?? 30_000,
      order_analytics_users_first: options.orderUsersFirst,
    },
    results: toRows(runs, gaps, latencies),
    runs,
    latency_runs: latencies,
    gaps,
  }
  writeResults(outDir, results, toMarkdown(results), chart)
}

// NaN (null in results.json, '–' in results.md): not measured for this row.
const ceilingRun = (r: CeilingRecord, round: number): RunRecord => ({
  scenario: 'ceiling',
  guarantee: 'at-least-once',
  round,
  startup_s: NaN,
  close_s: NaN,
  ...r,
  cpu_s_per_million: r.cpu_s_per_million ?? NaN,
  peak_rss_mb: r.peak_rss_mb ?? NaN,
})

for (let round = 1; round <= rounds; round++) {
  for (const scenario of scenarios) {
    if (scenario === 'ceiling') {
      const input = await inputs.source('stateless')
      for (const r of await ceiling(log, brokers, runId, round, records, input))
        runs.push({ ...ceilingRun(r, round), load_avg_1m: loadAverage() })
      save(false)
      continue
    }
    for (const guarantee of guarantees) {
      for (const system of systems) {
        const reason = system.cannot[TOPOLOGY[scenario]]
        const row = { scenario, system: system.system, variant: system.variant, guarantee }
        if (reason !== undefined) {
          gaps.push({ ...row, note: `cannot: ${reason}` })
          continue
        }
        console.error(
          `bench: round ${round}/${rounds} ${scenario} ${guarantee} ${system.system} (${system.variant})`,
        )
        try {
          const load = loadAverage()
          const r = await runStreaming(ctx, scenario, system, guarantee, round)
          runs.push({ ...r, load_avg_1m: load })
          console.error(
            `bench:   ${r.throughput_rps} records/s, verified ${r.verified} ${r.problems.join('; ')}`,
          )
        } catch (err) {
          console.error(`bench:   FAILED: ${(err as Error).message}`)
          gaps.push({ ...row, note: `failed: ${(err as Error).message}` })
        }
        save(false)
      }
    }
    const latency = scenario === 'stateless' || scenario === 'count-uniform'
    if (latency && round === 1 && options.latencyS > 0) await latencyRuns(round, scenario)
  }
}
/**
 * p50/p99 end-to-end latency of every system on the scenario's topology at one offered rate: the
 * given one, or half the slowest verified throughput of that scenario measured so far in this run.
 */
async function latencyRuns(round: number, scenario: LatencyScenario): Promise<void> {
  const measured = runs.filter((r) => r.scenario === scenario && r.verified).map((r) => r.throughput_rps)
  const rate =
    options.latencyRate ?? (measured.length > 0 ? Math.max(1, Math.round(Math.min(...measured) / 2)) : 0)
  if (rate === 0) return
  for (const guarantee of guarantees)
    for (const system of systems) {
      console.error(
        `bench: round ${round}/${rounds} ${scenario} latency at ${rate}/s ${guarantee} ${system.system} (${system.variant})`,
      )
      try {
        const l = await measureLatency(ctx, system, scenario, guarantee, round, rate, options.latencyS)
        latencies.push(l)
        console.error(
          `bench:   p50 ${l.p50_ms} ms, p99 ${l.p99_ms} ms (${l.measured} records, ${l.lost} lost)`,
        )
      } catch (err) {
        console.error(`bench:   latency FAILED: ${(err as Error).message}`)
      }
      save(false)
    }
}

save(true)
// BENCH_KEEP=1 keeps every run's topics on the broker, to inspect outputs that did not verify.
const ours = (await log.admin.listTopics()).filter((t) => t.startsWith(`bench-${runId}`))
if (ours.length > 0 && process.env['BENCH_KEEP'] === undefined) await log.admin.deleteTopics(ours)
rmSync(join(outDir, 'state'), { recursive: true, force: true })
await log.close()
console.error(`bench: wrote ${join(outDir, 'results.md')}, results.json and chart.png`)
process.exit(0)
