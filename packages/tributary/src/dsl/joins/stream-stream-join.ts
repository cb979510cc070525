import type { Serde } from '../../serde/serde.ts'
import { Serdes } from '../../serde/serdes.ts'
import { Stores } from '../../state/stores.ts'
import { KStream } from '../kstream.ts'
import { stateless } from '../processors/stateless.ts'
import { requireCopartitioned } from './copartition.ts'
import type { JoinWindows, StreamJoined } from './join-windows.ts'
import type { JoinMode } from './stream-join.ts'
import { streamStreamJoinSide, type Joiner, type JoinTimes } from './stream-stream-join-side.ts'

/**
 * Adds a windowed stream-stream join: both streams (repartitioned first when their key changed)
 * feed one processor per side (stream-stream-join-side.ts), each buffering its records in its
 * own window store (size before + after, retention size + grace, duplicates kept) and probing the
 * other side's; left and outer joins share an outer store of unmatched records. Both inputs must
 * be co-partitioned.
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
    valueSerdes: { left: leftValueSerde, right: rightValueSerde },
    times: new WeakMap<object, JoinTimes>(),
  } as const
  topology.addProcessor(
    leftNode,
    streamStreamJoinSide(
      { ...common, side: 'left', thisStore: stores.left, otherStore: stores.right },
      joiner,
    ),
    leftInput.nodeName,
  )
  topology.addProcessor(
    rightNode,
    streamStreamJoinSide(
      { ...common, side: 'right', thisStore: stores.right, otherStore: stores.left },
      joiner,
    ),
    rightInput.nodeName,
  )
  const windowStore = <T>(name: string, value: Serde<T>) => {
    const options = {
      windowSizeMs: windows.sizeMs,
      // As Kafka Streams: a store drops what is older than (its largest time - size - grace). At
      // least 1 ms, which a store needs (with 0 the join matches nothing: see the join side).
      retentionMs: Math.max(1, windows.sizeMs + windows.graceMs),
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
