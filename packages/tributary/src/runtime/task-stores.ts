import type { ProducerRecord, RecordMetadata } from '../log/log.ts'
import type { StoreOpenContext } from '../state/backend.ts'
import { openStore, type OpenStore } from '../state/open-store.ts'
import type { SubTopology } from '../topology/sub-topology.ts'
import type { Topology } from '../topology/topology.ts'
import type { RuntimeObserver } from './runtime-observer.ts'
import type { StoreRestorer } from './store-restorer.ts'
import type { TopicNames } from './topic-plan.ts'

interface Shard {
  readonly name: string
  readonly open: OpenStore<unknown>
  /** Changelog topic, or undefined when logging is disabled. */
  readonly changelog: string | undefined
}

/**
 * The store shards of one task. Commit protocol (the caller's order):
 * 1. `changelogRecords()` become part of the commit's output (same transaction under EOS);
 * 2. once the log has accepted the commit, `commit(metadata)` writes the shards' pending writes to
 *    their backends with the next changelog offset as checkpoint;
 * on a failed commit `abort()` discards the pending writes (the task is then rebuilt).
 */
export class TaskStores {
  private constructor(
    private readonly shards: readonly Shard[],
    private readonly partition: number,
  ) {}

  static async open(
    topology: Topology,
    sub: SubTopology,
    partition: number,
    stateDir: string,
    names: TopicNames,
    taskId: string,
    context?: StoreOpenContext,
  ): Promise<TaskStores> {
    const shards: Shard[] = []
    try {
      for (const name of sub.stores) {
        const builder = topology.stores.get(name)!
        const open = await openStore(builder, stateDir, taskId, context)
        shards.push({ name, open, changelog: builder.loggingEnabled ? names.changelog(name) : undefined })
      }
    } catch (err) {
      await Promise.allSettled(shards.map((s) => s.open.bytes.backend.close()))
      throw err
    }
    return new TaskStores(shards, partition)
  }

  /** Typed stores by name, for processors. */
  handles(): Map<string, unknown> {
    return new Map(this.shards.map((s) => [s.name, s.open.store]))
  }

  /** Replays each logged shard's changelog from its checkpoint; reports the counts to `observer`. */
  async restore(restorer: StoreRestorer, observer?: RuntimeObserver): Promise<void> {
    for (const s of this.shards) {
      if (s.changelog === undefined) continue
      const before = restorer.restoredRecords
      await restorer.restore(s.open.bytes, { topic: s.changelog, partition: this.partition })
      observer?.restored?.(s.name, restorer.restoredRecords - before)
    }
  }

  changelogRecords(timestamp: number): ProducerRecord[] {
    const out: ProducerRecord[] = []
    for (const s of this.shards) {
      if (s.changelog === undefined) continue
      for (const [key, value] of s.open.bytes.pending()) {
        out.push({ topic: s.changelog, partition: this.partition, key, value, timestamp })
      }
    }
    return out
  }

  /** Writes pending state to the backends (concurrently); `sent` holds the metadata of this commit's sends. */
  async commit(sent: readonly RecordMetadata[]): Promise<void> {
    const next = new Map<string, number>()
    for (const m of sent)
      if (m.partition === this.partition) next.set(m.topic, Math.max(next.get(m.topic) ?? 0, m.offset + 1))
    await Promise.all(
      this.shards
        .filter((s) => s.open.bytes.hasPending())
        .map((s) => {
          if (s.changelog === undefined) return s.open.bytes.commit()
          const checkpoint = next.get(s.changelog)
          if (checkpoint === undefined)
            throw new Error(`store ${s.name} has pending writes but none reached ${s.changelog}`)
          return s.open.bytes.commit(checkpoint)
        }),
    )
  }

  abort(): void {
    for (const s of this.shards) s.open.bytes.abort()
  }

  async close(): Promise<void> {
    await Promise.all(this.shards.map((s) => s.open.bytes.backend.close()))
  }
}
