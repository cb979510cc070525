import { TributaryError } from '../errors.ts'
import type { Admin, TopicConfig } from '../log/log.ts'
import type { StoreDefinition } from '../state/stores.ts'
import type { Topology } from '../topology/topology.ts'
import { changelogTopic } from './changelog-topic.ts'

/** Physical topic names of one application's topology. */
export interface TopicNames {
  /** Physical name of a topology topic: internal topics get `<applicationId>-`. */
  resolve(topic: string): string
  changelog(store: string): string
}

export const topicNames = (applicationId: string, topology: Topology): TopicNames => ({
  resolve: (topic) => (topology.isInternal(topic) ? `${applicationId}-${topic}` : topic),
  changelog: (store) => `${applicationId}-${store}-changelog`,
})

/** The stores whose changes go to a changelog, and how long windowed changelogs keep them beyond
 *  their store's retention (windowstore.changelog.additional.retention.ms). */
export interface ChangelogPlan {
  readonly loggedStores: ReadonlyMap<string, StoreDefinition>
  readonly additionalRetentionMs: number
  /** Told when an existing changelog has another cleanup policy than the plan's (it is kept as
   *  it is, as Kafka Streams does; change it with Kafka's tools). */
  readonly warn: (message: string) => void
}

/** Partition count of each sub-topology (its task count) and of each physical topic involved. */
export interface TopicPlan {
  readonly taskCounts: ReadonlyMap<number, number>
  readonly partitions: ReadonlyMap<string, number>
}

/**
 * Checks that external source topics exist, then creates the internal topics: a repartition topic
 * gets its fixed count or the task count of the sub-topology writing it; a changelog gets the task
 * count of its store's sub-topology and compaction (see changelogTopic). Also creates
 * `extraTopics` (e.g. the DLQ) with the largest task count. Idempotent.
 */
export async function planTopics(
  admin: Admin,
  topology: Topology,
  names: TopicNames,
  changelogs: ChangelogPlan,
  extraTopics: readonly string[],
): Promise<TopicPlan> {
  const partitions = new Map<string, number>()
  const external = topology.sources().flatMap((s) => s.topics.filter((t) => !topology.isInternal(t)))
  const existing = new Set(await admin.listTopics())
  const missing = external.filter((t) => !existing.has(t))
  if (missing.length > 0) {
    throw new TributaryError(
      'CONFIG',
      `input topic(s) ${missing.join(', ')} do not exist; create them before starting the application`,
    )
  }
  for (const d of await admin.describeTopics(external)) partitions.set(d.name, d.partitions)
  for (const [name, internal] of topology.internalTopics) {
    if (internal.partitions !== undefined) partitions.set(name, internal.partitions)
  }

  sizeCopartitioned(topology, partitions)

  // Resolve unknown repartition counts from upstream sub-topologies until nothing changes.
  const subs = topology.subTopologies()
  const taskCounts = new Map<number, number>()
  for (let changed = true; changed;) {
    changed = false
    for (const sub of subs) {
      const known = sub.sourceTopics.map((t) => partitions.get(t)).filter((n): n is number => n !== undefined)
      if (known.length < sub.sourceTopics.length) continue
      const count = Math.max(...known)
      if (taskCounts.get(sub.id) !== count) {
        taskCounts.set(sub.id, count)
        changed = true
      }
      for (const topic of sub.sinkTopics) {
        if (topology.isInternal(topic) && !partitions.has(topic)) {
          partitions.set(topic, count)
          changed = true
        }
      }
    }
  }
  const unresolved = subs.filter((s) => !taskCounts.has(s.id))
  if (unresolved.length > 0) {
    throw new TributaryError(
      'TOPOLOGY',
      `cannot size sub-topologies ${unresolved.map((s) => s.id).join(', ')}: a cycle of internal topics`,
    )
  }

  checkCopartitioned(topology, partitions)

  const create: TopicConfig[] = []
  for (const [name, topic] of topology.internalTopics) {
    // Kept until consumed (RepartitionPurge deletes them then), whatever their event time.
    const retentionMs = topic.kind === 'repartition' ? -1 : undefined
    create.push({
      name: names.resolve(name),
      partitions: partitions.get(name)!,
      cleanupPolicy: 'delete',
      ...(retentionMs === undefined ? {} : { retentionMs }),
    })
  }
  for (const sub of subs) {
    for (const store of sub.stores) {
      const definition = changelogs.loggedStores.get(store)
      if (definition !== undefined) {
        const partitions = taskCounts.get(sub.id)!
        create.push(
          changelogTopic(names.changelog(store), partitions, definition, changelogs.additionalRetentionMs),
        )
      }
    }
  }
  const widest = Math.max(1, ...taskCounts.values())
  const extras = extraTopics.filter((t) => !existing.has(t)).map((name) => ({ name, partitions: widest }))
  await admin.createTopics([...create, ...extras])
  await checkExisting(admin, create, changelogs.warn)

  const physical = new Map<string, number>()
  for (const [topic, count] of partitions) physical.set(names.resolve(topic), count)
  for (const c of [...create, ...extras]) physical.set(c.name, c.partitions)
  // Output topics that exist now: their counts are what custom partitioners are given.
  const outputs = subs.flatMap((s) => s.sinkTopics).filter((t) => !topology.isInternal(t) && existing.has(t))
  for (const d of await admin.describeTopics([...new Set(outputs)])) physical.set(d.name, d.partitions)
  return { taskCounts, partitions: physical }
}

