import assert from 'node:assert/strict'
import { join } from 'node:path'
import {
  Serdes,
  StreamsApp,
  StreamsBuilder,
  type ConsumerRecord,
  type Log,
  type Logger,
} from 'tributary-streams'

const str = Serdes.string()
const num = Serdes.number()
type Agg = { count: number; sum: number }

/** Echo, a join with a co-partitioned table, and a per-key count/sum. */
function topology(t: Topics) {
  const builder = new StreamsBuilder()
  const input = builder.stream(t.input, { key: str, value: num })
  input.to(t.echo, { key: str, value: num })
  const labels = builder.table(t.labels, { key: str, value: str }, { name: 'labels' })
  input
    .leftJoin(labels, (value, label) => ({ value, label: label ?? '' }))
    .groupByKey({ key: str, value: Serdes.json<{ value: number; label: string }>() })
    .aggregate(
      (): Agg => ({ count: 0, sum: 0 }),
      (_k, v, agg) => ({ count: agg.count + 1, sum: agg.sum + v.value }),
      { name: 'sums', value: Serdes.json<Agg>() },
    )
    .toStream()
    .to(t.sums, { key: str, value: Serdes.json<Agg>() })
  return builder.build()
}

interface Topics {
  input: string
  labels: string
  echo: string
  sums: string
}

export interface ScenarioEnv {
  readonly log: Log
  readonly dir: string
  readonly id: string
  readonly logger: Logger
  /** Reads a whole topic (read_committed). */
  readAll(topic: string): Promise<ConsumerRecord[]>
  readonly timeoutMs: number
}

const until = async (check: () => boolean | Promise<boolean>, what: string, ms: number): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

/**
 * Two, then three, then two instances of one application (same id, separate StreamsApp objects and
 * data directories): tasks spread over them, moved tasks restore from the changelog, and the
 * results are exact (exactly-once) after every join and leave.
 */
export async function multiInstanceScenario(env: ScenarioEnv): Promise<void> {
  const { log, id } = env
  const t: Topics = { input: `${id}-in`, labels: `${id}-labels`, echo: `${id}-echo`, sums: `${id}-sums` }
  await log.admin.createTopics(Object.values(t).map((name) => ({ name, partitions: 4 })))
  const producer = await log.producer()
  await producer.send(
    ['k0', 'k1', 'k2'].map((k) => ({
      topic: t.labels,
      key: str.serialize(k, ''),
      value: str.serialize(`L${k}`, ''),
    })),
  )
  const expected = new Map<string, Agg>()
  let sent = 0
  const sendBatch = async (n: number): Promise<void> => {
    const records = Array.from({ length: n }, () => {
      const key = `k${sent % 41}`
      const value = sent++
      const agg = expected.get(key) ?? { count: 0, sum: 0 }
      expected.set(key, { count: agg.count + 1, sum: agg.sum + value })
      return { topic: t.input, key: str.serialize(key, ''), value: num.serialize(value, '') }
    })
    await producer.send(records)
  }
  const make = (name: string) =>
    new StreamsApp(topology(t), {
      applicationId: id,
      dataDir: join(env.dir, name),
      log,
      processingGuarantee: 'exactly-once',
      commitIntervalMs: 50,
      logger: env.logger,
    })
  const exact = async (): Promise<boolean> => {
    const last = new Map<string, Agg>()
    for (const r of await env.readAll(t.sums)) last.set(r.key!.toString(), JSON.parse(r.value!.toString()))
    return [...expected].every(([k, v]) => last.get(k)?.count === v.count && last.get(k)?.sum === v.sum)
  }
  const totalTasks = (apps: StreamsApp[]) => apps.reduce((n, a) => n + a.metrics().tasks, 0)

  const a = make('a')
  const b = make('b')
  await Promise.all([a.start(), b.start()])
  await sendBatch(400)
  await until(exact, 'exact sums with two instances', env.timeoutMs)
  // 4 tasks of the join-and-aggregate sub-topology (the echo is part of it): 2 + 2 once the group
  // settles (a snapshot taken mid-rebalance may see a task still being assigned).
  await until(
    () => a.metrics().tasks === 2 && b.metrics().tasks === 2,
    'two tasks on each instance',
    env.timeoutMs,
  )
  assert.ok(a.instanceId !== b.instanceId && a.instanceId.length > 0, 'distinct default instance ids')

  const c = make('c')
  await c.start()
  await until(
    () => c.metrics().tasks > 0 && totalTasks([a, b, c]) === 4,
    'the newcomer gets a task',
    env.timeoutMs,
  )
  await sendBatch(400)
  await until(exact, 'exact sums after a join', env.timeoutMs)
  assert.ok(
    c.metrics().restoredRecords > 0,
    'the newcomer restored its task from the changelog: ' +
      JSON.stringify([a.metrics(), b.metrics(), c.metrics()]),
  )

  await a.close()
  await until(
    () => totalTasks([b, c]) === 4 && b.metrics().tasks === 2,
    'tasks of the leaver move',
    env.timeoutMs,
  )
  await sendBatch(400)
  await until(exact, 'exact sums after a leave', env.timeoutMs)
  await Promise.all([b.close(), c.close()])
  await producer.close()

  const inputs = await env.readAll(t.input)
  const echoes = await env.readAll(t.echo)
  for (let p = 0; p < 4; p++) {
    const want = inputs.filter((r) => r.partition === p).map((r) => r.value!.readDoubleBE(0))
    const got = echoes.filter((r) => r.partition === p).map((r) => r.value!.readDoubleBE(0))
    assert.deepEqual(got, want, `echo of partition ${p}: nothing lost, nothing doubled, in order`)
  }
  assert.equal(inputs.length, 1200)
}
