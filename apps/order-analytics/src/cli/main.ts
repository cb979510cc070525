// order-analytics: the CLI of the pipeline. `order-analytics --help` lists the commands,
// `order-analytics <command> --help` explains one.
import { readFileSync } from 'node:fs'
import { Command, Option } from 'commander'
import { dashboard, generate, init, producer, runReplay, sink, streams } from './commands.ts'
import { contextFromEnv } from './context-from-env.ts'
import { integerAtLeast, positiveNumber, runCommandLine } from './run-command-line.ts'
import { serve } from './serve.ts'

const ENVIRONMENT = `
Environment:
  KAFKA_BROKERS               Kafka bootstrap servers (host:port,...); unset: the embedded log
  DATABASE_URL                PostgreSQL for the sink; unset: embedded PGlite
  TRIBUTARY_DATA_DIR          data directory (default .data/order-analytics)
  TRIBUTARY_APPLICATION_ID    application id (default order-analytics)
  TRIBUTARY_INSTANCE_ID       one per streams process on Kafka
  PORT                        dashboard port (default 3000)
  ORDERS_TOPIC_PREFIX, ORDERS_PARTITIONS (default 4), ORDERS_GRACE_MS (default 30000),
  ORDERS_DEDUPE_RETENTION_MS (default 24 h), TRIBUTARY_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS
  (default 1 day), ORDERS_FORMAT (json|avro), SCHEMA_REGISTRY_URL, ORDERS_AVRO_VERSION (1|2)`

const examples = (...lines: string[]): string => `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}`

interface ProducerOptions {
  readonly rate: number
  readonly seed: number
  readonly maxOrders?: number
}

/** --rate, --seed and --max-orders, shared by `producer` and `all`. */
const producerOptions = (command: Command): Command =>
  command
    .addOption(new Option('-r, --rate <orders/s>', 'orders per second').argParser(positiveNumber).default(20))
    .addOption(
      new Option('-s, --seed <n>', 'random seed of the generated data')
        .argParser(integerAtLeast(0))
        .default(1),
    )
    .addOption(new Option('-n, --max-orders <n>', 'stop after this many orders').argParser(integerAtLeast(1)))

/** The `order-analytics` command; nothing runs (no log, no database) until a command's action. */
export function orderAnalyticsProgram(): Command {
  const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    version: string
  }
  const program = new Command('order-analytics')
    .description('The order-analytics pipeline on Tributary: producers, streams, sink and live dashboard')
    .version(version, '-V, --version', 'print the version')
    .addHelpText(
      'after',
      `${ENVIRONMENT}\n\nRun 'order-analytics <command> --help' for a command's options and examples.`,
    )

  program
    .command('init')
    .description(
      'create the topics and the revenue table; with ORDERS_FORMAT=avro register the schemas (idempotent)',
    )
    .addHelpText(
      'after',
      examples(
        'order-analytics init',
        'ORDERS_PARTITIONS=8 KAFKA_BROKERS=localhost:9092 order-analytics init',
      ),
    )
    .action(async () => {
      const ctx = await contextFromEnv()
      try {
        await init(ctx)
      } finally {
        await ctx.log.close()
      }
    })

  producerOptions(program.command('producer'))
    .description('generate users and orders, transactionally, until stopped (or --max-orders)')
    .addHelpText(
      'after',
      examples('order-analytics producer --rate 50 --seed 1', 'order-analytics producer --max-orders 1000'),
    )
    .action(async (o: ProducerOptions) => {
      const ctx = await contextFromEnv()
      const job = producer(ctx, o.rate, o.seed, o.maxOrders)
      const stop = await serve(ctx, [() => job])
      // With --max-orders the producer ends by itself, and so does the process (a failure: serve).
      job.done.then(
        () => stop(0),
        () => {},
      )
    })

  const job = (name: string, description: string, start: Parameters<typeof serve>[1][number]) =>
    program
      .command(name)
      .description(description)
      .addHelpText(
        'after',
        examples(`order-analytics ${name}`, `KAFKA_BROKERS=localhost:9092 order-analytics ${name}`),
      )
      .action(async () => {
        await serve(await contextFromEnv(), [start])
      })
  job('streams', 'run the topology (orders-raw, users-raw -> orders-processed, orders-outbox)', streams)
  job('sink', 'upsert orders-processed into the table revenue_per_minute', sink)
  job('dashboard', 'serve the live dashboard on $PORT', dashboard)

  producerOptions(program.command('all'))
    .description(
      'everything in one process: init, streams, sink, dashboard and producer (what npm start runs)',
    )
    .addHelpText('after', examples('order-analytics all', 'PORT=8080 order-analytics all --rate 100'))
    .action(async (o: ProducerOptions) => {
      await serve(await contextFromEnv(), [
        async (ctx) => {
          await init(ctx)
          return { close: async () => {} }
        },
        streams,
        sink,
        dashboard,
        (ctx) => producer(ctx, o.rate, o.seed, o.maxOrders),
      ])
    })

  program
    .command('replay')
    .description('feed JSONL files through the pipeline on a fresh data directory and write the table as CSV')
    .requiredOption('--users <file>', 'users, one JSON envelope a line')
    .requiredOption('--orders <file>', 'orders, one JSON envelope a line')
    .requiredOption('--out <csv>', 'where to write revenue_per_minute')
    .option('--dlq <file>', 'write the dead-lettered records here (JSONL)')
    .option('--no-sink', 'skip the Postgres sink: write the table from orders-processed (faster, same rows)')
    .option('--keep', 'keep the temporary data directory (its path is printed)')
    .addHelpText(
      'after',
      examples(
        'order-analytics replay --users data/users.jsonl --orders data/orders.jsonl --out table.csv --dlq dlq.jsonl',
      ),
    )
    .action(
      (o: { users: string; orders: string; out: string; dlq?: string; sink: boolean; keep?: boolean }) =>
        runReplay({ ...o, noSink: !o.sink, keep: o.keep === true }),
    )

  program
    .command('generate')
    .description('write a replayable data set (users.jsonl, orders.jsonl) into a folder')
    .requiredOption('--out-dir <dir>', 'folder to write (created if missing)')
    .addOption(new Option('--users <n>', 'users').argParser(integerAtLeast(1)).default(10_000))
    .addOption(new Option('--orders <n>', 'orders').argParser(integerAtLeast(0)).default(200_000))
    .addOption(new Option('-s, --seed <n>', 'random seed').argParser(integerAtLeast(0)).default(1))
    .addHelpText(
      'after',
      examples('order-analytics generate --out-dir data --users 10000 --orders 200000 --seed 42'),
    )
    .action((o: { outDir: string; users: number; orders: number; seed: number }) =>
      generate(o.outDir, { seed: o.seed, users: o.users, orders: o.orders }),
    )
  return program
}

export function main(argv: readonly string[]): Promise<number> {
  return runCommandLine(orderAnalyticsProgram(), argv)
}
