import type { StreamsBuilder } from 'tributary-streams'
import { strings, toOut } from './helpers.ts'
import type { TopologyDefinition } from './topologies.ts'

/** Stateless steps feeding a stateful one: timestamps and order through flatMapValues, merge, map
 *  and repartitions. Inputs "in" (and "left"/"right" for merge). */
const stream = (b: StreamsBuilder, topic = 'in') => b.stream(topic, strings)

export const streamTopologies: ReadonlyArray<[string, TopologyDefinition]> = [
  // "a,b,c" becomes three records with the input's key and timestamp.
  [
    'flatmapvalues',
    (b) =>
      stream(b)
        .flatMapValues((v) => v.split(','))
        .to('out', strings),
  ],
  ['merge-count', (b) => toOut(stream(b, 'left').merge(stream(b, 'right')).groupByKey().count())],
  // Re-keyed by the value's first letter, then grouped by that key and concatenated.
  [
    'map-groupbykey-reduce',
    (b) =>
      toOut(
        stream(b)
          .map((_k, v) => [v.slice(0, 1), v] as const)
          .groupByKey(strings)
          .reduce((a, v) => `${a}|${v}`),
      ),
  ],
  [
    'repartition-partitions-count',
    (b) =>
      toOut(
        stream(b)
          .repartition({ ...strings, partitions: 3 })
          .groupByKey()
          .count(),
      ),
  ],
]
