import type {
  Admin,
  Assignor,
  Consumer,
  ConsumerRecord,
  GroupMetadata,
  Log,
  PartitionOffset,
  Producer,
  SubscribeOptions,
} from './log.ts'

/**
 * A view of `log` in which every topic, consumer group and transactional id carries `prefix` on
 * the underlying log and appears without it to the user: several applications or test runs can
 * share one cluster with the same topic names and never see each other. Topics of the underlying
 * log without the prefix are invisible. Closing the view does not close `log`.
 */
export function namespacedLog(log: Log, prefix: string): Log {
  const ns = new Namespace(prefix)
  return {
    admin: namespacedAdmin(log.admin, ns),
    producer: async (options = {}) =>
      namespacedProducer(
        await log.producer(
          options.transactionalId === undefined ? {} : { transactionalId: ns.add(options.transactionalId) },
        ),
        ns,
      ),
    consumer: async (options) =>
      namespacedConsumer(await log.consumer({ ...options, groupId: ns.add(options.groupId) }), ns),
    close: async () => {},
  }
}

class Namespace {
  constructor(private readonly prefix: string) {}
  add = (name: string): string => this.prefix + name
  has = (name: string): boolean => name.startsWith(this.prefix)
  strip = (name: string): string => name.slice(this.prefix.length)
  inward = <T extends { readonly topic: string }>(tp: T): T => ({ ...tp, topic: this.add(tp.topic) })
  outward = <T extends { readonly topic: string }>(tp: T): T => ({ ...tp, topic: this.strip(tp.topic) })
  group = (group: string | GroupMetadata): string | GroupMetadata =>
    typeof group === 'string' ? this.add(group) : { ...group, groupId: this.add(group.groupId) }
}

function namespacedAdmin(admin: Admin, ns: Namespace): Admin {
  return {
    createTopics: (topics) => admin.createTopics(topics.map((t) => ({ ...t, name: ns.add(t.name) }))),
    deleteTopics: (names) => admin.deleteTopics(names.map(ns.add)),
    listTopics: async () => (await admin.listTopics()).filter(ns.has).map(ns.strip),
    describeTopics: async (names) =>
      (await admin.describeTopics(names.map(ns.add))).map((d) => ({ ...d, name: ns.strip(d.name) })),
    beginningOffsets: async (partitions) =>
      (await admin.beginningOffsets(partitions.map(ns.inward))).map(ns.outward),
    endOffsets: async (partitions, isolation) =>
      (await admin.endOffsets(partitions.map(ns.inward), isolation)).map(ns.outward),
    committedOffsets: async (groupId, partitions) =>
      (await admin.committedOffsets(ns.add(groupId), partitions.map(ns.inward))).map(ns.outward),
    ...(admin.deleteRecordsBefore && {
      deleteRecordsBefore: (offsets: readonly PartitionOffset[]) =>
        admin.deleteRecordsBefore!(offsets.map(ns.inward)),
    }),
  }
}

function namespacedProducer(producer: Producer, ns: Namespace): Producer {
  return {
    send: async (records) => (await producer.send(records.map(ns.inward))).map(ns.outward),
    beginTransaction: () => producer.beginTransaction(),
    sendOffsets: (group, offsets) => producer.sendOffsets(ns.group(group), offsets.map(ns.inward)),
    commitTransaction: () => producer.commitTransaction(),
    abortTransaction: () => producer.abortTransaction(),
    close: () => producer.close(),
  }
}

function namespacedConsumer(consumer: Consumer, ns: Namespace): Consumer {
  const groupMetadata = consumer.groupMetadata?.bind(consumer)
  return {
    get memberId() {
      return consumer.memberId
    },
    ...(groupMetadata === undefined
      ? {}
      : {
          groupMetadata: () => {
            const member = groupMetadata()
            return member === undefined ? undefined : { ...member, groupId: ns.strip(member.groupId) }
          },
        }),
    assign: (partitions) => consumer.assign(partitions.map(ns.inward)),
    subscribe: (topics, options) => consumer.subscribe(topics.map(ns.add), subscribeOptions(options, ns)),
    assignment: () => consumer.assignment().map(ns.outward),
    poll: async (options) => (await consumer.poll(options)).map((r): ConsumerRecord => ns.outward(r)),
    seek: (partition, offset) => consumer.seek(ns.inward(partition), offset),
    position: (partition) => consumer.position(ns.inward(partition)),
    pause: (partitions) => consumer.pause(partitions.map(ns.inward)),
    resume: (partitions) => consumer.resume(partitions.map(ns.inward)),
    commit: (offsets) => consumer.commit(offsets.map(ns.inward)),
    committed: async (partitions) => (await consumer.committed(partitions.map(ns.inward))).map(ns.outward),
    close: () => consumer.close(),
  }
}

function subscribeOptions(
  options: SubscribeOptions | undefined,
  ns: Namespace,
): SubscribeOptions | undefined {
  if (options === undefined) return undefined
  const { listener, assignor } = options
  return {
    ...options,
    ...(listener && {
      listener: {
        onRevoked: (partitions) => listener.onRevoked(partitions.map(ns.outward)),
        onAssigned: (partitions) => listener.onAssigned(partitions.map(ns.outward)),
      },
    }),
    ...(assignor && { assignor: namespacedAssignor(assignor, ns) }),
  }
}

function namespacedAssignor(assignor: Assignor, ns: Namespace): Assignor {
  return {
    name: assignor.name,
    assign: (members, partitionsPerTopic) => {
      const inner = assignor.assign(
        members.map((m) => ({ ...m, topics: m.topics.map(ns.strip) })),
        new Map([...partitionsPerTopic].map(([topic, n]) => [ns.strip(topic), n])),
      )
      return new Map([...inner].map(([member, tps]) => [member, tps.map(ns.inward)]))
    },
  }
}
