import type { StreamsBuilder } from 'tributary-streams'
import { joinTopologies } from './join-topologies.ts'
import { processorTopologies } from './processor-topologies.ts'
import { streamTopologies } from './stream-topologies.ts'
import { tableTopologies } from './table-topologies.ts'
import { windowTopologies } from './window-topologies.ts'

/** Adds a topology's nodes to a builder. */
export type TopologyDefinition = (builder: StreamsBuilder) => void

/**
 * The topologies the compat cases name, each also written in Java under the same name
 * (../java/src/main/java/dev/tributary/compat). Every one reads string keys and values and
 * writes string keys and values to "out"; windowed keys are written as "key@start-end".
 */
export const topologies: ReadonlyMap<string, TopologyDefinition> = new Map([
  ...windowTopologies,
  ...joinTopologies,
  ...tableTopologies,
  ...processorTopologies,
  ...streamTopologies,
])
