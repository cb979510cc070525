// One measured run of a streaming scenario on one system: start its process, time it from its
// first commit to the last input record committed, stop it (timing the close), then read its
// output back read_committed and check it. The join-restore scenario adds a restart without
// local state, timing the restore.
import { createHash } from 'node:crypto'
import { mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Log } from 'tributary-streams'
import { toEnv, type Guarantee, type RunnerEnv } from '../systems/runner-env.ts'
import { createTopics, endRecords, preload, readCommitted } from './broker.ts'
import { BASE_TIME, PARTITIONS } from './inputs.ts'
import { digestMismatch, outputDigest, type Digest } from './digests.ts'
import { MeasuredProcess, type Processing } from './measured-process.ts'
import {
  AFTER_RESTORE,
  TOPOLOGY,
  type Inputs,
  type ScenarioName,
  type StreamingScenario,
} from './scenarios.ts'
import type { System } from './systems.ts'

export interface RunContext {
  readonly log: Log
  readonly runId: string
  readonly brokers: string
  readonly commitIntervalMs: number
  /** order-analytics' window grace, when not the app's. */
  readonly orderGraceMs: number | undefined
  /** order-analytics: every user is consumed before the first order is written (a topic per run). */
  readonly orderUsersFirst: boolean
  readonly outDir: string
  readonly inputs: Inputs
  /** Tributary's digest per scenario: the reference where no plain computation exists. */
  readonly reference: Map<StreamingScenario, Digest>
}

export interface RunRecord {
  readonly scenario: ScenarioName
  readonly system: string
  readonly variant: string
  readonly guarantee: Guarantee
  readonly round: number
  readonly records: number
  readonly throughput_rps: number
  readonly cpu_s_per_million: number
  readonly peak_rss_mb: number
  readonly startup_s: number
  readonly close_s: number
  readonly restore_s?: number
  readonly restore_rps?: number
  /** Why a join-restore run has no restore figure, with both start-ups. */
  readonly restore_note?: string
  readonly verified: boolean
  readonly problems: readonly string[]
}

const slug = (s: string): string => s.replace(/[^a-zA-Z0-9]+/g, '-').replace(/-$/, '')

