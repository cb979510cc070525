import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import type { Log } from 'tributary-streams'
import type { KafkaLog } from 'tributary-streams/kafka'
import { Instance, expectedStats, lastStats, produce } from './chaos-harness.ts'
import { connectKafka, readTopic, sleep, unique, until } from './kafka-helpers.ts'

// Modelled on Kafka's streams EOS system test (StreamsEosTest / streams_eos_test.py): a continuous
// producer, application instances in separate processes killed with SIGKILL and restarted, joining
// and leaving gracefully; then, read_committed, the echo equals the input partition by partition
// (0 duplicates, 0 lost, order kept), the aggregates are exact and no transaction is left open.
//   CHAOS_RECORDS (default 100000), CHAOS_RATE records/s (default 2500),
//   CHAOS_BROKER_RECORDS for the broker-kill variant (default 30000).
const RECORDS = Number(process.env['CHAOS_RECORDS'] ?? 100_000)
const RATE = Number(process.env['CHAOS_RATE'] ?? 2_500)
const BROKER_RECORDS = Number(process.env['CHAOS_BROKER_RECORDS'] ?? 30_000)
const PARTITIONS = 4
const ROOT = join(import.meta.dirname, '..', '..', '..', '..', '..')

interface Run {
  readonly log: KafkaLog
  readonly id: string
  readonly topics: { input: string; echo: string; stats: string }
  readonly events: string[]
  instance(name: string): Instance
}

/** Every instance started, so a failed test can SIGKILL what it left running. */
const spawned: Instance[] = []

async function setUp(dir: string, log: KafkaLog): Promise<Run> {
  const id = unique('eos-chaos')
  const topics = { input: `${id}-input`, echo: `${id}-echo`, stats: `${id}-stats` }
  await log.admin.createTopics(Object.values(topics).map((name) => ({ name, partitions: PARTITIONS })))
  const events: string[] = []
  const started = Date.now()
  const onEvent = (e: string): void => {
    events.push(`${((Date.now() - started) / 1000).toFixed(1)}s ${e}`)
    if (process.env['CHAOS_VERBOSE']) console.log(events.at(-1))
  }
  return {
    log,
    id,
    topics,
    events,
    instance: (name) => {
      const instance = new Instance(
        name,
        [id, join(dir, id, name), topics.input, topics.echo, topics.stats],
        onEvent,
      )
      spawned.push(instance)
      return instance
    },
  }
}

/**
 * Waits until the group has committed every input record and its repartition offsets have stopped
 * moving (their end offsets include transaction markers, so they are not compared with them).
 */
async function caughtUp(log: Log, id: string, input: string, timeoutMs: number): Promise<void> {
  const repartition = (await log.admin.listTopics()).find(
    (t) => t.startsWith(id) && t.endsWith('-repartition'),
  )!
  const part = (topic: string) => Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }))
  const sum = (offsets: readonly { offset: number }[]) => offsets.reduce((n, o) => n + o.offset, 0)
  let last = -1
  await until(
    async () => {
      const end = sum(await log.admin.endOffsets(part(input)))
      const committed = sum(await log.admin.committedOffsets(id, part(input)))
      const downstream = sum(await log.admin.committedOffsets(id, part(repartition)))
      const settled = committed === end && downstream === last
      last = downstream
      if (!settled) await sleep(1_000)
      return settled
    },
    'the application to commit all input',
    timeoutMs,
  )
}

/** The checks of the system test; returns figures for the report. */
async function verify(run: Run): Promise<Record<string, number>> {
  const { log, topics, id } = run
  const inputs = await readTopic(log, topics.input)
  const echoes = await readTopic(log, topics.echo)
  let duplicates = 0
  let lost = 0
  for (let p = 0; p < PARTITIONS; p++) {
    const want = inputs.filter((r) => r.partition === p).map((r) => r.value!.readDoubleBE(0))
    const got = echoes.filter((r) => r.partition === p).map((r) => r.value!.readDoubleBE(0))
    const seen = new Set(got)
    duplicates += got.length - seen.size
    lost += want.filter((v) => !seen.has(v)).length
    assert.deepEqual(got, want, `echo of partition ${p} equals its input (order kept)`)
  }
  assert.equal(duplicates, 0)
  assert.equal(lost, 0)
  const want = expectedStats(inputs)
  const got = lastStats(await readTopic(log, topics.stats))
  assert.deepEqual(Object.fromEntries(got), Object.fromEntries(want), 'count/sum/min/max per key exact')
  // No transaction left open: every output and internal partition's last stable offset is its end.
  const names = (await log.admin.listTopics()).filter((t) => t.startsWith(id))
  const tps = (await log.admin.describeTopics(names)).flatMap((d) =>
    Array.from({ length: d.partitions }, (_, partition) => ({ topic: d.name, partition })),
  )
  const stable = await log.admin.endOffsets(tps, 'read_committed')
  const high = await log.admin.endOffsets(tps, 'read_uncommitted')
  const open = tps.filter((_, i) => stable[i]!.offset !== high[i]!.offset)
  assert.deepEqual(open, [], 'no partition has an open transaction')
  return { inputs: inputs.length, echoes: echoes.length, duplicates, lost, groups: got.size }
}

