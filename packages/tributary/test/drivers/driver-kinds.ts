import type { Log, Logger, Topology } from 'tributary-streams'
import {
  LogTestDriver,
  TopologyTestDriver,
  type StreamsTestDriver,
  type TestDriverConfig,
} from 'tributary-streams/testing'

/**
 * A way to run a topology under test. Topology test cases (`test/**\/cases/*.cases.ts`) take one
 * and run unchanged on each: the synchronous TopologyTestDriver, a StreamsApp on the embedded log,
 * a StreamsApp on Kafka (the integration suite).
 */
export interface DriverKind {
  readonly name: string
  readonly make: (topology: Topology, config?: TestDriverConfig) => Promise<StreamsTestDriver>
  /** How many of the `wanted` random inputs a property test tries (each run starts a driver; on a
   *  real log that costs, so log kinds try fewer). */
  readonly propertyRuns: (wanted: number) => number
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} }
/** The app's own log lines, shown with TRIBUTARY_TEST_LOG=1. */
const appLogger = (config: TestDriverConfig | undefined): Logger =>
  config?.logger ?? (process.env['TRIBUTARY_TEST_LOG'] ? console : quiet)

const started = async (driver: LogTestDriver): Promise<LogTestDriver> => {
  await driver.start()
  return driver
}

export const topologyTestDriver: DriverKind = {
  name: 'TopologyTestDriver',
  make: async (topology, config) => new TopologyTestDriver(topology, config),
  propertyRuns: (wanted) => wanted,
}

/** A StreamsApp (exactly-once) on a fresh in-memory embedded log per driver. */
export const embeddedLogDriver: DriverKind = {
  name: 'StreamsApp on the embedded log',
  make: (topology, config) => started(new LogTestDriver(topology, { ...config, logger: appLogger(config) })),
  propertyRuns: (wanted) => Math.min(wanted, 15),
}

/** A StreamsApp (exactly-once) on `log()`, each driver in a namespace of its own. */
export const logDriver = (name: string, log: () => Log): DriverKind => ({
  name,
  make: (topology, config) =>
    started(new LogTestDriver(topology, { ...config, log: log(), logger: appLogger(config) })),
  propertyRuns: (wanted) => Math.min(wanted, 5),
})
