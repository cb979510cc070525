// The @kafkats/flow peer of the benchmark harness: runs one benchmark topology (the same as
// bench/systems/tributary-topologies.ts) until SIGTERM, then closes the app. Settings come from
// the harness's BENCH_* environment variables; the rest are the library's defaults (in-memory
// stores backed by changelog topics), with its exactly_once setting for exactly-once.
import { flow, json, string } from '@kafkats/flow'

const env = process.env
const app = flow({
  applicationId: env.BENCH_APP_ID,
  client: { brokers: [env.BENCH_BROKERS], clientId: env.BENCH_APP_ID },
  processingGuarantee: env.BENCH_GUARANTEE === 'exactly-once' ? 'exactly_once' : 'at_least_once',
  commitIntervalMs: Number(env.BENCH_COMMIT_INTERVAL_MS),
  stateDir: env.BENCH_STATE_DIR,
  // @kafkats/client 0.12 hands a partition's records out of order when a drain of its fetch buffer
  // stops inside one fetch (FetchBuffer.drain puts the partial fetch behind the next fetch of the
  // same partition) and commits the highest offset handed out, past records not yet processed.
  // A drain limit above any fetch's record count (1 MB ≈ 17,800 bench records) never stops inside one.
  consumer: { maxRecords: 1_000_000 },
})
const events = () => app.stream(env.BENCH_INPUT, { key: string(), value: json(), offsetReset: 'earliest' })

switch (env.BENCH_TOPOLOGY) {
  case 'stateless':
    events()
      .filter((_k, e) => e.amount >= 100)
      .mapValues((e) => ({ id: e.id, cents: e.amount * 100, region: e.region.toUpperCase() }))
      .to(env.BENCH_OUTPUT, { key: string(), value: json() })
    break
  case 'count':
    events()
      .groupByKey({ key: string(), value: json() })
      .count({ storeName: 'counts', key: string() })
      .toStream()
      .mapValues((n) => String(n))
      .to(env.BENCH_OUTPUT, { key: string(), value: string() })
    break
  case 'join': {
    const table = app.table(env.BENCH_TABLE, {
      key: string(),
      value: json(),
      offsetReset: 'earliest',
      materialized: { storeName: 'table', key: string(), value: json() },
    })
    events()
      .join(table, (e, row) => ({ id: e.id, amount: e.amount, tier: row.tier }))
      .to(env.BENCH_OUTPUT, { key: string(), value: json() })
    break
  }
  default:
    console.error(`no @kafkats/flow topology ${env.BENCH_TOPOLOGY}`)
    process.exit(2)
}

let closing = false
process.on('SIGTERM', () => {
  if (closing) return
  closing = true
  app.close().then(
    () => process.exit(0),
    (err) => {
      console.error(err)
      process.exit(1)
    },
  )
})
await app.start()
