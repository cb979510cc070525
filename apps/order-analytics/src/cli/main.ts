// order-analytics: the CLI of the pipeline (issue 5). `order-analytics help` lists the commands.
import { parseArgs } from 'node:util'
import type { AppContext } from '../context.ts'
import { dashboard, generate, init, producer, runReplay, sink, streams, type Closeable } from './commands.ts'
import { contextFromEnv } from './context-from-env.ts'

const USAGE = `usage: order-analytics <command> [options]

  init                        create the topics and the table (idempotent)
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
ORDERS_TOPIC_PREFIX, ORDERS_PARTITIONS, ORDERS_GRACE_MS, ORDERS_DEDUPE_RETENTION_MS, TRIBUTARY_INSTANCE_ID`

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

/** Runs jobs on one context until SIGINT/SIGTERM, then closes them in reverse order and the log. */
async function serve(
  ctx: AppContext,
  start: Array<(ctx: AppContext) => Promise<Closeable> | Closeable>,
): Promise<void> {
  const running: Closeable[] = []
  let stopping = false
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true
      for (const job of running.reverse()) await job.close().catch((err) => console.error(err))
      await ctx.log.close()
    }
    process.exit(code)
  }
  process.on('SIGINT', () => void stop(0))
  process.on('SIGTERM', () => void stop(0))
  try {
    for (const job of start) running.push(await job(ctx))
  } catch (err) {
    console.error(err instanceof Error ? err.message : err)
    await stop(1)
  }
  ctx.streams?.done.catch(async (err) => {
    console.error(`streams failed: ${String(err)}`)
    await stop(1)
  })
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
    case 'producer':
      return serve(await contextFromEnv(), [(ctx) => producer(ctx, rate, seed, maxOrders)])
    case 'streams':
      return serve(await contextFromEnv(), [streams])
    case 'sink':
      return serve(await contextFromEnv(), [sink])
    case 'dashboard':
      return serve(await contextFromEnv(), [dashboard])
    case 'all':
      return serve(await contextFromEnv(), [
        async (ctx) => {
          await init(ctx)
          return { close: async () => {} }
        },
        streams,
        sink,
        dashboard,
        (ctx) => producer(ctx, rate, seed, maxOrders),
      ])
    default:
      console.error(`unknown command ${command}\n\n${USAGE}`)
      process.exitCode = 2
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err)
  process.exit(1)
})
