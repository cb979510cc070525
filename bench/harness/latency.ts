// End-to-end latency at a fixed offered rate: the stateless or the count topology on a fresh input
// topic, fed by the harness at `rate` records/s, its output read back read_committed as it
// appears. A record's latency is the time from when it was DUE to be sent (its slot in the
// schedule, not when the send happened, so a stalled producer cannot hide latency) to when the
// harness reads the first output that shows it. Records are counted only after a warm-up, from the
// first output seen.
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { ConsumerRecord, Log } from 'tributary-streams'
import { toEnv, type Guarantee, type RunnerEnv } from '../systems/runner-env.ts'
import { createTopics, partitionsOf } from './broker.ts'
import { COUNT_KEYS } from './inputs.ts'
import { MeasuredProcess } from './measured-process.ts'
import type { RunContext } from './run-streaming.ts'
import { TOPOLOGY } from './scenarios.ts'
import type { System } from './systems.ts'

/** The scenarios with latency runs (on their topology, keys as in their input). */
export type LatencyScenario = 'stateless' | 'count-uniform'

export interface LatencyRecord {
  readonly scenario: LatencyScenario
  readonly system: string
  readonly variant: string
  readonly guarantee: Guarantee
  readonly round: number
  readonly rate_rps: number
  readonly p50_ms: number
  readonly p99_ms: number
  readonly measured: number
  readonly lost: number
}

/** Seconds of offered load discarded after the first output (JIT, caches, fetch sessions). */
const WARM_UP_S = 10
/** Each record's amount passes the stateless filter (>= 100), so every input has an output. */
const value = (id: number): string => JSON.stringify({ id, amount: 100 + (id % 900), region: 'eu' })

export async function measureLatency(
  ctx: RunContext,
  system: System,
  scenario: LatencyScenario,
  guarantee: Guarantee,
  round: number,
  rate: number,
  seconds: number,
): Promise<LatencyRecord> {
  const name = `latency-${scenario}-${system.system}-${system.variant}-${guarantee}-r${round}`.replace(
    /[^a-zA-Z0-9]+/g,
    '-',
  )
  const applicationId = `bench-${ctx.runId}-${name}`.replace(/-$/, '')
  const stateDir = join(ctx.outDir, 'state', name)
  mkdirSync(stateDir, { recursive: true })
  mkdirSync(join(ctx.outDir, 'logs'), { recursive: true })
  const env: RunnerEnv = {
    brokers: ctx.brokers,
    topology: TOPOLOGY[scenario],
    guarantee,
    applicationId,
    stateDir,
    commitIntervalMs: ctx.commitIntervalMs,
    input: `${applicationId}-in`,
    table: '',
    output: `${applicationId}-out`,
  }
  await createTopics(ctx.log, [env.input, env.output])
  const logFile = join(ctx.outDir, 'logs', `${name}.log`)
  const proc = new MeasuredProcess(
    {
      command: system.command,
      args: system.args,
      cwd: system.cwd,
      env: { ...toEnv(env), ...system.env },
      logFile,
    },
    ctx.log,
    applicationId,
    [env.input],
    guarantee === 'exactly-once',
  )
  try {
    return {
      scenario,
      system: system.system,
      variant: system.variant,
      guarantee,
      round,
      rate_rps: rate,
      ...(await drive(ctx.log, env, rate, seconds, scenario === 'stateless' ? statelessIds : countIds())),
    }
  } finally {
    await proc.stop(30_000)
    rmSync(stateDir, { recursive: true, force: true })
    const mine = (await ctx.log.admin.listTopics()).filter((t) => t.includes(applicationId))
    if (mine.length > 0) await ctx.log.admin.deleteTopics(mine)
  }
}

/** The input ids whose effect an output record is the first to show. */
type Shown = (output: ConsumerRecord) => Iterable<number>

/** The stateless output carries its input's id. */
const statelessIds: Shown = (r) => [(JSON.parse(r.value!.toString()) as { id: number }).id]

/**
 * Input `id` has key `k(id % COUNT_KEYS)`, so key k's n-th record is id k + (n - 1)·COUNT_KEYS. A
 * count n for key k shows every record of k up to its n-th: those after the last count seen (a
 * record cache folds updates, so one output may show several records; a replayed count, none).
 */
function countIds(): Shown {
  const shown = new Map<number, number>()
  return function* (r) {
    const key = Number(r.key!.toString().slice(1))
    const count = Number(r.value!.toString())
    for (let n = (shown.get(key) ?? 0) + 1; n <= count; n++) yield key + (n - 1) * COUNT_KEYS
    if (count > (shown.get(key) ?? 0)) shown.set(key, count)
  }
}

/** Offers `rate` records/s until the first output, then WARM_UP_S + `seconds` more; reads outputs. */
async function drive(
  log: Log,
  env: RunnerEnv,
  rate: number,
  seconds: number,
  shows: Shown,
): Promise<Pick<LatencyRecord, 'p50_ms' | 'p99_ms' | 'measured' | 'lost'>> {
  const producer = await log.producer()
  const consumer = await log.consumer({ groupId: `${env.applicationId}-reader`, isolation: 'read_committed' })
  await consumer.assign(partitionsOf([env.output]))
  const due: number[] = [] // id -> when it was due
  const latencies: number[] = []
  let measureFrom = Infinity // first id whose latency counts
  let measureTo = Infinity // first id past the measured window
  let seen = 0
  const t0 = performance.now()
  const startupDeadline = t0 + 180_000
  let sending = true
  const send = (async () => {
    // One send in flight: each tick sends every record due by now, so the offered rate holds even
    // when a send is slow (the records then carry the time they were due).
    while (sending) {
      const now = performance.now()
      const target = Math.floor(((now - t0) / 1000) * rate)
      const batch = []
      while (due.length < target && due.length < measureTo) {
        const id = due.length
        due.push(t0 + (id / rate) * 1000)
        const key = Buffer.from(`k${id % COUNT_KEYS}`)
        batch.push({ topic: env.input, key, value: Buffer.from(value(id)) })
      }
      if (batch.length > 0) await producer.send(batch)
      else await new Promise((r) => setTimeout(r, 5))
    }
  })()
  try {
    while (true) {
      const now = performance.now()
      if (seen === 0 && now > startupDeadline) throw new Error('no output within 180 s of offered load')
      for (const r of await consumer.poll({ maxRecords: 10_000, timeoutMs: 100 })) {
        const at = performance.now()
        if (seen++ === 0) {
          measureFrom = Math.ceil(((at - t0) / 1000 + WARM_UP_S) * rate)
          measureTo = measureFrom + Math.round(seconds * rate)
        }
        for (const id of shows(r)) if (id >= measureFrom && id < measureTo) latencies.push(at - due[id]!)
      }
      const last = measureTo - 1
      if (due.length >= measureTo && performance.now() - due[last]! > 30_000) break
      if (latencies.length >= measureTo - measureFrom) break
    }
  } finally {
    sending = false
    await send.catch(() => undefined)
    await producer.close()
    await consumer.close()
  }
  latencies.sort((a, b) => a - b)
  const at = (q: number): number =>
    Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! * 10) / 10
  return {
    p50_ms: at(0.5),
    p99_ms: at(0.99),
    measured: latencies.length,
    lost: measureTo - measureFrom - latencies.length,
  }
}
