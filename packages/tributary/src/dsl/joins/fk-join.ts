import { Serdes } from '../../serde/serdes.ts'
import { KTable } from '../ktable.ts'
import type { Materialized } from '../options.ts'
import { sourceTopicsOf } from './copartition.ts'
import { fkRegister, fkRespond, fkResult, fkRightChanges, fkSubscribe } from './fk-processors.ts'
import { responseSerde, subscriptionSerde } from './fk-wire.ts'
import type { ValueJoiner } from './join-options.ts'

/**
 * The foreign-key table-table join, after Kafka Streams' KIP-213. Each left row subscribes to the
 * right row its foreign key names, through `<base>-subscription-registration-topic` (keyed by the
 * foreign key, co-partitioned with the right table); the right side stores the subscriptions and
 * answers each one, and every later change of a subscribed right row, through
 * `<base>-subscription-response-topic` (keyed by the left key, co-partitioned with the left table).
 * Responses carry a hash of the left value that subscribed, so one that arrives after the left row
 * changed is dropped. When the foreign key changes, the old subscription is removed. The result is
 * always materialized: it needs its previous values to emit correct Changes.
 */
export function joinOnForeignKey<K, V, KO, VO, VR>(
  left: KTable<K, V>,
  right: KTable<KO, VO>,
  foreignKey: (value: V) => KO | null | undefined,
  joiner: ValueJoiner<V, VO | null, VR, K>,
  leftJoin: boolean,
  materialized: Materialized<K, VR> = {},
): KTable<K, VR> {
  const ctx = left.ctx
  const topology = ctx.topology
  const base = ctx.name(leftJoin ? 'KTABLE-FK-LEFTJOIN' : 'KTABLE-FK-JOIN')
  const subscriptionTopic = `${base}-subscription-registration-topic`
  const responseTopic = `${base}-subscription-response-topic`
  const subscriptionStore = `${base}-subscription-store`
  const resultStore = materialized.name ?? `${base}-STATE-STORE`
  const leftKeySerde = ctx.serde(left.serdes.key)
  const leftValueSerde = ctx.serde(left.serdes.value)
  const foreignKeySerde = ctx.serde(right.serdes.key)
  const rightValueSerde = ctx.serde(right.serdes.value)
  const leftGetter = left.valueGetterSupplier()
  const rightGetter = right.valueGetterSupplier()
  const node = {
    subscribe: `${base}-SUBSCRIBE`,
    subscriptionSink: `${base}-subscription-sink`,
    subscriptionSource: `${base}-subscription-source`,
    register: `${base}-REGISTER`,
    rightChanges: `${base}-RIGHT-CHANGES`,
    responseSink: `${base}-response-sink`,
    responseSource: `${base}-response-source`,
    respond: `${base}-RESPOND`,
    result: `${base}-RESULT`,
  }
  topology.addInternalTopic({ name: subscriptionTopic, kind: 'repartition' })
  topology.addInternalTopic({ name: responseTopic, kind: 'repartition' })

  // Left side: subscribe.
  const leftSpec = {
    foreignKey,
    keySerde: leftKeySerde,
    valueSerde: leftValueSerde,
    foreignKeySerde,
    serdeTopic: base,
  }
  topology.addProcessor(
    node.subscribe,
    fkSubscribe(leftSpec, joiner as ValueJoiner<V, null, VR, K>, leftJoin, {
      subscriptions: node.subscriptionSink,
      result: node.result,
    }),
    left.nodeName,
  )
  const subscriptionWire = { key: foreignKeySerde, value: subscriptionSerde }
  topology.addSink(node.subscriptionSink, subscriptionTopic, subscriptionWire, node.subscribe)

  // Right side: register subscriptions, answer them and the right table's changes.
  topology.addSource(node.subscriptionSource, subscriptionTopic, subscriptionWire)
  topology.addProcessor(
    node.register,
    fkRegister(subscriptionStore, rightGetter, foreignKeySerde, base),
    node.subscriptionSource,
  )
  ctx.addStore(node.register, subscriptionStore, Serdes.bytes(), Serdes.string(), {
    persistent: materialized.persistent ?? true,
  })
  topology.connectProcessorAndStateStores([node.register], rightGetter.storeNames)
  topology.addProcessor(
    node.rightChanges,
    fkRightChanges(subscriptionStore, foreignKeySerde, base),
    right.nodeName,
  )
  topology.connectProcessorAndStateStores([node.rightChanges], [subscriptionStore])
  const responseWire = { key: Serdes.bytes(), value: responseSerde(rightValueSerde) }
  topology.addSink(node.responseSink, responseTopic, responseWire, node.register, node.rightChanges)

  // Left side: join the responses still current, keep the result.
  topology.addSource(node.responseSource, responseTopic, { key: leftKeySerde, value: responseWire.value })
  topology.addProcessor(
    node.respond,
    fkRespond(leftGetter, leftValueSerde, base, joiner, leftJoin),
    node.responseSource,
  )
  topology.connectProcessorAndStateStores([node.respond], leftGetter.storeNames)
  topology.addProcessor(node.result, fkResult<K, VR>(resultStore), node.subscribe, node.respond)
  const serdes = { key: ctx.serde(materialized.key, left.serdes.key), value: materialized.value }
  ctx.addTimestampedStore(node.result, resultStore, serdes.key, ctx.serde(serdes.value), materialized)

  topology.addCopartitionGroup([subscriptionTopic, ...sourceTopicsOf(topology, right.nodeName)])
  topology.addCopartitionGroup([responseTopic, ...sourceTopicsOf(topology, left.nodeName)])
  return new KTable<K, VR>(ctx, node.result, serdes, resultStore)
}
