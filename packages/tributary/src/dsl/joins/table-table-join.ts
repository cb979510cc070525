import type { StreamRecord } from '../../record.ts'
import type { TimestampedKeyValueStore } from '../../state/timestamped-key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'
import { KTable } from '../ktable.ts'
import type { Materialized } from '../options.ts'
import { requireCopartitioned } from './copartition.ts'
import type { ValueJoiner } from './join-options.ts'
import type { JoinMode } from './stream-join.ts'
import type { ValueGetter, ValueGetterSupplier } from './value-getter.ts'

/** Whether a key has a join result, given which sides are present. */
const hasResult = (mode: JoinMode, left: boolean, right: boolean): boolean =>
  mode === 'inner' ? left && right : mode === 'left' ? left : left || right

/** The joined value for one key, or null when the join has no row for it. */
function joinRow<K, V1, V2, VR>(
  mode: JoinMode,
  joiner: ValueJoiner<V1 | null, V2 | null, VR, K>,
  key: K,
  left: V1 | null,
  right: V2 | null,
): VR | null {
  return hasResult(mode, left !== null, right !== null) ? joiner(left, right, key) : null
}

/**
 * One side of a table-table join, as Kafka Streams' KTableKTable*Join processors: for each change
 * of this side, looks up the other side's current row and forwards the result row before and
 * after the change, stamped with the newer of the change's and the other row's timestamps. When
 * the other side has a row, the change is always forwarded (a tombstone for a key already without
 * a result too); when it has none, only a side that has rows alone (left of a left join, either of
 * an outer join) forwards, and only a change that is not absent on both sides.
 */
function joinSide<K, VA, VB, VR>(
  thisIsLeft: boolean,
  mode: JoinMode,
  joiner: ValueJoiner<unknown, unknown, VR, K>,
  other: ValueGetterSupplier<K, VB>,
): ProcessorSupplier<K, Change<VA>, K, Change<VR>> {
  const alone = mode === 'outer' || (mode === 'left' && thisIsLeft)
  return () => {
    let get: ValueGetter<K, VB>
    let forward: (record: StreamRecord<K, Change<VR>>) => void
    const row = (key: K, mine: VA | null, theirs: VB | null): VR | null =>
      thisIsLeft ? joinRow(mode, joiner, key, mine, theirs) : joinRow(mode, joiner, key, theirs, mine)
    return {
      init(context) {
        get = other.init(context as never)
        forward = (record) => context.forward(record)
      },
      process(record) {
        if (record.key === null || record.key === undefined) return
        const { newValue, oldValue } = record.value
        const theirs = get(record.key)
        if (theirs === undefined && (!alone || (newValue === null && oldValue === null))) return
        const newRow = row(record.key, newValue, theirs?.value ?? null)
        const oldRow = row(record.key, oldValue, theirs?.value ?? null)
        const timestamp =
          theirs === undefined ? record.timestamp : Math.max(record.timestamp, theirs.timestamp)
        forward({ ...record, timestamp, value: { newValue: newRow, oldValue: oldRow } })
      },
    }
  }
}

/** Merges both sides' results; materializes them when `storeName` is set. */
function joinMerge<K, VR>(storeName: string | undefined): ProcessorSupplier<K, Change<VR>, K, Change<VR>> {
  return () => {
    let store: TimestampedKeyValueStore<K, VR> | undefined
    let forward: (record: StreamRecord<K, Change<VR>>) => void
    return {
      init(context) {
        if (storeName !== undefined) store = context.getStateStore(storeName)
        forward = (record) => context.forward(record)
      },
      process(record) {
        if (store !== undefined) {
          if (record.value.newValue === null) store.delete(record.key)
          else store.put(record.key, { value: record.value.newValue, timestamp: record.timestamp })
        }
        forward(record)
      },
    }
  }
}

/**
 * Adds a table-table join: a processor per side (each connected to the other side's stores, so
 * both tables' sub-topologies merge into one) and a merge node, which holds the result store when
 * materialized. Unmaterialized, the result's value getter joins both sides' getters.
 */
export function joinTables<K, V1, V2, VR>(
  left: KTable<K, V1>,
  right: KTable<K, V2>,
  joiner: ValueJoiner<V1 | null, V2 | null, VR, K>,
  mode: JoinMode,
  materialized: Materialized<K, VR> | undefined,
): KTable<K, VR> {
  const ctx = left.ctx
  const topology = ctx.topology
  const prefix = mode === 'inner' ? 'KTABLE-JOIN' : mode === 'left' ? 'KTABLE-LEFTJOIN' : 'KTABLE-OUTERJOIN'
  const leftName = ctx.name(`${prefix}-THIS`)
  const rightName = ctx.name(`${prefix}-OTHER`)
  const mergeName = ctx.name('KTABLE-MERGE')
  const leftGetter = left.valueGetterSupplier()
  const rightGetter = right.valueGetterSupplier()
  const anyJoiner = joiner as ValueJoiner<unknown, unknown, VR, K>
  topology.addProcessor(leftName, joinSide<K, V1, V2, VR>(true, mode, anyJoiner, rightGetter), left.nodeName)
  topology.addProcessor(
    rightName,
    joinSide<K, V2, V1, VR>(false, mode, anyJoiner, leftGetter),
    right.nodeName,
  )
  topology.connectProcessorAndStateStores([leftName], rightGetter.storeNames)
  topology.connectProcessorAndStateStores([rightName], leftGetter.storeNames)
  const storeName =
    materialized === undefined ? undefined : (materialized.name ?? ctx.name(`${prefix}-STATE-STORE`))
  topology.addProcessor(mergeName, joinMerge<K, VR>(storeName), leftName, rightName)
  const serdes = {
    key: ctx.serde(materialized?.key, left.serdes.key, right.serdes.key),
    value: materialized?.value,
  }
  if (storeName !== undefined)
    ctx.addTimestampedStore(mergeName, storeName, serdes.key, ctx.serde(serdes.value), materialized)
  requireCopartitioned(topology, left.nodeName, right.nodeName)
  const getter = (): ValueGetterSupplier<K, VR> => ({
    storeNames: [...new Set([...leftGetter.storeNames, ...rightGetter.storeNames])],
    init(context) {
      const getLeft = leftGetter.init(context)
      const getRight = rightGetter.init(context)
      return (key) => {
        const l = getLeft(key)
        const r = getRight(key)
        const value = joinRow(mode, joiner, key, l?.value ?? null, r?.value ?? null)
        return value === null
          ? undefined
          : { value, timestamp: Math.max(l?.timestamp ?? -1, r?.timestamp ?? -1) }
      }
    },
  })
  return new KTable<K, VR>(ctx, mergeName, serdes, storeName, storeName === undefined ? getter : undefined)
}
