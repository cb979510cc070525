import type { StreamRecord } from '../../record.ts'
import type { Serde } from '../../serde/serde.ts'
import { Serdes } from '../../serde/serdes.ts'
import { Stores } from '../../state/stores.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { WindowStore } from '../../state/window-store.ts'
import type { ProcessorContext, ProcessorSupplier } from '../../topology/processor.ts'
import { KStream } from '../kstream.ts'
import { stateless } from '../processors/stateless.ts'
import { requireCopartitioned } from './copartition.ts'
import { prefixEnd } from './fk-wire.ts'
import type { JoinWindows, StreamJoined } from './join-windows.ts'
import type { JoinMode } from './stream-join.ts'

/** One side of a stream-stream join, as its processor sees it. */
export interface JoinSideSpec {
  readonly isLeft: boolean
  readonly mode: JoinMode
  readonly windows: JoinWindows
  readonly thisStore: string
  readonly otherStore: string
  /** Unmatched records of both sides awaiting their window's close (left/outer joins only). */
  readonly outerStore: string | undefined
  readonly keySerde: Serde<unknown>
  readonly leftValueSerde: Serde<unknown>
  readonly rightValueSerde: Serde<unknown>
}

type Joiner = (left: unknown, right: unknown, key: unknown) => unknown

const LEFT = 0
const RIGHT = 1

/**
 * Outer store key: [time u64][side u8][key length u32][key][sequence u32]. Byte order is time
 * order, so closed windows are found at the front; the sequence keeps duplicates apart.
 */
function outerKey(time: number, side: number, key: Buffer, seq?: number): Buffer {
  const head = Buffer.alloc(13)
  head.writeBigUInt64BE(BigInt(time), 0)
  head[8] = side
  head.writeUInt32BE(key.length, 9)
  if (seq === undefined) return Buffer.concat([head, key])
  const tail = Buffer.alloc(4)
  tail.writeUInt32BE(seq, 0)
  return Buffer.concat([head, key, tail])
}

/**
 * One side of a windowed stream-stream join, as Kafka Streams 3.x: each record is buffered in this
 * side's window store (duplicates kept), then joined with every record of the other side's store
 * with the same key inside its window (result time: the later of the two). A record arriving
 * after its window end + grace (stream time = the task's) is dropped and counted late.
 *
 * Left and outer joins hold a record that found no match in the outer store; a later match from
 * the other side removes it, and once stream time passes its window end + grace it is emitted
 * joined with null, exactly once. Null values are dropped; a null key is joined with null at once
 * on the sides whose unmatched records are emitted (left side of left joins, both of outer joins).
 */
export function streamStreamJoinSide(
  spec: JoinSideSpec,
  joiner: Joiner,
): ProcessorSupplier<unknown, unknown, unknown, unknown> {
  const { isLeft, mode, windows } = spec
  const keepsUnmatched = mode === 'outer' || (mode === 'left' && isLeft)
  // For this side's records: how far back and ahead the other side's times may be.
  const back = isLeft ? windows.beforeMs : windows.afterMs
  const ahead = isLeft ? windows.afterMs : windows.beforeMs
  const join = (mine: unknown, theirs: unknown, key: unknown): unknown =>
    isLeft ? joiner(mine, theirs, key) : joiner(theirs, mine, key)
  return () => {
    let context: ProcessorContext<unknown, unknown>
    let thisStore: WindowStore<unknown, unknown>
    let otherStore: WindowStore<unknown, unknown>
    let outer: KeyValueStore<Buffer, Buffer> | undefined
    return {
      init(c) {
        context = c
        thisStore = c.getStateStore(spec.thisStore)
        otherStore = c.getStateStore(spec.otherStore)
        if (spec.outerStore !== undefined) outer = c.getStateStore(spec.outerStore)
      },
      process(record) {
        if (record.value === null || record.value === undefined) return
        if (record.key === null || record.key === undefined) {
          if (keepsUnmatched) context.forward({ ...record, value: join(record.value, null, record.key) })
          return
        }
        const time = record.timestamp
        const streamTime = context.currentStreamTimeMs()
        if (time + ahead + windows.graceMs < streamTime) {
          context.recordLate({ timestamp: time })
          return
        }
        thisStore.put(record.key, record.value, time)
        let matched = false
        for (const other of otherStore.fetchRange(record.key, time - back, time + ahead)) {
          matched = true
          const otherTime = other.key.window.start
          if (outer !== undefined) removeUnmatched(outer, otherTime, isLeft ? RIGHT : LEFT, record.key)
          context.forward({
            ...record,
            value: join(record.value, other.value, record.key),
            timestamp: Math.max(time, otherTime),
          })
        }
        if (!matched && keepsUnmatched && outer !== undefined) holdUnmatched(outer, record)
        if (outer !== undefined) emitClosed(outer, streamTime)
      },
    }

    function keyBytes(key: unknown): Buffer {
      return spec.keySerde.serialize(key, spec.outerStore ?? spec.thisStore)
    }

    function removeUnmatched(
      store: KeyValueStore<Buffer, Buffer>,
      time: number,
      side: number,
      key: unknown,
    ): void {
      const prefix = outerKey(time, side, keyBytes(key))
      const stale = [...store.range(prefix, prefixEnd(prefix))].filter(
        (e) => e.key.length === prefix.length + 4 && e.key.subarray(0, prefix.length).equals(prefix),
      )
      for (const e of stale) store.delete(e.key)
    }

    function holdUnmatched(
      store: KeyValueStore<Buffer, Buffer>,
      record: StreamRecord<unknown, unknown>,
    ): void {
      const side = isLeft ? LEFT : RIGHT
      const kb = keyBytes(record.key)
      const prefix = outerKey(record.timestamp, side, kb)
      let seq = 0
      for (const e of store.range(prefix, prefixEnd(prefix)))
        if (e.key.length === prefix.length + 4) seq = Math.max(seq, e.key.readUInt32BE(prefix.length) + 1)
      const serde = isLeft ? spec.leftValueSerde : spec.rightValueSerde
      store.put(outerKey(record.timestamp, side, kb, seq), serde.serialize(record.value, store.name))
    }

    /** Emits (and forgets) every held record whose window end + grace is behind stream time. */
    function emitClosed(store: KeyValueStore<Buffer, Buffer>, streamTime: number): void {
      const widest = Math.max(windows.beforeMs, windows.afterMs) + windows.graceMs
      const due: Array<{ key: Buffer; value: Buffer }> = []
      for (const e of store.all()) {
        const time = Number(e.key.readBigUInt64BE(0))
        if (time + widest >= streamTime) break
        const sideAhead = e.key[8] === LEFT ? windows.afterMs : windows.beforeMs
        if (time + sideAhead + windows.graceMs < streamTime) due.push(e)
      }
      for (const { key: k, value: v } of due) {
        store.delete(k)
        const time = Number(k.readBigUInt64BE(0))
        const length = k.readUInt32BE(9)
        const key = spec.keySerde.deserialize(k.subarray(13, 13 + length), store.name)
        const fromLeft = k[8] === LEFT
        const value = (fromLeft ? spec.leftValueSerde : spec.rightValueSerde).deserialize(v, store.name)
        context.forward({
          key,
          value: fromLeft ? joiner(value, null, key) : joiner(null, value, key),
          timestamp: time,
          headers: {},
        })
      }
    }
  }
}

