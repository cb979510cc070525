import { TributaryError } from '../errors.ts'
import type { Serde } from '../serde/serde.ts'
import type { StoreDefinition } from '../state/stores.ts'
import { describeTopology } from './describe.ts'
import type {
  SinkNode,
  SourceNode,
  StreamPartitioner,
  TimestampExtractor,
  TopicExtractor,
  TopologyNode,
} from './nodes.ts'
import type { ProcessorSupplier } from './processor.ts'
import { splitSubTopologies, type SubTopology } from './sub-topology.ts'

export interface SourceOptions<K, V> {
  readonly key: Serde<K>
  readonly value: Serde<V>
  readonly timestampExtractor?: TimestampExtractor<K, V>
}

export interface SinkOptions<K, V> {
  readonly key: Serde<K>
  readonly value: Serde<V>
  readonly partitioner?: StreamPartitioner<K, V>
}

/** A topic the application owns; the runtime names it `<applicationId>-<name>` and creates it. */
export interface InternalTopic {
  readonly name: string
  readonly kind: 'repartition' | 'changelog'
  /** Fixed count; otherwise the runtime uses the largest input partition count upstream. */
  readonly partitions?: number
}

/**
 * A global store: the whole of `topic` (all partitions) in every instance, kept as the latest value
 * per key. The topic is its own changelog; any processor may read the store by name.
 */
export interface GlobalStoreSpec {
  readonly name: string
  readonly topic: string
  readonly key: Serde<unknown>
  readonly value: Serde<unknown>
}

const invalid = (message: string): never => {
  throw new TributaryError('TOPOLOGY', message)
}

/**
 * The processor graph: sources read topics, processors transform, sinks write topics. The DSL
 * builds one of these; users may also build one by hand. Validation runs on every change, so an
 * invalid graph fails where it is written.
 */
export class Topology {
  readonly nodes = new Map<string, TopologyNode>()
  readonly stores = new Map<string, StoreDefinition>()
  readonly internalTopics = new Map<string, InternalTopic>()
  readonly globalStores = new Map<string, GlobalStoreSpec>()
  /** Sets of topics a join reads together: equal partition counts required (checked at start). */
  readonly copartitionGroups: Array<readonly string[]> = []
  private readonly sourceOfTopic = new Map<string, string>()
  private cachedSubTopologies: SubTopology[] | undefined

  addSource<K, V>(name: string, topics: string | readonly string[], options: SourceOptions<K, V>): this {
    const list = typeof topics === 'string' ? [topics] : [...topics]
    if (list.length === 0) invalid(`source ${name} needs at least one topic`)
    for (const topic of list) {
      const other = this.sourceOfTopic.get(topic)
      if (other !== undefined)
        invalid(`topic ${topic} is already read by source ${other}; read it once and share the stream`)
    }
    this.add({
      kind: 'source',
      name,
      topics: list,
      keySerde: options.key as Serde<unknown>,
      valueSerde: options.value as Serde<unknown>,
      timestampExtractor: options.timestampExtractor as TimestampExtractor | undefined,
      children: [],
    })
    list.forEach((topic) => this.sourceOfTopic.set(topic, name))
    return this
  }

  addProcessor<KIn, VIn, KOut, VOut>(
    name: string,
    supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>,
    ...parents: string[]
  ): this {
    this.checkParents(name, parents)
    this.add({
      kind: 'processor',
      name,
      supplier: supplier as ProcessorSupplier<unknown, unknown, unknown, unknown>,
      parents,
      children: [],
      stores: [],
    })
    this.link(name, parents)
    return this
  }

  addSink<K, V>(
    name: string,
    topic: string | TopicExtractor<K, V>,
    options: SinkOptions<K, V>,
    ...parents: string[]
  ): this {
    this.checkParents(name, parents)
    const sink: SinkNode = {
      kind: 'sink',
      name,
      topic: topic as string | TopicExtractor,
      keySerde: options.key as Serde<unknown>,
      valueSerde: options.value as Serde<unknown>,
      partitioner: options.partitioner as StreamPartitioner | undefined,
      parents,
    }
    this.add(sink)
    this.link(name, parents)
    return this
  }

