import { Admin as KafkaAdminClient } from '@platformatic/kafka'
import { TributaryError } from '../../errors.ts'
import type { Admin, Consumer, ConsumerOptions, Log, Producer, ProducerOptions } from '../log.ts'
import {
  clientOptions,
  toClientSettings,
  type ClientSettings,
  type KafkaLogOptions,
} from './client-settings.ts'
import { KafkaAdmin } from './kafka-admin.ts'
import { KafkaConsumer } from './kafka-consumer.ts'
import { toTributaryError } from './kafka-errors.ts'
import { KafkaProducer } from './kafka-producer.ts'

/**
 * The `Log` on an Apache Kafka cluster (3.5 to 4.1, the range @platformatic/kafka supports), over
 * @platformatic/kafka. Each producer and consumer is its own Kafka client with its own
 * connections; the log keeps track of them and closes them with itself.
 */
export class KafkaLog implements Log {
  readonly admin: Admin
  private readonly clients = new Set<{ close(): Promise<void> }>()
  private closed = false

  private constructor(
    private readonly settings: ClientSettings,
    private readonly adminImpl: KafkaAdmin,
  ) {
    this.admin = adminImpl
  }

  /**
   * Connects to the cluster (one metadata round trip, so a wrong address fails here with LOG
   * rather than at first use). Fails with CONFIG for bad options.
   */
  static async connect(options: KafkaLogOptions): Promise<KafkaLog> {
    const settings = toClientSettings(options)
    const client = new KafkaAdminClient(clientOptions(settings, 'admin'))
    try {
      await client.metadata({ topics: [] })
    } catch (err) {
      await client.close().catch(() => undefined)
      throw toTributaryError(err, `cannot reach Kafka at ${options.brokers.join(', ')}`)
    }
    return new KafkaLog(settings, new KafkaAdmin(client))
  }

  async producer(options: ProducerOptions = {}): Promise<Producer> {
    this.check()
    const producer: KafkaProducer = await KafkaProducer.create(
      this.settings,
      this.adminImpl.metadata,
      options.transactionalId,
      () => this.clients.delete(producer),
    )
    this.clients.add(producer)
    return producer
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    this.check()
    const consumer: KafkaConsumer = new KafkaConsumer(this.settings, this.adminImpl, options, () =>
      this.clients.delete(consumer),
    )
    this.clients.add(consumer)
    return consumer
  }

  /** Closes every producer (aborting open transactions) and consumer (leaving groups), then the admin. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await Promise.allSettled([...this.clients].map((c) => c.close()))
    await this.adminImpl.client.close().catch(() => undefined)
  }

  private check(): void {
    if (this.closed) throw new TributaryError('CLOSED', 'the log is closed')
  }
}
