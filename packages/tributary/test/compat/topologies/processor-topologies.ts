import {
  Serdes,
  Stores,
  type KeyValueStore,
  type Processor,
  type PunctuationType,
  type StreamsBuilder,
} from 'tributary-streams'
import { strings } from './helpers.ts'
import type { TopologyDefinition } from './topologies.ts'

/** Counts records per key in store "counts"; every 10 ms of `type` time, forwards every count. */
function counter(type: PunctuationType): Processor<string, string, string, string> {
  let counts: KeyValueStore<string, number>
  return {
    init(context) {
      counts = context.getStateStore('counts')
      context.schedule(10, type, (time) => {
        for (const { key, value } of counts.all())
          context.forward({ key, value: `${key}=${value}@${time}`, timestamp: time, headers: {} })
      })
    },
    process(record) {
      counts.put(record.key, (counts.get(record.key) ?? 0) + 1)
    },
  }
}

function counting(b: StreamsBuilder, type: PunctuationType): void {
  b.addStateStore(
    Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore('counts'), Serdes.string(), Serdes.number()),
  )
  b.stream('in', strings)
    .process(() => counter(type), { stores: ['counts'] })
    .to('out', strings)
}

/** Punctuation-driven emission through the processor API. */
export const processorTopologies: ReadonlyArray<[string, TopologyDefinition]> = [
  ['punctuate-wall-clock', (b) => counting(b, 'wall-clock')],
  ['punctuate-stream-time', (b) => counting(b, 'stream-time')],
]