  addStateStore(builder: StoreDefinition, ...processorNames: string[]): this {
    if (this.stores.has(builder.name)) invalid(`store ${builder.name} is already registered`)
    this.stores.set(builder.name, builder)
    return this.connectProcessorAndStateStores(processorNames, [builder.name])
  }

  connectProcessorAndStateStores(processorNames: readonly string[], storeNames: readonly string[]): this {
    for (const processorName of processorNames) {
      const node = this.nodes.get(processorName)
      if (node?.kind !== 'processor')
        return invalid(`${processorName} is not a processor; stores attach to processors`)
      for (const store of storeNames) {
        if (!this.stores.has(store)) invalid(`store ${store} is not registered; call addStateStore first`)
        if (!node.stores.includes(store)) node.stores.push(store)
      }
    }
    this.cachedSubTopologies = undefined
    return this
  }

  addInternalTopic(topic: InternalTopic): this {
    this.internalTopics.set(topic.name, topic)
    return this
  }

  /** Adds a global store filled from `spec.topic`; the topic cannot also be read by a source. */
  addGlobalStore(spec: GlobalStoreSpec): this {
    if (this.stores.has(spec.name) || this.globalStores.has(spec.name))
      invalid(`store ${spec.name} is already registered`)
    const other = this.sourceOfTopic.get(spec.topic)
    if (other !== undefined)
      invalid(`topic ${spec.topic} is already read by ${other}; a global table needs a topic of its own`)
    this.globalStores.set(spec.name, spec)
    this.sourceOfTopic.set(spec.topic, `global store ${spec.name}`)
    return this
  }

  /** Requires `topics` to have equal partition counts, as a join of their records by key needs. */
  addCopartitionGroup(topics: readonly string[]): this {
    const unique = [...new Set(topics)]
    if (unique.length > 1) this.copartitionGroups.push(unique)
    return this
  }

  isInternal(topic: string): boolean {
    return this.internalTopics.has(topic)
  }

  node(name: string): TopologyNode {
    return this.nodes.get(name) ?? invalid(`no node named ${name}`)
  }

  sources(): SourceNode[] {
    return [...this.nodes.values()].filter((n): n is SourceNode => n.kind === 'source')
  }

  /** The source node reading `topic`, if any. */
  sourceFor(topic: string): SourceNode | undefined {
    const name = this.sourceOfTopic.get(topic)
    return name === undefined ? undefined : (this.nodes.get(name) as SourceNode)
  }

  subTopologies(): SubTopology[] {
    this.cachedSubTopologies ??= splitSubTopologies(this.nodes)
    return this.cachedSubTopologies
  }

  /** Human-readable structure in Kafka Streams' format: sub-topologies, sources, processors, stores, sinks. */
  describe(): string {
    return describeTopology(this)
  }

  private add(node: TopologyNode): void {
    if (this.nodes.has(node.name)) invalid(`a node named ${node.name} already exists`)
    this.nodes.set(node.name, node)
    this.cachedSubTopologies = undefined
  }

  private checkParents(name: string, parents: readonly string[]): void {
    if (parents.length === 0) invalid(`${name} needs at least one parent`)
    for (const parent of parents) {
      const node = this.nodes.get(parent)
      if (node === undefined) invalid(`parent ${parent} of ${name} does not exist; add it first`)
      if (node?.kind === 'sink') invalid(`${name} cannot follow sink ${parent}; sinks have no children`)
    }
  }

  private link(child: string, parents: readonly string[]): void {
    for (const parent of parents) (this.nodes.get(parent) as { children: string[] }).children.push(child)
  }
}
