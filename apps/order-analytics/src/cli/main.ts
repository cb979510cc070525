// order-analytics: the CLI of the pipeline (issue 5). `order-analytics help` lists the commands.
import { parseArgs } from 'node:util'
import type { AppContext } from '../context.ts'
import { dashboard, generate, init, producer, runReplay, sink, streams, type Closeable } from './commands.ts'
import { contextFromEnv } from './context-from-env.ts'

const USAGE = `usage: order-analytics <command> [options]

  init                        create the topics and the table, with ORDERS_FORMAT=avro register the schemas (idempotent)
  producer [--rate N] [--seed S] [--max-orders N]
                              generate users and orders at N orders/s (default 20), transactionally
  streams                     run the topology
  sink                        upsert orders-processed into revenue_per_minute
  dashboard                   serve the live dashboard on $PORT
  all [--rate N] [--seed S]   everything in one process (what npm start runs)
  replay --users FILE --orders FILE --out CSV [--dlq FILE] [--no-sink] [--keep]
                              feed JSONL files through the pipeline on a fresh data directory
  generate --out-dir DIR [--users N] [--orders N] [--seed S]
                              write a replayable data set (users.jsonl, orders.jsonl)

environment: KAFKA_BROKERS, DATABASE_URL, TRIBUTARY_DATA_DIR, TRIBUTARY_APPLICATION_ID, PORT,
ORDERS_TOPIC_PREFIX, ORDERS_PARTITIONS, ORDERS_GRACE_MS, ORDERS_DEDUPE_RETENTION_MS, TRIBUTARY_INSTANCE_ID,
ORDERS_FORMAT (json|avro), SCHEMA_REGISTRY_URL, ORDERS_AVRO_VERSION (1|2)`

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    rate: { type: 'string' },
    seed: { type: 'string' },
    'max-orders': { type: 'string' },
    users: { type: 'string' },
    orders: { type: 'string' },
    out: { type: 'string' },
    dlq: { type: 'string' },
    'out-dir': { type: 'string' },
    'no-sink': { type: 'boolean' },
    keep: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
})

const num = (name: string, fallback: number): number => {
  const raw = values[name as keyof typeof values]
  if (raw === undefined) return fallback
  const n = Number(raw)
  if (!Number.isFinite(n) || n < 0) throw new Error(`--${name} must be a number >= 0, got ${String(raw)}`)
  return n
}

/**
 * Runs jobs on one context until SIGINT/SIGTERM, then closes them in reverse order and the log.
 * Returns `stop` (idempotent: the first call's exit code wins) for jobs that end by themselves.
 */
async function serve(
  ctx: AppContext,
  start: Array<(ctx: AppContext) => Promise<Closeable> | Closeable>,
): Promise<(code: number) => Promise<never>> {
  const running: Closeable[] = []
  let stopping: Promise<never> | undefined
  const stop = (code: number): Promise<never> =>
    (stopping ??= (async () => {
      for (const job of running.reverse()) await job.close().catch((err) => console.error(err))
      await ctx.log.close()
      process.exit(code)
    })())
  process.on('SIGINT', () => void stop(0))
  process.on('SIGTERM', () => void stop(0))
  try {
    for (const start1 of start) {
      const job = await start1(ctx)
      running.push(job)
      job.done?.catch(async (err: unknown) => {
        console.error(`job failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`)
        await stop(1)
      })
    }
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    await stop(1)
  }
  ctx.streams?.done.catch(async (err) => {
    console.error(`streams failed: ${String(err)}`)
    await stop(1)
  })
  return stop
}

async function main(): Promise<void> {
  const command = positionals[0]
  if (command === undefined || command === 'help' || values.help) {
    console.log(USAGE)
    return
  }
  const rate = num('rate', 20)
  const seed = num('seed', 1)
  const maxOrders = values['max-orders'] === undefined ? undefined : num('max-orders', 0)
  switch (command) {
    case 'replay':
      return runReplay(values)
    case 'generate': {
      const dir = values['out-dir']
      if (!dir) throw new Error('generate needs --out-dir DIR')
      return generate(dir, { seed, users: num('users', 10_000), orders: num('orders', 200_000) })
    }
    case 'init': {
      const ctx = await contextFromEnv()
      try {
        await init(ctx)
      } finally {
        await ctx.log.close()
      }
      return
    }
    case 'producer': {
      const ctx = await contextFromEnv()
      const job = producer(ctx, rate, seed, maxOrders)
      const stop = await serve(ctx, [() => job])
      // With --max-orders the producer ends by itself, and so does the process (a failure: serve).
      job.done.then(
        async (state) => {
          console.log(`producer: done, ${state.orders} orders, ${state.users} users sent`)
          await stop(0)
        },
        () => {},
      )
      return
    }
    case 'streams':
      await serve(await contextFromEnv(), [streams])
      return
    case 'sink':
      await serve(await contextFromEnv(), [sink])
      return
    case 'dashboard':
      await serve(await contextFromEnv(), [dashboard])
      return
    case 'all':
      await serve(await contextFromEnv(), [
        async (ctx) => {
          await init(ctx)
          return { close: async () => {} }
        },
        streams,
        sink,
        dashboard,
        (ctx) => producer(ctx, rate, seed, maxOrders),
      ])
      return
    default:
      console.error(`unknown command ${command}\n\n${USAGE}`)
      process.exitCode = 2
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err)
  process.exit(1)
})
