// Processes and checks shared by the integration tests that run the CLI's roles on Kafka and
// PostgreSQL (pipeline.integration.test.ts, backlog.integration.test.ts).
import { spawn, type ChildProcess } from 'node:child_process'
import { createWriteStream, type WriteStream } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { ConsumerRecord, Log, TopicPartition } from 'tributary-streams'
import type { SqlClient } from 'tributary-streams/postgres'

const BIN = fileURLToPath(new URL('../../bin/order-analytics.js', import.meta.url))

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what}: no answer after ${ms} ms`)), ms)
    }),
  ])
}

/** Polls `probe` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
  detail: () => string = () => '',
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}. ${detail()}`)
    await sleep(250)
  }
}

/** A CLI process: output in `<dir>/<name>.log` and in memory (for failure reports). */
export class CliProcess {
  readonly child: ChildProcess
  readonly lines: string[] = []
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
  private readonly file: WriteStream
  exitedAt: number | undefined

  constructor(
    readonly name: string,
    args: string[],
    env: Record<string, string>,
    logDir: string,
  ) {
    this.file = createWriteStream(join(logDir, `${name}.log`))
    this.child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    const collect = (stream: NodeJS.ReadableStream | null, tag: string) => {
      let rest = ''
      stream?.setEncoding('utf8')
      stream?.on('data', (chunk: string) => {
        const parts = (rest + chunk).split('\n')
        rest = parts.pop()!
        for (const line of parts) this.line(`${tag} ${line}`)
      })
      stream?.on('end', () => rest && this.line(`${tag} ${rest}`))
    }
    collect(this.child.stdout, 'out')
    collect(this.child.stderr, 'err')
    this.exited = new Promise((resolve) =>
      this.child.on('exit', (code, signal) => {
        this.exitedAt = Date.now()
        this.line(`-- exited: code ${code}, signal ${signal}`)
        this.file.end()
        resolve({ code, signal })
      }),
    )
  }

  private line(text: string): void {
    const stamped = `${new Date().toISOString()} ${text}`
    this.lines.push(stamped)
    this.file.write(stamped + '\n')
  }

  get running(): boolean {
    return this.exitedAt === undefined
  }

  tail(n = 40): string {
    return `--- ${this.name} (pid ${this.child.pid}), last ${Math.min(n, this.lines.length)} of ${this.lines.length} lines:\n${this.lines.slice(-n).join('\n')}`
  }

  /** Resolves with the first output line matching `re`; rejects if the process exits first. */
  async waitForLine(re: RegExp, timeoutMs: number): Promise<string> {
    return waitFor(
      `${this.name} to print ${re}`,
      timeoutMs,
      async () => {
        const hit = this.lines.find((l) => re.test(l))
        if (hit !== undefined) return hit
        if (!this.running) throw new Error(`${this.name} exited before printing ${re}\n${this.tail()}`)
        return undefined
      },
      () => this.tail(),
    )
  }
}

/** Every record of `t` up to its read_committed end, by partition in offset order. */
export async function readAll(
  log: Log,
  t: string,
  partitions: number,
  groupId: string,
): Promise<ConsumerRecord[]> {
  const tps: TopicPartition[] = Array.from({ length: partitions }, (_, partition) => ({
    topic: t,
    partition,
  }))
  const ends = await log.admin.endOffsets(tps, 'read_committed')
  const consumer = await log.consumer({ groupId, isolation: 'read_committed' })
  const out: ConsumerRecord[] = []
  try {
    await consumer.assign(tps)
    for (const tp of tps) consumer.seek(tp, 0)
    const done = () => tps.every((tp, i) => consumer.position(tp) >= ends[i]!.offset)
    const deadline = Date.now() + 60_000
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(
          `reading ${t} back: positions ${tps.map((tp) => consumer.position(tp)).join(',')} did not reach the ends ${ends.map((e) => e.offset).join(',')}`,
        )
      out.push(...(await consumer.poll({ maxRecords: 5000, timeoutMs: 500 })))
    }
  } finally {
    await consumer.close()
  }
  return out.sort((a, b) => a.partition - b.partition || a.offset - b.offset)
}

export interface Row {
  readonly order_count: string
  readonly revenue: string
}

/** `window_start,region,segment` -> figures, from the expected CSV. */
export function csvRows(csv: string): Map<string, Row> {
  const rows = new Map<string, Row>()
  for (const line of csv.trim().split('\n').slice(1)) {
    const [ws, region, segment, order_count, revenue] = line.split(',')
    rows.set(`${ws},${region},${segment}`, { order_count: order_count!, revenue: revenue! })
  }
  return rows
}

export async function tableRows(db: SqlClient): Promise<Map<string, Row>> {
  const { rows } = await db.query<{
    window_start: Date
    region: string
    segment: string
    n: string
    revenue: string
  }>(
    `SELECT window_start, region, segment, order_count::text AS n, revenue::text AS revenue FROM revenue_per_minute`,
  )
  return new Map(
    rows.map((r) => [
      `${new Date(r.window_start).toISOString()},${r.region},${r.segment}`,
      { order_count: r.n, revenue: r.revenue },
    ]),
  )
}

/** Rows that differ, one line each (empty when the tables are equal). */
export function diff(expected: Map<string, Row>, actual: Map<string, Row>): string[] {
  const out: string[] = []
  for (const k of [...new Set([...expected.keys(), ...actual.keys()])].sort()) {
    const e = expected.get(k)
    const a = actual.get(k)
    if (e?.order_count === a?.order_count && e?.revenue === a?.revenue) continue
    const show = (r: Row | undefined) => (r ? `${r.order_count} orders, ${r.revenue}` : 'no row')
    out.push(`${k}: expected ${show(e)}, table has ${show(a)}`)
  }
  return out
}
