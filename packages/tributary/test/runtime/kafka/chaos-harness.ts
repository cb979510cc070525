import { spawn, type ChildProcess } from 'node:child_process'
import { join } from 'node:path'
import { Serdes, type ConsumerRecord, type Log, type Producer } from 'tributary-streams'
import { groupOf, type Stats } from './fixtures/eos-topology.ts'
import { sleep } from './kafka-helpers.ts'

const child = join(import.meta.dirname, 'fixtures', 'eos-instance.ts')

/** One application instance in its own process (fixtures/eos-instance.ts), on its own data dir. */
export class Instance {
  private proc: ChildProcess | undefined
  private exited: Promise<void> = Promise.resolve()

  constructor(
    readonly name: string,
    private readonly args: readonly string[],
    private readonly onEvent: (event: string) => void,
  ) {}

  get running(): boolean {
    return this.proc !== undefined
  }

  /** Starts the process and resolves once its app is running. */
  async start(): Promise<void> {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, ...this.args], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    this.proc = proc
    this.exited = new Promise((resolve) =>
      proc.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL' && code !== 0) this.onEvent(`${this.name} exited with ${code ?? signal}`)
        if (this.proc === proc) this.proc = undefined
        resolve()
      }),
    )
    await new Promise<void>((resolve, reject) => {
      proc.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('started')) resolve()
      })
      proc.on('exit', () => reject(new Error(`${this.name} exited before it started`)))
    })
    this.onEvent(`${this.name} started`)
  }

  async kill(): Promise<void> {
    this.proc?.kill('SIGKILL')
    await this.exited
    this.onEvent(`${this.name} SIGKILLed`)
  }

  /** Graceful: the app commits, closes its tasks and leaves the group. */
  async stop(): Promise<void> {
    this.proc?.kill('SIGTERM')
    await this.exited
    this.onEvent(`${this.name} stopped (left the group)`)
  }
}

/**
 * Sends `total` records (key `k<i % 97>`, value i) to `topic` at about `perSecond`, in batches;
 * survives broker outages by retrying with a fresh producer (a retried batch may land twice in
 * the input: the checks compare outputs with the input as read back, not as sent). Stops early when
 * `signal` aborts (a failed test must not leave it retrying against a broker that is gone).
 */
export async function produce(
  log: Log,
  topic: string,
  total: number,
  perSecond: number,
  progress: { sent: number },
  signal?: AbortSignal,
): Promise<void> {
  const batch = 250
  const str = Serdes.string()
  const num = Serdes.number()
  let producer: Producer | undefined
  const started = Date.now()
  while (progress.sent < total && signal?.aborted !== true) {
    const n = Math.min(batch, total - progress.sent)
    const records = Array.from({ length: n }, (_, j) => {
      const i = progress.sent + j
      return { topic, key: str.serialize(`k${i % 97}`, topic), value: num.serialize(i, topic) }
    })
    try {
      producer ??= await log.producer()
      await producer.send(records)
      progress.sent += n
    } catch {
      await producer?.close().catch(() => undefined)
      producer = undefined
      await sleep(500)
      continue
    }
    const due = started + (progress.sent / perSecond) * 1000
    if (due > Date.now()) await sleep(due - Date.now())
  }
  await producer?.close()
}

/** count/sum/min/max per group of the input as read back: what the stats topic must end with. */
export function expectedStats(inputs: readonly ConsumerRecord[]): Map<string, Stats> {
  const out = new Map<string, Stats>()
  for (const r of inputs) {
    const v = r.value!.readDoubleBE(0)
    const g = groupOf(v)
    const s = out.get(g) ?? { count: 0, sum: 0, min: Infinity, max: -Infinity }
    out.set(g, { count: s.count + 1, sum: s.sum + v, min: Math.min(s.min, v), max: Math.max(s.max, v) })
  }
  return out
}

export const lastStats = (records: readonly ConsumerRecord[]): Map<string, Stats> =>
  new Map(records.map((r) => [r.key!.toString(), JSON.parse(r.value!.toString()) as Stats]))
