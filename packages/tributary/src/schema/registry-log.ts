/**
 * The part of the Log interface (src/log/log.ts) the registry uses, restated structurally so the
 * schema layer stays below the log layer: any Log, embedded or Kafka, satisfies it.
 */
export interface RegistryLog {
  readonly admin: {
    createTopics(
      topics: readonly { name: string; partitions: number; cleanupPolicy?: 'delete' | 'compact' }[],
    ): Promise<void>
    endOffsets(
      partitions: readonly { topic: string; partition: number }[],
      isolation?: 'read_committed' | 'read_uncommitted',
    ): Promise<readonly { offset: number }[]>
  }
  producer(options?: { transactionalId?: string }): Promise<RegistryProducer>
  consumer(options: {
    groupId: string
    isolation?: 'read_committed' | 'read_uncommitted'
  }): Promise<RegistryConsumer>
}

export interface RegistryProducer {
  send(
    records: readonly { topic: string; partition?: number; key: Buffer | null; value: Buffer | null }[],
  ): Promise<unknown>
  beginTransaction(): Promise<void>
  commitTransaction(): Promise<void>
  abortTransaction(): Promise<void>
  close(): Promise<void>
}

export interface RegistryConsumer {
  assign(partitions: readonly { topic: string; partition: number }[]): Promise<void>
  poll(options?: {
    maxRecords?: number
    timeoutMs?: number
  }): Promise<readonly { key: Buffer | null; value: Buffer | null; offset: number }[]>
  position(partition: { topic: string; partition: number }): number
  close(): Promise<void>
}
