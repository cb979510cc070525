// The command line of `npm run bench`. A usage error is one line naming the flag.
import { parseArgs } from 'node:util'
import { join, resolve } from 'node:path'
import type { Guarantee } from '../systems/runner-env.ts'
import { selectScenarios, type ScenarioName } from './scenarios.ts'
import { SYSTEMS, type System } from './systems.ts'

export const USAGE = `npm run bench -- [--scenario NAME[,NAME]] [--peers] [--records N] [--rounds R] [--out DIR]
  [--guarantee at-least-once|exactly-once] [--system NAME[,NAME]] [--commit-interval-ms MS] [--brokers HOST:PORT]
  [--latency-rate N] [--latency-s S] [--order-grace-ms MS] [--order-users-first]
scenarios: ceiling, stateless, count (count-uniform, count-skewed), windowed, join-restore, order-analytics
without --peers only Tributary runs; the broker is KAFKA_BROKERS or 127.0.0.1:$KAFKA_PORT (npm run kafka:start)`

export interface Options {
  readonly scenarios: ScenarioName[]
  readonly systems: System[]
  readonly guarantees: Guarantee[]
  readonly records: number
  readonly rounds: number
  readonly outDir: string
  readonly commitIntervalMs: number
  readonly brokers: string
  /** Offered records/s of the latency runs; undefined: half the slowest run's rate in their scenario. */
  readonly latencyRate: number | undefined
  /** Seconds of offered load measured per latency run (after its warm-up); 0 turns latency off. */
  readonly latencyS: number
  /** order-analytics' window grace for every system; undefined: the app's (30 s). */
  readonly orderGraceMs: number | undefined
  /** order-analytics: each system consumes every user before the first order is written. */
  readonly orderUsersFirst: boolean
}

const positive = (flag: string, value: string | undefined, fallback: number): number => {
  if (value === undefined) return fallback
  const n = Number(value)
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${flag} ${value}: give a positive whole number`)
  return n
}

export function parseOptions(argv: readonly string[]): Options {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      scenario: { type: 'string' },
      peers: { type: 'boolean', default: false },
      records: { type: 'string' },
      rounds: { type: 'string' },
      out: { type: 'string' },
      guarantee: { type: 'string' },
      system: { type: 'string' },
      'commit-interval-ms': { type: 'string' },
      brokers: { type: 'string' },
      'latency-rate': { type: 'string' },
      'latency-s': { type: 'string' },
      'order-grace-ms': { type: 'string' },
      'order-users-first': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  })
  if (values.help) {
    console.log(USAGE)
    process.exit(0)
  }
  const guarantees = (values.guarantee?.split(',') ?? ['at-least-once', 'exactly-once']) as Guarantee[]
  for (const g of guarantees)
    if (g !== 'at-least-once' && g !== 'exactly-once')
      throw new Error(`--guarantee ${g}: use at-least-once or exactly-once`)
  const wanted = values.system?.split(',')
  const systems = SYSTEMS.filter(
    (s) => (values.peers || s.system === 'tributary') && (wanted === undefined || wanted.includes(s.system)),
  )
  if (systems.length === 0)
    throw new Error(`--system ${values.system}: no such system (did you mean --peers?)`)
  const stamp = new Date().toISOString().slice(0, 16).replace(/[:T]/g, '-')
  return {
    scenarios: selectScenarios(values.scenario),
    systems,
    guarantees,
    records: positive('records', values.records, 1_000_000),
    rounds: positive('rounds', values.rounds, 3),
    // Absolute: the peers run in their own folders and must find their state directories.
    outDir: resolve(values.out ?? join('bench', 'results', stamp)),
    commitIntervalMs: positive('commit-interval-ms', values['commit-interval-ms'], 100),
    latencyRate:
      values['latency-rate'] === undefined ? undefined : positive('latency-rate', values['latency-rate'], 0),
    latencyS: values['latency-s'] === '0' ? 0 : positive('latency-s', values['latency-s'], 30),
    orderGraceMs:
      values['order-grace-ms'] === undefined
        ? undefined
        : positive('order-grace-ms', values['order-grace-ms'], 0),
    orderUsersFirst: values['order-users-first'],
    brokers:
      values.brokers ?? process.env['KAFKA_BROKERS'] ?? `127.0.0.1:${process.env['KAFKA_PORT'] ?? '9092'}`,
  }
}