export async function runStreaming(
  ctx: RunContext,
  scenario: StreamingScenario,
  system: System,
  guarantee: Guarantee,
  round: number,
): Promise<RunRecord> {
  const name = slug(`${scenario}-${system.system}-${system.variant}-${guarantee}-r${round}`)
  const applicationId = `bench-${ctx.runId}-${name}`
  const stateDir = join(ctx.outDir, 'state', name)
  const logFile = join(ctx.outDir, 'logs', `${name}.log`)
  mkdirSync(stateDir, { recursive: true })
  mkdirSync(join(ctx.outDir, 'logs'), { recursive: true })
  const join_ = scenario === 'join-restore'
  const orders = scenario === 'order-analytics'
  // The table is loaded (the system runs until it has committed all of it, and stops) before the
  // stream, a topic of this run, is written: always for the join, for order-analytics' users with
  // --order-users-first. Otherwise the stream is the shared preloaded topic.
  const tableFirst = join_ || (orders && ctx.orderUsersFirst)
  const source = orders && tableFirst ? '' : await ctx.inputs.source(scenario)
  // Short: Quix names internal topics after the chain of topics before them, 255 characters at most.
  const input = tableFirst ? `bench-${ctx.runId}-stream-${shortHash(applicationId)}` : source
  const table = join_ ? source : orders ? await ctx.inputs.users() : ''
  const env: RunnerEnv = {
    brokers: ctx.brokers,
    topology: TOPOLOGY[scenario],
    guarantee,
    applicationId,
    stateDir,
    commitIntervalMs: ctx.commitIntervalMs,
    input,
    table,
    output: `${applicationId}-out`,
    ...(orders && ctx.orderGraceMs !== undefined ? { graceMs: ctx.orderGraceMs } : {}),
  }
  const outputs = orders ? [env.output, `${env.output}-outbox`, `${env.output}-dlq`] : [env.output]
  await createTopics(ctx.log, tableFirst ? [...outputs, input] : outputs)
  const sources = table === '' ? [input] : [input, table]
  const launch = () =>
    new MeasuredProcess(
      {
        command: system.command,
        args: system.args,
        cwd: system.cwd,
        env: { ...toEnv(env), ...system.env },
        logFile,
      },
      ctx.log,
      applicationId,
      sources,
      guarantee === 'exactly-once',
    )
  const phase = async (from: number): Promise<{ p: Processing; closeS: number }> => {
    const proc = launch()
    try {
      const p = await proc.processUntil(await endRecords(ctx.log, sources), from, logFile)
      return { p, closeS: await proc.stop() }
    } catch (err) {
      await proc.stop(10_000)
      throw err
    }
  }

  let main: { p: Processing; closeS: number }
  let fresh: { p: Processing } | undefined
  let restore: { restore_s: number; restore_rps: number } | { restore_note: string } | undefined
  if (!tableFirst) main = await phase(0)
  else {
    // Load the table, stop; write the stream; restart on the local state: the measured phase.
    // While the join's table loads, each stream partition holds one record whose key is in no
    // table (it joins nothing): the peers do not process a task while one of its partitions has
    // never been fetched with data (seen with Kafka Streams 4.1, Quix and @kafkats/flow), and
    // would wait forever.
    if (join_) await primeStream(ctx.log, input)
    fresh = await phase(0)
    const loaded = await endRecords(ctx.log, sources)
    await preload(ctx.log, input, join_ ? ctx.inputs.joinStream('main') : ctx.inputs.orders())
    main = await phase(loaded)
  }
  if (join_) {
    // Then stop, delete the local state, add a few records and restart: restore.
    rmSync(stateDir, { recursive: true, force: true })
    mkdirSync(stateDir, { recursive: true })
    await preload(ctx.log, input, ctx.inputs.joinStream('after-restore'))
    const restored = await phase((await endRecords(ctx.log, sources)) - AFTER_RESTORE)
    // Restore time: the start-up it adds to a start without it. A system that restores at every
    // start did so on the warm restart too; its baseline is the first, fresh start (no state).
    const fromFresh = system.restoresAtEveryStart === true
    const baseline = fromFresh ? fresh!.p : main.p
    const restoreS = restored.p.startupS - baseline.startupS
    // At or below zero the restore hid in start-up noise (small tables): no figure rather than a
    // wrong one, but both start-ups.
    restore =
      restoreS > 0
        ? { restore_s: round3(restoreS), restore_rps: Math.round(ctx.inputs.records / restoreS) }
        : {
            restore_note:
              `restore not timed: the start with local state deleted (${restored.p.startupS.toFixed(1)} s) was no slower ` +
              `than ${fromFresh ? 'the first, fresh start' : 'the restart on local state'} (${baseline.startupS.toFixed(1)} s)`,
          }
  }

  const output = await readCommitted(ctx.log, env.output)
  const digest = orders
    ? {
        ...outputDigest.rows(output),
        ...outputDigest.sideOutputs(
          await readCommitted(ctx.log, `${env.output}-outbox`),
          await readCommitted(ctx.log, `${env.output}-dlq`),
        ),
      }
    : pickDigest(scenario, output)
  const problems = check(ctx, scenario, system, digest)
  if (process.env['BENCH_KEEP'] === undefined)
    await cleanUp(ctx.log, applicationId, stateDir, tableFirst ? [input] : [])
  const { p } = main
  if (p.records === 0)
    throw new Error('everything was committed at the first commit seen: too few records to time')
  return {
    scenario,
    system: system.system,
    variant: system.variant,
    guarantee,
    round,
    records: p.records,
    throughput_rps: Math.round(p.records / p.seconds),
    cpu_s_per_million: round3((p.cpuS / p.records) * 1e6),
    peak_rss_mb: p.peakRssMb,
    startup_s: round3(p.startupS),
    close_s: round3(main.closeS),
    ...restore,
    verified: problems.length === 0,
    problems,
  }
}

/** One record per partition of the join's stream, keyed outside the table, after it in time. */
async function primeStream(log: Log, topic: string): Promise<void> {
  const producer = await log.producer()
  await producer.send(
    Array.from({ length: PARTITIONS }, (_, partition) => ({
      topic,
      partition,
      key: Buffer.from(`no-such-row-${partition}`),
      value: Buffer.from(JSON.stringify({ id: -1, amount: 0, region: 'eu' })),
      timestamp: BASE_TIME,
    })),
  )
  await producer.close()
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000
const shortHash = (s: string): string => createHash('sha1').update(s).digest('hex').slice(0, 8)

function pickDigest(scenario: StreamingScenario, records: Parameters<typeof outputDigest.table>[0]): Digest {
  if (scenario === 'stateless') return outputDigest.stateless(records)
  if (scenario === 'join-restore') return outputDigest.join(records)
  return outputDigest.table(records)
}

/** Against the plain computation where there is one, else against Tributary's output. */
function check(ctx: RunContext, scenario: StreamingScenario, system: System, digest: Digest): string[] {
  // With a record cache, updates of a key are folded: only final values are comparable.
  const cached = system.variant.includes('cache') && !system.variant.includes('cache off')
  const ignoreRecords = cached && (scenario.startsWith('count') || scenario === 'order-analytics')
  let expected = ctx.inputs.expected(scenario)
  if (expected === undefined) {
    if (system.system === 'tributary' && !ctx.reference.has(scenario)) ctx.reference.set(scenario, digest)
    expected = ctx.reference.get(scenario)
    if (expected === undefined) return ['no Tributary run to compare with']
  }
  return digestMismatch(digest, expected, ignoreRecords)
}

async function cleanUp(log: Log, applicationId: string, stateDir: string, own: string[]): Promise<void> {
  rmSync(stateDir, { recursive: true, force: true })
  const mine = (await log.admin.listTopics()).filter((t) => t.includes(applicationId) || own.includes(t))
  if (mine.length > 0) await log.admin.deleteTopics(mine)
}
