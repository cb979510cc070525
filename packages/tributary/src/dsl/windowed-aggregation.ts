import { TributaryError } from '../errors.ts'
import type { Serde } from '../serde/serde.ts'
import type { StoreDefinition } from '../state/stores.ts'
import type { ProcessorSupplier } from '../topology/processor.ts'
import type { Windowed } from '../windowed.ts'
import type { Change } from './change.ts'
import type { KStream } from './kstream.ts'
import { KTable, type Windowing } from './ktable.ts'
import type { LateRecords } from './late-records.ts'
import { stateless } from './processors/stateless.ts'
import type { WindowOutputs } from './processors/window-aggregate.ts'

export interface WindowedNodes<K, V> {
  readonly processor: string
  readonly outputs: WindowOutputs<K, V>
}

/**
 * Adds a windowed aggregation reading `input` to the topology: the aggregate processor, a pass-through node that is the resulting table, the optional late
 * sink, and the store. Returns the table of windowed keys.
 */
export function addWindowedAggregation<K, V, A>(
  input: KStream<K, V>,
  storeName: string,
  makeProcessor: (outputs: WindowOutputs<K, V>) => ProcessorSupplier<K, V, unknown, unknown>,
  stores: readonly StoreDefinition[],
  serdes: { key: Serde<Windowed<K>>; value: Serde<A> },
  windowing: Windowing,
  late: LateRecords<K, V> | undefined,
): KTable<Windowed<K>, A> {
  const ctx = input.ctx
  const topology = ctx.topology
  const processor = ctx.name('KSTREAM-WINDOWED-AGGREGATE')
  const table = `${processor}-TABLE`
  const lateChild = late !== undefined && 'topic' in late ? `${processor}-LATE-SINK` : undefined
  const outputs: WindowOutputs<K, V> = {
    table,
    ...(lateChild ? { lateChild } : {}),
    ...(late !== undefined && 'handler' in late ? { lateHandler: late.handler } : {}),
  }
  topology.addProcessor(processor, makeProcessor(outputs), input.nodeName)
  topology.addProcessor(
    table,
    stateless<Windowed<K>, Change<A>, Windowed<K>, Change<A>>((r, fwd) => fwd(r)),
    processor,
  )
  if (lateChild !== undefined && late !== undefined && 'topic' in late) {
    const key = ctx.serde(late.key, input.serdes.key)
    const value = ctx.serde(late.value, input.serdes.value)
    topology.addSink(lateChild, late.topic, { key, value }, processor)
  }
  for (const store of stores) topology.addStateStore(store, processor)
  const noJoins = (): never => {
    throw new TributaryError(
      'TOPOLOGY',
      `windowed table ${storeName} cannot be joined; join its toStream() instead`,
    )
  }
  return new KTable<Windowed<K>, A>(ctx, table, serdes, storeName, noJoins, windowing)
}