describe('exactly-once on Kafka under chaos', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-chaos-'))
  const logs: KafkaLog[] = []
  const done = new AbortController() // stops producers a failed test left running
  after(async () => {
    done.abort()
    await Promise.all(spawned.filter((i) => i.running).map((i) => i.kill()))
    await Promise.all(logs.map((l) => l.close()))
    if (process.env['CHAOS_KEEP']) console.log(`instance data and logs kept in ${dir}`)
    else rmSync(dir, { recursive: true, force: true })
  })

  it(`keeps every record exactly once through SIGKILLs, restarts, joins and leaves (${RECORDS} records)`, async () => {
    const log = await connectKafka()
    logs.push(log)
    const run = await setUp(dir, log)
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((n) => run.instance(n)) as [
      Instance,
      Instance,
      Instance,
      Instance,
    ]
    const t0 = Date.now()
    await Promise.all([a.start(), b.start(), c.start()])
    const progress = { sent: 0 }
    const producing = produce(log, run.topics.input, RECORDS, RATE, progress, done.signal)
    const at = (fraction: number) =>
      until(() => progress.sent >= RECORDS * fraction, `${fraction} sent`, 600_000)
    let kills = 0
    const kill = async (i: Instance, downMs: number) => {
      await i.kill()
      kills++
      await sleep(downMs)
      await i.start()
    }
    await at(0.1)
    await kill(a, 1_000)
    await at(0.25)
    await b.stop()
    await d.start()
    await at(0.4)
    await kill(c, 2_000)
    await at(0.55)
    await b.start()
    await d.stop()
    await at(0.7)
    await kill(a, 500)
    await at(0.85)
    await kill(b, 1_500)
    await producing
    await caughtUp(log, run.id, run.topics.input, 300_000)
    await Promise.all([a.stop(), b.stop(), c.stop()])
    const figures = await verify(run)
    const seconds = (Date.now() - t0) / 1000
    console.log(JSON.stringify({ variant: 'instances', kills, ...figures, seconds }))
    console.log(run.events.join('\n'))
    assert.ok(kills >= 3)
    assert.ok(figures['inputs']! >= RECORDS)
  })

  it(`recovers from a broker SIGKILL and restart with nothing lost or doubled (${BROKER_RECORDS} records)`, async () => {
    const pidFile = join(ROOT, '.kafka', 'kafka.pid')
    const log = await connectKafka()
    logs.push(log)
    const run = await setUp(dir, log)
    const [a, b] = ['a', 'b'].map((n) => run.instance(n)) as [Instance, Instance]
    const t0 = Date.now()
    await Promise.all([a.start(), b.start()])
    const progress = { sent: 0 }
    const producing = produce(log, run.topics.input, BROKER_RECORDS, RATE, progress, done.signal)
    await until(() => progress.sent >= BROKER_RECORDS * 0.4, '40% sent', 600_000)
    const pid = Number(readFileSync(pidFile, 'utf8'))
    process.kill(pid, 'SIGKILL')
    run.events.push(`broker ${pid} SIGKILLed`)
    await sleep(2_000)
    // After a SIGKILL the broker recovers every partition it holds (in CI, those of the whole
    // suite: thousands), which at a high load takes longer than a fresh start's 60 s.
    execFileSync(join(ROOT, 'scripts', 'kafka-start.sh'), {
      stdio: 'ignore',
      env: { ...process.env, KAFKA_READY_TIMEOUT: '300' },
    })
    run.events.push('broker restarted')
    await producing
    await caughtUp(log, run.id, run.topics.input, 300_000)
    await Promise.all([a.stop(), b.stop()])
    const figures = await verify(run)
    console.log(JSON.stringify({ variant: 'broker', ...figures, seconds: (Date.now() - t0) / 1000 }))
    console.log(run.events.join('\n'))
  })
})
