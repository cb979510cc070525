import type { StreamRecord } from '../../record.ts'
import type { Serde } from '../../serde/serde.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'
import {
  prefixEnd,
  subscriptionKey,
  subscriptionPrefix,
  valueHash,
  type Response,
  type Subscription,
} from './fk-wire.ts'
import type { ValueJoiner } from './join-options.ts'
import { withStore } from '../processors/with-store.ts'
import type { ValueGetter, ValueGetterSupplier } from './value-getter.ts'
import type { TimestampedKeyValueStore } from '../../state/timestamped-key-value-store.ts'

const absent = (x: unknown): x is null | undefined => x === null || x === undefined

/** What the left side of a foreign-key join needs to know. */
export interface FkLeft<K, V, KO> {
  readonly foreignKey: (value: V) => KO | null | undefined
  readonly keySerde: Serde<K>
  readonly valueSerde: Serde<V>
  readonly foreignKeySerde: Serde<KO>
  /** Serde `topic` argument for the bytes compared and hashed (fixed, so both ends agree). */
  readonly serdeTopic: string
}

/**
 * Left-table changes: removes the key's subscription from its old foreign key when that changed,
 * subscribes to the new one (the answer arrives on the response topic), and settles at once what
 * needs no answer: a deleted left row (tombstone) or a null foreign key (no match).
 */
export function fkSubscribe<K, V, KO, VR>(
  left: FkLeft<K, V, KO>,
  joiner: ValueJoiner<V, null, VR, K>,
  leftJoin: boolean,
  children: { readonly subscriptions: string; readonly result: string },
): ProcessorSupplier<K, Change<V>, unknown, unknown> {
  return () => {
    let send: (record: StreamRecord<KO, Subscription>) => void
    let settle: (record: StreamRecord<K, VR | null>) => void
    const bytes = (fk: KO): Buffer => left.foreignKeySerde.serialize(fk, left.serdeTopic)
    return {
      init(context) {
        send = (record) => context.forward(record, children.subscriptions)
        settle = (record) => context.forward(record, children.result)
      },
      process(record) {
        if (absent(record.key)) return
        const { newValue, oldValue } = record.value
        const newFk = newValue === null ? null : (left.foreignKey(newValue) ?? null)
        const oldFk = oldValue === null ? null : (left.foreignKey(oldValue) ?? null)
        const leftKey = left.keySerde.serialize(record.key, left.serdeTopic)
        const base = { timestamp: record.timestamp, headers: record.headers }
        if (oldFk !== null && (newFk === null || !bytes(oldFk).equals(bytes(newFk))))
          send({ ...base, key: oldFk, value: { op: 'unsub', hash: null, leftKey } })
        if (newValue === null) return settle({ ...base, key: record.key, value: null })
        if (newFk === null)
          return settle({
            ...base,
            key: record.key,
            value: leftJoin ? joiner(newValue, null, record.key) : null,
          })
        const hash = valueHash(left.valueSerde.serialize(newValue, left.serdeTopic))
        send({ ...base, key: newFk, value: { op: 'sub', hash, leftKey } })
      },
    }
  }
}

/**
 * Right side, subscriptions: records or removes (foreign key, left key) in `storeName`; a new
 * subscription is answered at once with the right table's current value (null when absent).
 */
export function fkRegister<KO, VO>(
  storeName: string,
  right: ValueGetterSupplier<KO, VO>,
  foreignKeySerde: Serde<KO>,
  serdeTopic: string,
): ProcessorSupplier<KO, Subscription, Buffer, Response<VO>> {
  return () => {
    let store: KeyValueStore<Buffer, string>
    let get: ValueGetter<KO, VO>
    let forward: (record: StreamRecord<Buffer, Response<VO>>) => void
    return {
      init(context) {
        store = context.getStateStore(storeName)
        get = right.init(context as never)
        forward = (record) => context.forward(record)
      },
      process(record) {
        if (absent(record.key) || absent(record.value)) return
        const { op, hash, leftKey } = record.value
        const key = subscriptionKey(foreignKeySerde.serialize(record.key, serdeTopic), leftKey)
        if (op === 'unsub' || hash === null) {
          store.delete(key)
          return
        }
        store.put(key, hash)
        // Stamped with the newer of the subscription and the right row, as Kafka Streams does.
        const right = get(record.key)
        const timestamp = right === undefined ? record.timestamp : Math.max(record.timestamp, right.timestamp)
        forward({ ...record, timestamp, key: leftKey, value: { hash, value: right?.value ?? null } })
      },
    }
  }
}

/** Right side, table changes: answers every subscription of the changed key with its new value. */
export function fkRightChanges<KO, VO>(
  storeName: string,
  foreignKeySerde: Serde<KO>,
  serdeTopic: string,
): ProcessorSupplier<KO, Change<VO>, Buffer, Response<VO>> {
  return withStore<KeyValueStore<Buffer, string>, KO, Change<VO>, Buffer, Response<VO>>(
    storeName,
    (record, store, context) => {
      if (absent(record.key)) return
      const prefix = subscriptionPrefix(foreignKeySerde.serialize(record.key, serdeTopic))
      const base = { timestamp: record.timestamp, headers: record.headers }
      for (const { key, value: hash } of store.range(prefix, prefixEnd(prefix))) {
        if (!key.subarray(0, prefix.length).equals(prefix)) continue
        const leftKey = key.subarray(prefix.length)
        context.forward({ ...base, key: leftKey, value: { hash, value: record.value.newValue } })
      }
    },
  )
}

/**
 * Left side, responses: joins the right value with the left row's current value, unless the left
 * row changed (or went) since it subscribed: then the hash differs and the response is dropped,
 * as a newer subscription's response (or a tombstone) is on its way or already applied.
 */
export function fkRespond<K, V, VO, VR>(
  left: ValueGetterSupplier<K, V>,
  valueSerde: Serde<V>,
  serdeTopic: string,
  joiner: ValueJoiner<V, VO | null, VR, K>,
  leftJoin: boolean,
): ProcessorSupplier<K, Response<VO>, K, VR | null> {
  return () => {
    let get: ValueGetter<K, V>
    let forward: (record: StreamRecord<K, VR | null>) => void
    return {
      init(context) {
        get = left.init(context as never)
        forward = (record) => context.forward(record)
      },
      process(record) {
        if (absent(record.key) || absent(record.value)) return
        const current = get(record.key)?.value
        if (current === undefined) return
        if (valueHash(valueSerde.serialize(current, serdeTopic)) !== record.value.hash) return
        const other = record.value.value
        const value =
          other !== null
            ? joiner(current, other, record.key)
            : leftJoin
              ? joiner(current, null, record.key)
              : null
        forward({ ...record, value })
      },
    }
  }
}

/** The join result table: stores each row (null deletes) and forwards it as a Change. */
export function fkResult<K, VR>(storeName: string): ProcessorSupplier<K, VR | null, K, Change<VR>> {
  return withStore<TimestampedKeyValueStore<K, VR>, K, VR | null, K, Change<VR>>(
    storeName,
    (record, store, context) => {
      if (absent(record.key)) return
      const old = store.get(record.key)
      if (record.value === null) {
        if (old === undefined) return
        store.delete(record.key)
      } else store.put(record.key, { value: record.value, timestamp: record.timestamp })
      context.forward({ ...record, value: { newValue: record.value, oldValue: old?.value ?? null } })
    },
  )
}
