import { createWriteStream, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { once } from 'node:events'
import type { AppContext, AvroSettings } from '../context.ts'
import { orderLines, userLines, type DataSetOptions } from '../generator/data-set.ts'
import { runProducer, type ProducerState } from '../generator/producer.ts'
import { formatSummary, replay, type ReplayOptions } from '../replay/replay.ts'
import { createTopics } from './create-topics.ts'
import { startStreams } from './start-streams.ts'

/** Something a job started and `stop` closes. */
export interface Closeable {
  close(): Promise<void>
  /** Settles when the job stops; a rejection (the job failed by itself) ends the process with code 1. */
  readonly done?: Promise<unknown>
}

export async function init(ctx: AppContext): Promise<void> {
  await createTopics(ctx)
  const { ensureSchema } = await import('../sink/schema.ts')
  await ensureSchema(ctx)
  console.log(
    `init: topics ${Object.values(ctx.topics).join(', ')} (${ctx.partitions} partitions) and table revenue_per_minute are in place`,
  )
  if (ctx.avro !== undefined) await initAvroSchemas(ctx, ctx.avro)
}

/** ORDERS_FORMAT=avro: registers the app's Avro schemas (idempotent); resolves with what is registered. */
export async function initAvroSchemas(
  ctx: Pick<AppContext, 'log' | 'topics'>,
  settings: Pick<AvroSettings, 'registryUrl'>,
): Promise<Array<{ subject: string; version: number; id: number }>> {
  const { openSchemaRegistry, registerAppSchemas } = await import('../contract/avro/registry.ts')
  const open = await openSchemaRegistry(ctx.log, settings)
  try {
    const registered = await registerAppSchemas(open.registry, ctx.topics)
    const where = settings.registryUrl ?? 'the embedded registry (topic _schemas)'
    console.log(
      `init: Avro schemas in ${where}: ${registered.map((r) => `${r.subject} v${r.version} (id ${r.id})`).join(', ')}`,
    )
    return registered.map(({ subject, version, id }) => ({ subject, version, id }))
  } finally {
    await open.close()
  }
}

export async function streams(ctx: AppContext): Promise<Closeable> {
  const s = await startStreams(ctx)
  console.log(`streams: ${ctx.applicationId} running on ${ctx.topics.ordersRaw}, ${ctx.topics.usersRaw}`)
  return s
}

export async function sink(ctx: AppContext): Promise<Closeable> {
  const { startSink } = await import('../sink/start-sink.ts')
  const handle = await startSink(ctx)
  console.log(
    `sink: ${ctx.topics.ordersProcessed} -> revenue_per_minute (${ctx.databaseUrl ? 'PostgreSQL' : 'embedded PGlite'})`,
  )
  return { close: () => handle.close(), done: handle.sink.done }
}

export async function dashboard(ctx: AppContext): Promise<Closeable> {
  // The dashboard is built beside this CLI (src/dashboard/start-dashboard.ts); loaded only when asked for.
  const specifier = '../dashboard/start-dashboard.ts'
  const { startDashboard } = (await import(specifier)) as {
    startDashboard(ctx: AppContext): Promise<{ url: string; close(): Promise<void> }>
  }
  const handle = await startDashboard(ctx)
  console.log(`dashboard: ${handle.url}`)
  return handle
}

/** The producer job; `done` settles when it stops: after `maxOrders` or on `close` (printing
 *  `producer: done, <n> orders, ...`), or on a failure. */
export function producer(
  ctx: AppContext,
  rate: number,
  seed: number,
  maxOrders?: number,
): { close(): Promise<void>; readonly done: Promise<ProducerState> } {
  const abort = new AbortController()
  const done = runProducer(ctx, {
    rate,
    seed,
    signal: abort.signal,
    ...(maxOrders === undefined ? {} : { maxOrders }),
    onProgress: (s) => console.log(`producer: ${s.orders} orders, ${s.users} users sent`),
    onRetry: (err) =>
      console.warn(`producer: log failure, resuming from the committed state: ${String(err)}`),
  })
  console.log(`producer: ${rate} orders/s, seed ${seed}`)
  done.then(
    (state) => console.log(`producer: done, ${state.orders} orders, ${state.users} users sent`),
    () => {},
  )
  return {
    done,
    async close() {
      abort.abort()
      await done
    },
  }
}

export async function runReplay(options: ReplayOptions): Promise<void> {
  const summary = await replay(options)
  console.log(formatSummary(summary, options.out))
}

/** Writes a replayable data set (users.jsonl, orders.jsonl) to `dir`. */
export async function generate(dir: string, options: DataSetOptions): Promise<void> {
  mkdirSync(dir, { recursive: true })
  const write = async (file: string, lines: Iterable<string>): Promise<number> => {
    const out = createWriteStream(join(dir, file))
    let n = 0
    let chunk = ''
    for (const line of lines) {
      chunk += line + '\n'
      n++
      if (chunk.length < 1 << 20) continue
      const flushed = out.write(chunk)
      chunk = ''
      if (!flushed) await once(out, 'drain')
    }
    out.end(chunk)
    await once(out, 'finish')
    return n
  }
  const u = await write('users.jsonl', userLines(options))
  const o = await write('orders.jsonl', orderLines(options))
  console.log(`generate: ${u} user lines, ${o} order lines (seed ${options.seed}) in ${dir}`)
}
