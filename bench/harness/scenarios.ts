// The scenarios, their shared input topics (generated and preloaded once per harness run, read by
// every system from the beginning) and the outputs they are checked against.
import type { Log } from 'tributary-streams'
import type { Topology } from '../systems/runner-env.ts'
import { createTopics, preload } from './broker.ts'
import { expectedDigest, type Digest } from './digests.ts'
import { events, joinEvents, tableRows, type Generated } from './inputs.ts'
import { orderRecords, userRecords } from './order-inputs.ts'

export const SCENARIOS = [
  'ceiling',
  'stateless',
  'count-uniform',
  'count-skewed',
  'windowed',
  'join-restore',
  'order-analytics',
] as const
export type ScenarioName = (typeof SCENARIOS)[number]
export type StreamingScenario = Exclude<ScenarioName, 'ceiling'>

export const TOPOLOGY: Record<StreamingScenario, Topology> = {
  stateless: 'stateless',
  'count-uniform': 'count',
  'count-skewed': 'count',
  windowed: 'windowed',
  'join-restore': 'join',
  'order-analytics': 'order-analytics',
}

/** `--scenario count` selects both count scenarios; several may be given, comma-separated. */
export function selectScenarios(filter: string | undefined): ScenarioName[] {
  if (filter === undefined) return [...SCENARIOS]
  const wanted = filter.split(',')
  const found = SCENARIOS.filter((s) => wanted.some((w) => s === w || s.startsWith(`${w}-`)))
  if (found.length === 0) throw new Error(`--scenario ${filter}: choose from ${SCENARIOS.join(', ')}`)
  return found
}

/** Records the join restarts with after its local state is deleted (their processing ends restore). */
export const AFTER_RESTORE = 1_000

/** Input topics, preloaded on first use; the generator that wrote each, to recompute expectations. */
export class Inputs {
  private readonly loaded = new Map<string, Promise<string>>()

  constructor(
    private readonly log: Log,
    private readonly runId: string,
    readonly records: number,
  ) {}

  /** The source topic a streaming scenario reads (the join's stream topic is per run, see below). */
  source(scenario: StreamingScenario): Promise<string> {
    if (scenario === 'count-skewed') return this.shared('events-skewed', () => events(this.records, 'skewed'))
    if (scenario === 'join-restore') return this.shared('join-table', () => tableRows(this.records))
    if (scenario === 'order-analytics') return this.shared('orders-raw', () => orderRecords(this.records))
    return this.shared('events-uniform', () => events(this.records, 'uniform'))
  }

  /** order-analytics' orders-raw records, for a topic of one run (--order-users-first). */
  orders(): Iterable<Generated> {
    return orderRecords(this.records)
  }

  /** order-analytics' users-raw. */
  users(): Promise<string> {
    return this.shared('users-raw', () => userRecords())
  }

  /** The join's stream records: before the restart and after the restore. */
  joinStream(phase: 'main' | 'after-restore'): Iterable<Generated> {
    return phase === 'main'
      ? joinEvents(this.records, this.records)
      : joinEvents(AFTER_RESTORE, this.records, 3)
  }

  /** The digest a correct output has, where it follows from the input by plain arithmetic. */
  expected(scenario: StreamingScenario): Digest | undefined {
    if (!this.expectations.has(scenario)) this.expectations.set(scenario, this.compute(scenario))
    return this.expectations.get(scenario)
  }

  private readonly expectations = new Map<StreamingScenario, Digest | undefined>()

  private compute(scenario: StreamingScenario): Digest | undefined {
    switch (scenario) {
      case 'stateless':
        return expectedDigest.stateless(events(this.records, 'uniform'))
      case 'count-uniform':
        return expectedDigest.count(events(this.records, 'uniform'))
      case 'count-skewed':
        return expectedDigest.count(events(this.records, 'skewed'))
      case 'join-restore':
        return expectedDigest.join([...this.joinStream('main'), ...this.joinStream('after-restore')])
      default:
        return undefined // windowed, order-analytics: checked against Tributary's output
    }
  }

  private shared(name: string, generate: () => Iterable<Generated>): Promise<string> {
    let topic = this.loaded.get(name)
    if (topic === undefined) {
      const full = `bench-${this.runId}-${name}`
      topic = (async () => {
        await createTopics(this.log, [full])
        const t0 = performance.now()
        const n = await preload(this.log, full, generate())
        console.error(
          `bench: preloaded ${n} records into ${full} in ${((performance.now() - t0) / 1000).toFixed(1)}s`,
        )
        return full
      })()
      this.loaded.set(name, topic)
    }
    return topic
  }
}