/**
 * Adds a windowed stream-stream join: both streams (repartitioned first when their key changed)
 * feed one processor per side, each buffering its records in its own window store (size
 * before + after, retention size + grace, duplicates kept) and probing the other side's; left and
 * outer joins share an outer store of unmatched records. Both inputs must be co-partitioned.
 */
export function joinStreams<K, V, VO, VR>(
  left: KStream<K, V>,
  right: KStream<K, VO>,
  joiner: Joiner,
  windows: JoinWindows,
  joined: StreamJoined<K, V, VO>,
  mode: JoinMode,
): KStream<K, VR> {
  const ctx = left.ctx
  const topology = ctx.topology
  const prefix =
    mode === 'inner' ? 'KSTREAM-JOIN' : mode === 'left' ? 'KSTREAM-LEFTJOIN' : 'KSTREAM-OUTERJOIN'
  const base = joined.name ?? ctx.name(prefix)
  const keySerde = ctx.serde(joined.key, left.serdes.key, right.serdes.key)
  const leftValueSerde = ctx.serde(joined.value, left.serdes.value)
  const rightValueSerde = ctx.serde(joined.otherValue, right.serdes.value)
  const input = <T>(stream: KStream<K, T>, side: string, value: Serde<T>): KStream<K, T> =>
    stream.repartitionRequired
      ? stream.repartition({ name: `${base}-${side}`, key: keySerde, value })
      : stream
  const leftInput = input(left, 'left', leftValueSerde)
  const rightInput = input(right, 'right', rightValueSerde)
  const stores = {
    left: `${base}-this-store`,
    right: `${base}-other-store`,
    outer: mode === 'inner' ? undefined : `${base}-outer-store`,
  }
  const leftNode = `${base}-this`
  const rightNode = `${base}-other`
  const common = {
    mode,
    windows,
    outerStore: stores.outer,
    keySerde,
    leftValueSerde,
    rightValueSerde,
  } as const
  topology.addProcessor(
    leftNode,
    streamStreamJoinSide(
      { ...common, isLeft: true, thisStore: stores.left, otherStore: stores.right },
      joiner,
    ),
    leftInput.nodeName,
  )
  topology.addProcessor(
    rightNode,
    streamStreamJoinSide(
      { ...common, isLeft: false, thisStore: stores.right, otherStore: stores.left },
      joiner,
    ),
    rightInput.nodeName,
  )
  const windowStore = <T>(name: string, value: Serde<T>) => {
    const options = {
      windowSizeMs: windows.sizeMs,
      // +1: an entry at exactly (largest time - size - grace) can still be joined by a record on time.
      retentionMs: windows.sizeMs + windows.graceMs + 1,
      retainDuplicates: true,
    }
    const supplier =
      joined.persistent === false
        ? Stores.inMemoryWindowStore(name, options)
        : Stores.persistentWindowStore(name, options)
    const builder = Stores.windowStoreBuilder(supplier, keySerde, value)
    topology.addStateStore(joined.logging === false ? builder.withLoggingDisabled() : builder)
  }
  windowStore(stores.left, leftValueSerde)
  windowStore(stores.right, rightValueSerde)
  topology.connectProcessorAndStateStores([leftNode, rightNode], [stores.left, stores.right])
  if (stores.outer !== undefined) {
    ctx.addStore(leftNode, stores.outer, Serdes.bytes(), Serdes.bytes(), {
      ...(joined.persistent === undefined ? {} : { persistent: joined.persistent }),
      ...(joined.logging === undefined ? {} : { logging: joined.logging }),
    })
    topology.connectProcessorAndStateStores([rightNode], [stores.outer])
  }
  const merge = `${base}-merge`
  topology.addProcessor(
    merge,
    stateless<K, VR, K, VR>((r, fwd) => fwd(r)),
    leftNode,
    rightNode,
  )
  requireCopartitioned(topology, leftInput.nodeName, rightInput.nodeName)
  return new KStream<K, VR>(ctx, merge, { key: keySerde }, false)
}
