import type { Topology } from 'tributary'
import { TopologyTestDriver, type StreamsTestDriver, type TestDriverConfig } from 'tributary/testing'

/**
 * A way to run a topology under test. Topology test cases (`test/**\/cases/*.cases.ts`) take one
 * and run unchanged on each: the synchronous TopologyTestDriver, a StreamsApp on the embedded log,
 * a StreamsApp on Kafka (the integration suite).
 */
export interface DriverKind {
  readonly name: string
  readonly make: (topology: Topology, config?: TestDriverConfig) => Promise<StreamsTestDriver>
  /** How many of the `wanted` random inputs a property test tries (each run starts a driver; on a
   *  real log that costs seconds, so log kinds try fewer). */
  readonly propertyRuns: (wanted: number) => number
}

export const topologyTestDriver: DriverKind = {
  name: 'TopologyTestDriver',
  make: async (topology, config) => new TopologyTestDriver(topology, config),
  propertyRuns: (wanted) => wanted,
}
