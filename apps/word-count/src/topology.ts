import { Serdes, StreamsBuilder, type Topology } from 'tributary-streams'

export const LINES = 'text-lines'
export const COUNTS = 'word-counts-out'

/** Counts words across all lines; emits each word's new count. */
export function wordCountTopology(): Topology {
  const builder = new StreamsBuilder()
  builder
    .stream(LINES, { key: Serdes.string(), value: Serdes.string() })
    .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
    .groupBy((_key, word) => word, { key: Serdes.string(), value: Serdes.string() })
    .count({ name: 'word-counts' })
    .toStream()
    .to(COUNTS, { key: Serdes.string(), value: Serdes.number() })
  return builder.build()
}
