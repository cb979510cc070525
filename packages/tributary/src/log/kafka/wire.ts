import {
  FindCoordinatorKeyTypes,
  kGetApi,
  kGetBootstrapConnection,
  kGetConnection,
  type API,
  type Base,
  type Connection,
} from '@platformatic/kafka'
import { isCoordinatorError, retryCoordinator } from './coordinator-retry.ts'

/**
 * Raw Kafka API calls through a @platformatic/kafka client: the client negotiates the API version
 * with the broker and owns the connections; the caller owns the protocol flow. Used where the
 * client's high-level API does not fit Tributary's poll-driven contract (group membership,
 * offset commits with a given generation).
 */
export async function callApi<R>(
  client: Base,
  name: string,
  connection: Connection,
  ...args: unknown[]
): Promise<R> {
  const api = await new Promise<API<unknown[], R>>((resolve, reject) =>
    client[kGetApi]<unknown[], R>(name, (err, found) => (err ? reject(err) : resolve(found!))),
  )
  return api.async(connection, ...args)
}

export function bootstrapConnection(client: Base): Promise<Connection> {
  return new Promise((resolve, reject) =>
    client[kGetBootstrapConnection]((err, connection) => (err ? reject(err) : resolve(connection!))),
  )
}

/** A connection to a broker by node id (from cluster metadata). */
export async function nodeConnection(client: Base, nodeId: number): Promise<Connection> {
  let broker = (await client.metadata({ topics: [] })).brokers.get(nodeId)
  if (broker === undefined)
    broker = (await client.metadata({ topics: [], forceUpdate: true })).brokers.get(nodeId)
  if (broker === undefined) throw new Error(`broker ${nodeId} is not in the cluster metadata`)
  return new Promise((resolve, reject) =>
    client[kGetConnection](broker, (err, connection) => (err ? reject(err) : resolve(connection!))),
  )
}

/** A coordinator error, or a lost connection to the coordinator (a broker restart). */
const retriable = (err: unknown): boolean =>
  isCoordinatorError(err) || (err as { code?: unknown } | null)?.code === 'PLT_KFK_NETWORK'

/**
 * Talks to the coordinator of one consumer group: finds it, keeps the node id, and on a moved,
 * loading or not yet available coordinator finds it again and repeats the request with backoff
 * (retryCoordinator). Every group request (JoinGroup, SyncGroup, Heartbeat, LeaveGroup,
 * OffsetCommit) is safe to repeat: the coordinator either did not act on it or acts the same again.
 */
export class GroupCoordinator {
  private node: number | undefined

  constructor(
    private readonly client: Base,
    readonly groupId: string,
  ) {}

  call<R>(name: string, ...args: unknown[]): Promise<R> {
    return retryCoordinator(
      async () =>
        callApi<R>(this.client, name, await nodeConnection(this.client, await this.find()), ...args),
      { retriable, beforeRetry: () => this.forget() },
    )
  }

  /** Drops the cached coordinator: the next request looks it up again. */
  forget(): void {
    this.node = undefined
  }

  /** The node id of the group's coordinator (looked up once, again after a coordinator error). */
  nodeId(): Promise<number> {
    return this.find()
  }

  private async find(): Promise<number> {
    if (this.node !== undefined) return this.node
    const connection = await bootstrapConnection(this.client)
    const response = await callApi<{ coordinators: { key: string; nodeId: number; errorCode: number }[] }>(
      this.client,
      'FindCoordinator',
      connection,
      FindCoordinatorKeyTypes.GROUP,
      [this.groupId],
    )
    const found = response.coordinators.find((c) => c.key === this.groupId)
    if (found === undefined) throw new Error(`no coordinator for group ${this.groupId}`)
    this.node = found.nodeId
    return found.nodeId
  }
}
