import type { StreamsBuilder } from 'tributary-streams'
import { long, num, strings, toOut } from './helpers.ts'
import type { TopologyDefinition } from './topologies.ts'

/** Tables, table aggregations with re-keying, and repartitioning. Input "in". */
const stream = (b: StreamsBuilder) => b.stream('in', strings)
const table = (b: StreamsBuilder) => b.table('in', strings)
const part = (v: string, i: number): string => v.split(':')[i]!

export const tableTopologies: ReadonlyArray<[string, TopologyDefinition]> = [
  // Values "group:amount": re-keyed by group, amounts summed.
  [
    'table-groupby-sum',
    (b) =>
      toOut(
        table(b)
          .groupBy((_k, v) => [part(v, 0), part(v, 1)] as const, strings)
          .aggregate(
            () => 0,
            (_k, v, agg) => agg + num(v),
            (_k, v, agg) => agg - num(v),
            { value: long },
          ),
      ),
  ],
  [
    'table-groupby-count',
    (b) =>
      toOut(
        table(b)
          .groupBy((_k, v) => [v, v] as const, strings)
          .count(),
      ),
  ],
  ['table-filter', (b) => toOut(table(b).filter((_k, v) => num(v) > 0))],
  ['table-mapvalues', (b) => toOut(table(b).mapValues((v) => `${v}!`))],
  ['stream-totable', (b) => toOut(stream(b).toTable())],
  // A selector returning null drops the record.
  [
    'stream-groupby-count',
    (b) =>
      toOut(
        stream(b)
          .groupBy((_k, v) => (v === 'drop' ? null : v), strings)
          .count(),
      ),
  ],
  [
    'selectkey-count',
    (b) =>
      toOut(
        stream(b)
          .selectKey((_k, v) => (v === 'drop' ? null : v))
          .groupByKey(strings)
          .count(),
      ),
  ],
  [
    'repartition-reduce',
    (b) =>
      toOut(
        stream(b)
          .repartition(strings)
          .groupByKey()
          .reduce((a, v) => a + v),
      ),
  ],
]
