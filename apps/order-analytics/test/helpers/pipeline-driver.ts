import { Serdes } from 'tributary-streams'
import { TopologyTestDriver, type TestInputTopic, type TestOutputTopic } from 'tributary-streams/testing'
import { topicNames } from '../../src/context.ts'
import type { DlqRecord } from '../../src/contract/dlq-record.ts'
import type { OrderItem } from '../../src/contract/envelope.ts'
import type { OutboxEvent, ProcessedRow } from '../../src/contract/processed-row.ts'
import { orderAnalyticsTopology, PipelineMetrics, type TopologyOptions } from '../../src/topology/index.ts'

export const T0 = Date.UTC(2026, 0, 1) // a window boundary

export interface PipelineDriver {
  readonly driver: TopologyTestDriver
  readonly metrics: PipelineMetrics
  readonly users: TestInputTopic<string, string>
  readonly orders: TestInputTopic<string, string>
  readonly processed: TestOutputTopic<string, ProcessedRow>
  readonly outbox: TestOutputTopic<string, OutboxEvent>
  readonly dlq: TestOutputTopic<string, DlqRecord>
  /** Pipes a UserCreated for `userId`. */
  user(userId: string, region: string, segment: string, at?: number): void
  /** Pipes a valid OrderPlaced of one item priced `total` at event time `at`. */
  order(orderId: string, userId: string, total: number, at: number): void
}

export function pipelineDriver(options: Partial<TopologyOptions> = {}): PipelineDriver {
  const metrics = new PipelineMetrics()
  const topics = topicNames('')
  const driver = new TopologyTestDriver(
    orderAnalyticsTopology({ topics, persistentStores: false, ...options, metrics }),
    { applicationId: 'oa-test' },
  )
  const json = Serdes.json
  const users = driver.createInputTopic(topics.usersRaw, Serdes.string(), Serdes.string())
  const orders = driver.createInputTopic(topics.ordersRaw, Serdes.string(), Serdes.string())
  return {
    driver,
    metrics,
    users,
    orders,
    processed: driver.createOutputTopic(topics.ordersProcessed, Serdes.string(), json<ProcessedRow>()),
    outbox: driver.createOutputTopic(topics.ordersOutbox, Serdes.string(), json<OutboxEvent>()),
    dlq: driver.createOutputTopic(topics.ordersDlq, Serdes.string(), json<DlqRecord>()),
    user(userId, region, segment, at = T0 - 3_600_000) {
      users.pipeInput(userId, JSON.stringify(userEnvelope(userId, region, segment, at)), at)
    },
    order(orderId, userId, total, at) {
      orders.pipeInput(
        orderId,
        JSON.stringify(orderEnvelope(orderId, userId, [{ sku: 'sku-1', quantity: 1, price: total }], at)),
        at,
      )
    },
  }
}

export const userEnvelope = (userId: string, region: string, segment: string, at: number) => ({
  event_id: `evt-${userId}`,
  timestamp: at,
  source: 'test',
  type: 'UserCreated',
  payload: { user_id: userId, name: 'Ada', email: 'ada@example.com', region, segment, created_at: at },
})

export const orderEnvelope = (
  orderId: string,
  userId: string,
  items: OrderItem[],
  at: number,
  total?: number,
) => ({
  event_id: `evt-${orderId}`,
  timestamp: at,
  source: 'test',
  type: 'OrderPlaced',
  payload: {
    order_id: orderId,
    user_id: userId,
    items,
    total: total ?? Math.round(items.reduce((s, i) => s + i.quantity * i.price, 0) * 100) / 100,
    timestamp: at,
  },
})
