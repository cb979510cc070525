// The ceiling: what the broker and a bare client manage on this machine with no stream processing.
// Kafka's own perf tools (Java, from the broker's jars in .kafka/libs) and a bare
// @platformatic/kafka consume-transform-produce loop, over the same input.
import { execFileSync, spawn } from 'node:child_process'
import { join } from 'node:path'
import type { Log } from 'tributary-streams'
import { createTopics, endRecords } from './broker.ts'
import { cpuSeconds, peakRssMb } from './process-meter.ts'
import { ROOT } from './systems.ts'

export interface CeilingRecord {
  readonly system: string
  readonly variant: string
  readonly records: number
  readonly throughput_rps: number
  /** Measured for the bare loop only (the perf tools run inside execFileSync). */
  readonly cpu_s_per_million?: number
  readonly peak_rss_mb?: number
  /** Each tool or loop reported (the bare loop: wrote) every record; else the problems say what. */
  readonly verified: boolean
  readonly problems: readonly string[]
}

/** `verified`/`problems` of a row whose tool handled `got` records of `want`. */
const complete = (what: string, got: number, want: number): Pick<CeilingRecord, 'verified' | 'problems'> =>
  got === want
    ? { verified: true, problems: [] }
    : { verified: false, problems: [`${what}: ${got} records of ${want}`] }

const VALUE_BYTES = 60 // about the size of the generated events

function java(cls: string, args: readonly string[]): string {
  const cp = join(ROOT, '.kafka', 'libs', '*')
  return execFileSync('java', ['-Xmx256m', '-cp', cp, `org.apache.kafka.tools.${cls}`, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
}

export async function ceiling(
  log: Log,
  brokers: string,
  runId: string,
  round: number,
  records: number,
  input: string,
): Promise<CeilingRecord[]> {
  const perfTopic = `bench-${runId}-perf-r${round}`
  const output = `bench-${runId}-bare-r${round}`
  await createTopics(log, [perfTopic, output])
  const produced = java('ProducerPerformance', [
    ...['--topic', perfTopic, '--num-records', String(records), '--record-size', String(VALUE_BYTES)],
    ...['--throughput', '-1', '--producer-props', `bootstrap.servers=${brokers}`, 'acks=all', 'linger.ms=5'],
  ])
  // Last line: "N records sent, R records/sec (...), ..."
  const summary = produced.trim().split('\n').at(-1)!
  const producerRps = Number(/([\d.]+) records\/sec/.exec(summary)?.[1])
  const sent = Number(/^(\d+) records sent/.exec(summary)?.[1])
  const consumed = java('ConsumerPerformance', [
    ...[
      '--bootstrap-server',
      brokers,
      '--topic',
      perfTopic,
      '--messages',
      String(records),
      '--timeout',
      '60000',
    ],
  ])
  // CSV: start, end, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...
  const csv = consumed.trim().split('\n').at(-1)!.split(',')
  const consumerRps = Number(csv[5])
  const bare = await bareLoop(brokers, input, output, records)
  const written = await endRecords(log, [output])
  await log.admin.deleteTopics([perfTopic, output])
  return [
    {
      system: 'kafka-producer-perf-test',
      variant: `acks=all, ${VALUE_BYTES} B`,
      records,
      throughput_rps: producerRps,
      ...complete('sent', sent, records),
    },
    {
      system: 'kafka-consumer-perf-test',
      variant: 'group join included',
      records,
      throughput_rps: consumerRps,
      ...complete('consumed', Number(csv[4]), records),
    },
    { ...bare, ...complete('output topic holds', written, records) },
  ]
}

function bareLoop(
  brokers: string,
  input: string,
  output: string,
  records: number,
): Promise<Omit<CeilingRecord, 'verified' | 'problems'>> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      join(import.meta.dirname, '..', 'systems', 'bare-loop.ts'),
      brokers,
      input,
      output,
      String(records),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  let out = ''
  let cpu = 0
  let rss = 0
  child.stdout.on('data', (d: Buffer) => {
    cpu = cpuSeconds(child.pid!) ?? cpu
    rss = peakRssMb(child.pid!) ?? rss
    out += d.toString()
  })
  return new Promise((resolve, reject) =>
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bare loop exited with ${code}`))
      const r = JSON.parse(out.trim().split('\n').at(-1)!) as { records: number; seconds: number }
      resolve({
        system: 'bare @platformatic/kafka loop',
        variant: 'consume-transform-produce, acks=1, autocommit',
        records: r.records,
        throughput_rps: Math.round(r.records / r.seconds),
        cpu_s_per_million: Math.round((cpu / r.records) * 1e6 * 10) / 10,
        peak_rss_mb: rss,
      })
    }),
  )
}
