import type { TopicSpec } from './topic-settings.ts'
import { Broker, type BrokerSettings } from './broker.ts'
import { DataDir } from './data-dir.ts'
import { Journal } from './journal.ts'
import type { MetadataEntry } from './metadata-entry.ts'
import { refusal, type StorageContext } from './storage-context.ts'

/**
 * Opens a durable embedded log: locks the directory, replays the metadata journal, checks that
 * the topic directories on disk are exactly the journaled ones, recovers every partition file,
 * finishes interrupted transactions (commit if a commit decision or marker exists, else abort)
 * and rewrites the journal as a compact snapshot. Data is only ever removed when the journal says
 * so (deleted topics) or when it was never acknowledged (torn tails, empty directories of a
 * creation that never reached the journal); any other damage refuses to open with code CORRUPT
 * naming the file (see storage-context.ts). Releases the lock if anything fails.
 */
export function openDurableBroker(dir: string, settings: BrokerSettings): Broker {
  const dataDir = DataDir.open(dir, settings.fs)
  try {
    const ctx: StorageContext = {
      fs: settings.fs,
      problems: settings.problems,
      warn: settings.warn,
      dataDir: dir,
    }
    const entries: MetadataEntry[] = []
    const journal = Journal.open(ctx, dataDir.journalPath, (entry) => entries.push(entry))
    const broker = new Broker(settings, journal, dataDir, ctx)
    const topics = new Map<string, TopicSpec>()
    const deleted = new Set<string>()
    const starts = new Map<string, number>()
    for (const entry of entries) {
      if (entry.t === 'topic') {
        const { t: _, ...spec } = entry
        topics.set(entry.name, spec)
        deleted.delete(entry.name)
      } else if (entry.t === 'topic-deleted') {
        topics.delete(entry.name)
        deleted.add(entry.name)
        broker.offsets.dropTopic(entry.name)
        for (const key of starts.keys()) if (key.startsWith(`${entry.name}\0`)) starts.delete(key)
      } else if (entry.t === 'log-start') {
        const key = `${entry.topic}\0${entry.partition}`
        starts.set(key, Math.max(starts.get(key) ?? 0, entry.offset))
      } else if (entry.t === 'offsets') {
        broker.offsets.apply(entry.group, entry.offsets, entry.ticks)
      } else {
        broker.txns.apply(entry)
      }
    }
    checkTopicDirs(ctx, dataDir, topics, deleted, journal.existed)
    const committed = new Set<number>()
    for (const [txn, commit] of broker.txns.decisions) if (commit) committed.add(txn)
    for (const description of topics.values()) broker.recoverTopic(description, committed, starts)
    completeTransactions(broker, committed)
    journal.rewrite(broker.snapshot())
    return broker
  } catch (err) {
    dataDir.release()
    throw err
  }
}

/**
 * Removes directories of deleted topics and of creations that never reached the journal (they
 * hold no data); refuses to open when a journaled topic's directory is missing or a directory the
 * journal does not list holds data (a damaged or lost journal must never delete it).
 */
function checkTopicDirs(
  ctx: StorageContext,
  dataDir: DataDir,
  topics: ReadonlyMap<string, TopicSpec>,
  deleted: ReadonlySet<string>,
  journalExisted: boolean,
): void {
  const onDisk = new Set(dataDir.topicDirs())
  for (const name of onDisk) {
    if (topics.has(name)) continue
    if (deleted.has(name) || holdsNoData(ctx, dataDir, name)) {
      dataDir.removeTopic(name)
      continue
    }
    const journal = journalExisted ? dataDir.journalPath : `${dataDir.journalPath} (missing or empty)`
    throw refusal(
      ctx,
      dataDir.topicDir(name),
      `holds partition data of a topic that ${journal} does not list`,
    )
  }
  for (const { name, partitions } of topics.values()) {
    if (!onDisk.has(name)) {
      throw refusal(
        ctx,
        dataDir.topicDir(name),
        `is missing, but ${dataDir.journalPath} lists topic ${name} with ${partitions} partitions`,
      )
    }
  }
}

function holdsNoData(ctx: StorageContext, dataDir: DataDir, topic: string): boolean {
  return dataDir.topicFiles(topic).every((path) => ctx.fs.statSync(path).size === 0)
}

/** Writes the missing markers of transactions a crash interrupted, then syncs them. */
function completeTransactions(broker: Broker, committed: ReadonlySet<number>): void {
  for (const topic of broker.registry.all()) {
    for (const log of topic.partitions) {
      broker.txns.noteTxnId(log.maxTxnId)
      for (const txn of log.openTransactions()) log.appendMarker(txn, committed.has(txn))
      log.file?.sync()
    }
  }
  broker.txns.decisions.clear()
}
