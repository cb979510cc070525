import type { KStream } from './kstream.ts'
import { KTable } from './ktable.ts'
import type { Materialized } from './options.ts'
import { tableSource } from './processors/table-source.ts'

/** Materializes a stream as a table: each record upserts its key, a null value deletes it. */
export function streamToTable<K, V>(stream: KStream<K, V>, materialized: Materialized<K, V>): KTable<K, V> {
  const ctx = stream.ctx
  const processor = ctx.name('KSTREAM-TOTABLE')
  const storeName = materialized.name ?? ctx.name('KSTREAM-TOTABLE-STATE-STORE')
  const key = ctx.serde(materialized.key, stream.serdes.key)
  const value = ctx.serde(materialized.value, stream.serdes.value)
  // The repartition topic must carry the table's key bytes: its partitioning decides co-partitioning.
  const input = stream.repartitionRequired ? stream.repartition({ name: storeName, key, value }) : stream
  ctx.topology.addProcessor(processor, tableSource<K, V>(storeName), input.nodeName)
  ctx.addTimestampedStore(processor, storeName, key, value, materialized)
  return new KTable<K, V>(ctx, processor, { key, value }, storeName)
}
