import type { TopicDescription } from '../log.ts'
import { Broker, type BrokerSettings } from './broker.ts'
import { DataDir } from './data-dir.ts'
import { Journal } from './journal.ts'
import type { MetadataEntry } from './metadata-entry.ts'

/**
 * Opens a durable embedded log: locks the directory, replays the metadata journal, recovers every
 * partition file (truncating torn or corrupt tails), finishes interrupted transactions (commit if
 * the journal holds a commit decision, else abort), removes directories of deleted topics and
 * rewrites the journal as a compact snapshot. Releases the lock if anything fails.
 */
export function openDurableBroker(dir: string, settings: BrokerSettings): Broker {
  const dataDir = DataDir.open(dir)
  try {
    const entries: MetadataEntry[] = []
    const journal = Journal.open(dataDir.journalPath, (entry) => entries.push(entry), settings.warn)
    const broker = new Broker(settings, journal, dataDir)
    const topics = new Map<string, TopicDescription>()
    for (const entry of entries) {
      if (entry.t === 'topic') {
        topics.set(entry.name, {
          name: entry.name,
          partitions: entry.partitions,
          cleanupPolicy: entry.cleanupPolicy,
        })
      } else if (entry.t === 'topic-deleted') {
        topics.delete(entry.name)
        broker.offsets.dropTopic(entry.name)
      } else if (entry.t === 'offsets') {
        broker.offsets.apply(entry.group, entry.offsets)
      } else {
        broker.txns.apply(entry)
      }
    }
    for (const description of topics.values()) broker.openTopic(description)
    dataDir.removeUnknownTopics(new Set(topics.keys()))
    completeTransactions(broker)
    journal.rewrite(broker.snapshot())
    return broker
  } catch (err) {
    dataDir.release()
    throw err
  }
}

/** Writes the missing markers of transactions a crash interrupted, then syncs them. */
function completeTransactions(broker: Broker): void {
  for (const topic of broker.registry.all()) {
    for (const log of topic.partitions) {
      for (const txn of log.txns) if (txn !== 0) broker.txns.noteTxnId(txn)
      for (const txn of log.openTransactions()) log.appendMarker(txn, broker.txns.decisions.get(txn) === true)
      log.file?.sync()
    }
  }
  broker.txns.decisions.clear()
}
