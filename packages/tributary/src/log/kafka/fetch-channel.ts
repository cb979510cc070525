import {
  ConnectionPool,
  type Connection,
  Consumer as KafkaConsumerClient,
  FetchIsolationLevels,
  type fetchV17,
} from '@platformatic/kafka'
import type { Isolation } from '../log.ts'
import type { clientOptions } from './client-settings.ts'
import { toTributaryError } from './kafka-errors.ts'
import { callApi } from './wire.ts'

const FETCH_MAX_BYTES = 16 << 20

/**
 * Fetch requests of one consumer, on connections of their own (a waiting fetch never delays a
 * heartbeat or commit). Uses the raw Fetch API rather than `client.fetch`: under read_committed
 * the client filters aborted transactions itself and throws from a socket callback (an uncaught
 * exception) when a fetch holds an abort marker of a producer it has no range for; the caller
 * filters instead (decodePartition).
 */
export class FetchChannel {
  private readonly pool: ConnectionPool
  private closed = false

  constructor(
    private readonly client: KafkaConsumerClient,
    options: ReturnType<typeof clientOptions>,
    private readonly isolation: Isolation,
    maxWaitMs: number,
  ) {
    this.pool = new ConnectionPool(options.clientId, {
      ...options,
      requestTimeout: Math.max(options.requestTimeout ?? 30_000, maxWaitMs + 10_000),
    })
  }

  /** One Fetch to broker `node`, waiting up to `waitMs` for data; undefined when the node is not
   *  known (metadata is refreshed for the next try). Partition errors come in the response. */
  async fetch(
    node: number,
    topics: fetchV17.FetchRequestTopic[],
    waitMs: number,
  ): Promise<fetchV17.FetchResponse | undefined> {
    if (node < 0) {
      this.client.clearMetadata()
      return undefined
    }
    try {
      const broker = (await this.client.metadata({ topics: [] })).brokers.get(node)
      if (broker === undefined) {
        this.client.clearMetadata()
        return undefined
      }
      const connection = await new Promise<Connection>((resolve, reject) =>
        this.pool.get(broker, (err, c) => (err ? reject(err) : resolve(c!))),
      )
      const isolation =
        this.isolation === 'read_committed'
          ? FetchIsolationLevels.READ_COMMITTED
          : FetchIsolationLevels.READ_UNCOMMITTED
      return await callApi<fetchV17.FetchResponse>(
        this.client,
        'Fetch',
        connection,
        waitMs,
        1,
        FETCH_MAX_BYTES,
        isolation,
        0,
        0,
        topics,
        [],
        '',
      )
    } catch (err) {
      const response = (err as { response?: fetchV17.FetchResponse }).response
      if (response?.responses !== undefined) return response
      if (this.closed) return undefined
      this.client.clearMetadata()
      throw toTributaryError(err, `fetch from broker ${node}`)
    }
  }

  async close(): Promise<void> {
    this.closed = true
    await this.pool.close()
  }
}
