import { TributaryError } from '../errors.ts'
import type { SchemaInput, SchemaRegistryClient, StoredSchema } from './registry-client.ts'
import type { Serde } from './serde.ts'

/**
 * How a topic maps to a subject. 'topic' (Confluent's TopicNameStrategy, the default):
 * `<topic>-value` / `<topic>-key`; 'record' (RecordNameStrategy): the record's full name, so one
 * topic may carry several record types; 'topic-record': `<topic>-<record name>`.
 */
export type SubjectNameStrategy =
  | 'topic'
  | 'record'
  | 'topic-record'
  | ((topic: string, isKey: boolean, recordName: string | undefined) => string)

export interface RegistrySerdeOptions {
  readonly registry: SchemaRegistryClient
  readonly subjectNameStrategy?: SubjectNameStrategy
  /** The serde is for record keys (subject suffix `-key`). Default false. */
  readonly isKey?: boolean
  /** `prepare` registers the schema (default true); false: it must already be registered, and is looked up. */
  readonly autoRegister?: boolean
}

/**
 * A serde that writes Confluent's wire format. `serialize` is synchronous but registering is not,
 * so registration happens ahead of time: `await serde.prepare(topics)` before the app starts
 * registers (or looks up) the schema under each topic's subject and caches its id, and fetches
 * the subject's registered versions so their ids decode without a round trip. Decoding an id that
 * is not cached uses the registry's synchronous cache (always current for the in-process
 * registry); a miss fails with SERDE and warms the cache in the background.
 */
export interface RegistrySerde<T> extends Serde<T> {
  prepare(topics?: readonly string[]): Promise<void>
  /** The subject a topic's records are registered under. */
  subjectFor(topic: string): string
}

/** Subject resolution, id cache and writer-schema cache shared by the Avro and JSON Schema serdes. */
export class RegistryBinding {
  private readonly ids = new Map<string, number>()
  private readonly strategy: SubjectNameStrategy
  private readonly isKey: boolean

  constructor(
    private readonly options: RegistrySerdeOptions,
    private readonly schema: SchemaInput,
    private readonly recordName: string | undefined,
    private readonly format: string,
  ) {
    this.strategy = options.subjectNameStrategy ?? 'topic'
    this.isKey = options.isKey ?? false
  }

  subjectFor(topic: string): string {
    const s = this.strategy
    if (typeof s === 'function') return s(topic, this.isKey, this.recordName)
    if (s === 'topic') return `${topic}-${this.isKey ? 'key' : 'value'}`
    if (this.recordName === undefined)
      throw new TributaryError(
        'CONFIG',
        `subjectNameStrategy '${s}' needs a named ${this.format} schema (a record name or title)`,
      )
    return s === 'record' ? this.recordName : `${topic}-${this.recordName}`
  }

  async prepare(topics: readonly string[]): Promise<void> {
    const subjects = new Set(topics.map((t) => this.subjectFor(t)))
    if (topics.length === 0 && this.strategy !== 'topic') subjects.add(this.subjectFor(''))
    const { registry } = this.options
    for (const subject of subjects) {
      if (this.options.autoRegister === false) {
        const found = await registry.lookup(subject, this.schema)
        if (found !== undefined) this.ids.set(subject, found.id)
      } else this.ids.set(subject, await registry.register(subject, this.schema))
      const versions = await registry.versions(subject).catch(() => [] as number[])
      for (const v of versions) await registry.schemaById((await registry.version(subject, v)).id)
    }
  }

  /** The id to write for a topic; SERDE when `prepare` did not cover the topic. */
  idFor(topic: string): number {
    const subject = this.subjectFor(topic)
    const id = this.ids.get(subject)
    if (id !== undefined) return id
    throw new TributaryError(
      'SERDE',
      this.options.autoRegister === false
        ? `the ${this.format} schema is not registered under subject '${subject}' (autoRegister is off): register it, then await serde.prepare(['${topic}'])`
        : `no schema id for subject '${subject}' yet: await serde.prepare(['${topic}']) before producing to ${topic}`,
    )
  }

  /** The writer schema of an id, from cache; SERDE (and a background fetch) on a miss. */
  writerSchema(id: number, topic: string): StoredSchema {
    const { registry } = this.options
    const cached = registry.cachedSchemaById?.(id)
    if (cached !== undefined) return cached
    void registry.schemaById(id).catch(() => undefined)
    throw new TributaryError(
      'SERDE',
      `record in ${topic} has unknown schema id ${id} (not registered, or not fetched yet: await serde.prepare(['${topic}']) fetches the subject's versions)`,
    )
  }
}
