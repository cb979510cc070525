// The benchmark topologies in Tributary's DSL, written as a user would from its README. Each
// peer in bench/peers/ builds the same ones; bench/harness/digests.ts checks they agree.
import {
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  type Topology as TributaryTopology,
} from 'tributary-streams'
import { orderAnalyticsTopology } from '../../apps/order-analytics/src/topology/index.ts'
import type { RunnerEnv } from './runner-env.ts'

interface Event {
  readonly id: number
  readonly amount: number
  readonly region: string
}
interface TableRow {
  readonly name: string
  readonly tier: number
}

const str = Serdes.string()
const WINDOW_MS = 60_000

export function benchTopology(env: RunnerEnv): TributaryTopology {
  if (env.topology === 'order-analytics')
    return orderAnalyticsTopology({
      ...(env.graceMs === undefined ? {} : { graceMs: env.graceMs }),
      topics: {
        usersRaw: env.table,
        ordersRaw: env.input,
        ordersProcessed: env.output,
        ordersOutbox: `${env.output}-outbox`,
        ordersDlq: `${env.output}-dlq`,
        ordersSinkDlq: `${env.output}-sink-dlq`,
      },
    })
  const builder = new StreamsBuilder()
  const events = () => builder.stream(env.input, { key: str, value: Serdes.json<Event>() })
  switch (env.topology) {
    case 'stateless':
      events()
        .filter((_k, e) => e.amount >= 100)
        .mapValues((e) => ({ id: e.id, cents: e.amount * 100, region: e.region.toUpperCase() }))
        .to(env.output, { key: str, value: Serdes.json() })
      break
    case 'count':
      events()
        .groupByKey()
        .count({ name: 'counts' })
        .toStream()
        .mapValues((n) => String(n))
        .to(env.output, { key: str, value: str })
      break
    case 'windowed':
      events()
        .groupByKey()
        .windowedBy(TimeWindows.ofSizeAndGrace(WINDOW_MS, 0))
        .count({ name: 'window-counts' })
        .suppress(Suppressed.untilWindowCloses())
        .toStream()
        .map((wk, n): [string, string] => [`${wk.key}@${wk.window.start}`, String(n)])
        .to(env.output, { key: str, value: str })
      break
    case 'join': {
      const table = builder.table(env.table, { key: str, value: Serdes.json<TableRow>() }, { name: 'table' })
      events()
        .join(table, (e, row) => ({ id: e.id, amount: e.amount, tier: row.tier }))
        .to(env.output, { key: str, value: Serdes.json() })
      break
    }
    default:
      throw new Error(`no Tributary topology ${env.topology}`)
  }
  return builder.build()
}