/**
 * Join inputs must have equal partition counts (a key's records then meet in one task). Source
 * topics of a group that differ fail here; internal topics of a group (repartition, foreign-key
 * subscription and response topics) without a fixed count take the count of its source topics.
 */
function sizeCopartitioned(topology: Topology, partitions: Map<string, number>): void {
  for (const group of topology.copartitionGroups) {
    const external = group.filter((t) => !topology.isInternal(t))
    if (new Set(external.map((t) => partitions.get(t))).size > 1) throw copartitionError(group, partitions)
    const count = external.length > 0 ? partitions.get(external[0]!) : undefined
    if (count === undefined) continue
    for (const topic of group) if (!partitions.has(topic)) partitions.set(topic, count)
  }
}

/** After sizing: every group, internal topics included, has one partition count. */
function checkCopartitioned(topology: Topology, partitions: ReadonlyMap<string, number>): void {
  for (const group of topology.copartitionGroups) {
    if (new Set(group.map((t) => partitions.get(t))).size > 1) throw copartitionError(group, partitions)
  }
}

const copartitionError = (
  group: readonly string[],
  partitions: ReadonlyMap<string, number>,
): TributaryError =>
  new TributaryError(
    'TOPOLOGY',
    `topics ${group.map((t) => `${t} (${partitions.get(t) ?? '?'} partitions)`).join(', ')} are joined by key and must be co-partitioned: give them the same number of partitions (or repartition one side)`,
  )

/** An internal topic left from an earlier run with another partition count would break task
 *  routing (refused); one with another cleanup policy works and is only reported. */
async function checkExisting(
  admin: Admin,
  wanted: readonly TopicConfig[],
  warn: (message: string) => void,
): Promise<void> {
  if (wanted.length === 0) return
  for (const d of await admin.describeTopics(wanted.map((w) => w.name))) {
    const want = wanted.find((w) => w.name === d.name)!
    const policy = want.cleanupPolicy ?? 'delete'
    if (d.cleanupPolicy !== policy) {
      warn(
        `internal topic ${d.name} has cleanup.policy ${d.cleanupPolicy}, created by an earlier version; this version creates it with ${policy}${want.retentionMs === undefined ? '' : ` and retention.ms ${want.retentionMs}`} (on Kafka: kafka-configs.sh --alter --entity-type topics --entity-name ${d.name} --add-config ...)`,
      )
    }
    if (want.partitions !== d.partitions) {
      throw new TributaryError(
        'CONFIG',
        `internal topic ${d.name} has ${d.partitions} partitions but the topology needs ${want.partitions}; delete it (and the application's state) or change the input partition counts back`,
      )
    }
  }
}
