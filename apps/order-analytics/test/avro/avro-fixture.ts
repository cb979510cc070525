import { EmbeddedLog, Serdes } from 'tributary-streams'
import { EmbeddedSchemaRegistry } from 'tributary-streams/schema'
import { TopologyTestDriver, type TestInputTopic, type TestOutputTopic } from 'tributary-streams/testing'
import { topicNames, type TopicNames } from '../../src/context.ts'
import { appAvroSerdes, registerAppSchemas, type AppAvroSerdes } from '../../src/contract/avro/registry.ts'
import { toAvroOrder, toAvroUser, type OrderPlacedVersion } from '../../src/contract/avro/schemas.ts'
import type { DlqRecord } from '../../src/contract/dlq-record.ts'
import type { OrderItem, OrderPlaced, UserCreated } from '../../src/contract/envelope.ts'
import type { ProcessedRow } from '../../src/contract/processed-row.ts'
import { avroRawValueSerdes } from '../../src/topology/avro-raw-value-serde.ts'
import { orderAnalyticsTopology, PipelineMetrics } from '../../src/topology/index.ts'
import { orderEnvelope, userEnvelope } from '../helpers/pipeline-driver.ts'

export { T0 } from '../helpers/pipeline-driver.ts'

/** An in-memory log with the embedded registry holding the app's schemas (as `init` registers them). */
export interface AvroRegistryFixture {
  readonly log: EmbeddedLog
  readonly registry: EmbeddedSchemaRegistry
  readonly topics: TopicNames
  /** Prepared serdes writing (and reading into) OrderPlaced `version`. */
  serdes(version: OrderPlacedVersion): Promise<AppAvroSerdes>
  close(): Promise<void>
}

export async function avroRegistry(): Promise<AvroRegistryFixture> {
  const log = await EmbeddedLog.open()
  const registry = await EmbeddedSchemaRegistry.open({ log })
  const topics = topicNames('')
  await registerAppSchemas(registry, topics)
  return {
    log,
    registry,
    topics,
    serdes: (version) => appAvroSerdes(registry, topics, version),
    async close() {
      await registry.close()
      await log.close()
    },
  }
}

/** The topology with ORDERS_FORMAT=avro semantics on a TopologyTestDriver, and writers of both versions. */
export interface AvroPipelineDriver {
  readonly driver: TopologyTestDriver
  readonly metrics: PipelineMetrics
  readonly users: TestInputTopic<string, Buffer>
  readonly orders: TestInputTopic<string, Buffer>
  readonly processed: TestOutputTopic<string, ProcessedRow>
  readonly dlq: TestOutputTopic<string, DlqRecord>
  /** Avro bytes of an order as a writer of `version` writes them (v2: with `coupon`). */
  orderBytes(order: OrderPlaced, version: OrderPlacedVersion, coupon?: string | null): Buffer
  userBytes(user: UserCreated): Buffer
  user(userId: string, region: string, segment: string, at?: number): void
  /** Pipes an order of one item priced `total`, written with `version`. */
  order(orderId: string, userId: string, total: number, at: number, version: OrderPlacedVersion): void
}

export async function avroPipelineDriver(
  fixture: AvroRegistryFixture,
  readerVersion: OrderPlacedVersion,
): Promise<AvroPipelineDriver> {
  const { topics } = fixture
  const reader = await fixture.serdes(readerVersion)
  const writers = { 1: await fixture.serdes(1), 2: await fixture.serdes(2) }
  const metrics = new PipelineMetrics()
  const driver = new TopologyTestDriver(
    orderAnalyticsTopology({
      topics,
      persistentStores: false,
      metrics,
      rawValues: avroRawValueSerdes(reader),
    }),
    { applicationId: 'oa-avro-test' },
  )
  const users = driver.createInputTopic(topics.usersRaw, Serdes.string(), Serdes.bytes())
  const orders = driver.createInputTopic(topics.ordersRaw, Serdes.string(), Serdes.bytes())
  const orderBytes = (order: OrderPlaced, version: OrderPlacedVersion, coupon: string | null = null) =>
    writers[version].orders.serialize(toAvroOrder(order, version, coupon), topics.ordersRaw)
  const userBytes = (user: UserCreated) => writers[2].users.serialize(toAvroUser(user), topics.usersRaw)
  return {
    driver,
    metrics,
    users,
    orders,
    processed: driver.createOutputTopic(topics.ordersProcessed, Serdes.string(), Serdes.json<ProcessedRow>()),
    dlq: driver.createOutputTopic(topics.ordersDlq, Serdes.string(), Serdes.json<DlqRecord>()),
    orderBytes,
    userBytes,
    user(userId, region, segment, at = Date.UTC(2026, 0, 1) - 3_600_000) {
      users.pipeInput(userId, userBytes(userEnvelope(userId, region, segment, at) as UserCreated), at)
    },
    order(orderId, userId, total, at, version) {
      const items: OrderItem[] = [{ sku: 'sku-1', quantity: 1, price: total }]
      orders.pipeInput(
        orderId,
        orderBytes(orderEnvelope(orderId, userId, items, at) as OrderPlaced, version),
        at,
      )
    },
  }
}

/** A valid order envelope (contract types) of one item. */
export const anOrder = (
  orderId: string,
  userId: string,
  price: number,
  at: number,
  quantity = 1,
): OrderPlaced => orderEnvelope(orderId, userId, [{ sku: 'sku-1', quantity, price }], at) as OrderPlaced
