import type { StreamRecord } from '../../record.ts'
import type { NullDropReason, ProcessorSupplier } from '../../topology/processor.ts'
import type { GlobalKTable } from '../global-ktable.ts'
import { KStream } from '../kstream.ts'
import type { KTable } from '../ktable.ts'
import { requireCopartitioned } from './copartition.ts'
import type { Joined, ValueJoiner } from './join-options.ts'
import type { ValueGetter, ValueGetterSupplier } from './value-getter.ts'

const absent = (x: unknown): x is null | undefined => x === null || x === undefined

/**
 * Joins each stream record with the table's current value for `tableKey(key, value)`, as Kafka
 * Streams' KStreamKTableJoinProcessor: a record with a null value is dropped (without calling
 * `tableKey`); a null table key (for a table: a null stream key) joins null in a left join and is
 * dropped by an inner one; an absent table value gives null to a left join and drops the record
 * in an inner join. A global table's key may come from a record with a null stream key. Table
 * updates never trigger output.
 */
export function streamTableJoinProcessor<K, V, KT, VT, VR>(
  table: ValueGetterSupplier<KT, VT>,
  tableKey: (key: K, value: V) => KT | null | undefined,
  joiner: ValueJoiner<V, VT | null, VR, K>,
  left: boolean,
): ProcessorSupplier<K, V, K, VR> {
  return () => {
    let get: ValueGetter<KT, VT>
    let forward: (record: StreamRecord<K, VR>) => void
    let dropped: (reason: NullDropReason) => void
    return {
      init(context) {
        get = table.init(context as never)
        forward = (record) => context.forward(record)
        dropped = (reason) => context.recordDropped(reason)
      },
      process(record) {
        if (absent(record.value)) return dropped('null-value')
        const mapped = tableKey(record.key, record.value)
        if (absent(mapped)) {
          if (left) forward({ ...record, value: joiner(record.value, null, record.key) })
          else dropped('null-key')
          return
        }
        const other = get(mapped)
        if (other === undefined && !left) return
        forward({ ...record, value: joiner(record.value, other?.value ?? null, record.key) })
      },
    }
  }
}

/** Adds a stream-table join (repartitioning the stream first if its key changed) and returns its output. */
export function joinStreamTable<K, V, VT, VR>(
  stream: KStream<K, V>,
  table: KTable<K, VT>,
  joiner: ValueJoiner<V, VT | null, VR, K>,
  joined: Joined<K, V>,
  left: boolean,
): KStream<K, VR> {
  const ctx = stream.ctx
  const name = ctx.name(left ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-JOIN', joined.name)
  // Co-partitioned with the table only if keyed by the same bytes: default to the table's key serde.
  const key = joined.key ?? table.serdes.key
  const input = stream.repartitionRequired
    ? stream.repartition({ name, ...(key ? { key } : {}), ...(joined.value ? { value: joined.value } : {}) })
    : stream
  const getter = table.valueGetterSupplier()
  ctx.topology.addProcessor(
    name,
    streamTableJoinProcessor<K, V, K, VT, VR>(getter, (key) => key, joiner, left),
    input.nodeName,
  )
  ctx.topology.connectProcessorAndStateStores([name], getter.storeNames)
  requireCopartitioned(ctx.topology, input.nodeName, table.nodeName)
  return new KStream<K, VR>(ctx, name, { key: input.serdes.key }, false)
}

/** Adds a stream-GlobalKTable join on the table key `keySelector(key, value)`; never repartitions. */
export function joinStreamGlobalTable<K, V, KG, VG, VR>(
  stream: KStream<K, V>,
  table: GlobalKTable<KG, VG>,
  keySelector: (key: K, value: V) => KG | null | undefined,
  joiner: ValueJoiner<V, VG | null, VR, K>,
  left: boolean,
  named: string | undefined,
): KStream<K, VR> {
  const ctx = stream.ctx
  const name = ctx.name(left ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-JOIN', named)
  ctx.topology.addProcessor(
    name,
    streamTableJoinProcessor(table.valueGetterSupplier(), keySelector, joiner, left),
    stream.nodeName,
  )
  return new KStream<K, VR>(ctx, name, { key: stream.serdes.key }, stream.repartitionRequired)
}
