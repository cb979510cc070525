import {
  SessionWindows,
  SlidingWindows,
  Suppressed,
  TimeWindows,
  type StreamsBuilder,
} from 'tributary-streams'
import { long, num, strings, toOut, toOutWindowed } from './helpers.ts'
import type { TopologyDefinition } from './topologies.ts'

/** Windowed aggregations (tumbling, hopping, sliding, session) and suppress. */
const grouped = (b: StreamsBuilder) => b.stream('in', strings).groupByKey()
const sum = (_k: string, v: string, agg: number): number => agg + num(v)
const longs = { value: long }

export const windowTopologies: ReadonlyArray<[string, TopologyDefinition]> = [
  ['tumbling-count', (b) => toOutWindowed(grouped(b).windowedBy(TimeWindows.ofSizeAndGrace(10, 5)).count())],
  [
    'tumbling-sum-nograce',
    (b) =>
      toOutWindowed(
        grouped(b)
          .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
          .aggregate(() => 0, sum, longs),
      ),
  ],
  [
    'tumbling-reduce-nograce',
    (b) =>
      toOutWindowed(
        grouped(b)
          .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
          .reduce((a, v) => `${a},${v}`),
      ),
  ],
  [
    'hopping-sum',
    (b) =>
      toOutWindowed(
        grouped(b)
          .windowedBy(TimeWindows.ofSizeAndGrace(10, 2).advanceBy(5))
          .aggregate(() => 0, sum, longs),
      ),
  ],
  [
    'sliding-sum',
    (b) =>
      toOutWindowed(
        grouped(b)
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 5))
          .aggregate(() => 0, sum, longs),
      ),
  ],
  [
    'sliding-count-nograce',
    (b) => toOutWindowed(grouped(b).windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace(5)).count()),
  ],
  [
    'session-sum',
    (b) =>
      toOutWindowed(
        grouped(b)
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5))
          .aggregate(
            () => 0,
            sum,
            (_k, a, c) => a + c,
            longs,
          ),
      ),
  ],
  [
    'session-count-nograce',
    (b) => toOutWindowed(grouped(b).windowedBy(SessionWindows.ofInactivityGapWithNoGrace(5)).count()),
  ],
  [
    'tumbling-suppress',
    (b) =>
      toOutWindowed(
        grouped(b)
          .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
          .count()
          .suppress(Suppressed.untilWindowCloses()),
      ),
  ],
  [
    'session-suppress',
    (b) =>
      toOutWindowed(
        grouped(b)
          .windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 2))
          .count()
          .suppress(Suppressed.untilWindowCloses()),
      ),
  ],
  [
    'sliding-suppress',
    (b) =>
      toOutWindowed(
        grouped(b)
          .windowedBy(SlidingWindows.ofTimeDifferenceAndGrace(10, 0))
          .count()
          .suppress(Suppressed.untilWindowCloses()),
      ),
  ],
  ['count-suppress-time-limit', (b) => toOut(grouped(b).count().suppress(Suppressed.untilTimeLimit(10)))],
  ['stream-aggregate', (b) => toOut(grouped(b).aggregate(() => 0, sum, longs))],
  ['stream-reduce', (b) => toOut(grouped(b).reduce((a, v) => a + v))],
]
