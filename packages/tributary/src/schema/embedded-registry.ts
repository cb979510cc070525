import { randomUUID } from 'node:crypto'
import { isTributaryError } from '../errors.ts'
import {
  COMPATIBILITY_LEVELS,
  RegistryError,
  RegistryErrorCodes as E,
  type CompatibilityLevel,
  type CompatibilityResult,
  type SchemaInput,
  type SchemaRegistryClient,
  type StoredSchema,
  type SubjectVersion,
  type VersionRef,
} from '../serde/registry-client.ts'
import { checkCompatibility } from './compatibility.ts'
import { parseSchema, type ParsedSchema } from './parsed-schema.ts'
import type { RegistryConsumer, RegistryLog } from './registry-log.ts'
import { decodeKey, encodeKey, encodeValue, type RegistryKey, type SchemaValue } from './registry-records.ts'
import { RegistryState } from './registry-state.ts'

export interface EmbeddedRegistryOptions {
  /** The log holding the schemas: the app's embedded log or Kafka. */
  readonly log: RegistryLog
  /** Compacted, one partition. Default `_schemas`, as Confluent's. */
  readonly topic?: string
  /** Level for subjects without their own, until one is set with setCompatibility. Default BACKWARD. */
  readonly defaultCompatibility?: CompatibilityLevel
}

interface Write {
  readonly key: RegistryKey
  readonly value: unknown
}

const DEFAULT_LEVEL: CompatibilityLevel = 'BACKWARD'
const MAX_WRITE_ATTEMPTS = 20

const notFound = (subject: string): RegistryError =>
  new RegistryError(404, E.SUBJECT_NOT_FOUND, `Subject '${subject}' not found.`)
const versionNotFound = (subject: string, version: VersionRef): RegistryError =>
  new RegistryError(404, E.VERSION_NOT_FOUND, `Version ${version} not found for subject '${subject}'.`)

/**
 * A Confluent-compatible schema registry inside the process, persisted in a compacted topic on any
 * log, so ids survive restarts and every instance on one log agrees.
 *
 * Consistency: every operation first reads the topic to its end (read_committed). Writes are
 * serialised across instances by a transactional producer with one well-known id per topic: opening
 * it fences any other instance's writer, so a write whose commit succeeds was computed from the
 * state after every earlier write (ids are max+1, versions max+1); a fenced writer catches up and
 * tries again. After its commit the writer reads back and checks its record won.
 */
export class EmbeddedSchemaRegistry implements SchemaRegistryClient {
  private readonly state = new RegistryState()
  private readonly partition: { topic: string; partition: number }
  private queue: Promise<unknown> = Promise.resolve()
  private closed = false

  private constructor(
    private readonly log: RegistryLog,
    private readonly consumer: RegistryConsumer,
    private readonly topic: string,
    private readonly defaultLevel: CompatibilityLevel,
  ) {
    this.partition = { topic, partition: 0 }
  }

  /** Creates the topic when missing and reads it to the end. */
  static async open(options: EmbeddedRegistryOptions): Promise<EmbeddedSchemaRegistry> {
    const topic = options.topic ?? '_schemas'
    await options.log.admin.createTopics([{ name: topic, partitions: 1, cleanupPolicy: 'compact' }])
    const consumer = await options.log.consumer({
      groupId: `schema-registry-${randomUUID()}`,
      isolation: 'read_committed',
    })
    await consumer.assign([{ topic, partition: 0 }])
    const registry = new EmbeddedSchemaRegistry(
      options.log,
      consumer,
      topic,
      options.defaultCompatibility ?? DEFAULT_LEVEL,
    )
    await registry.catchUp()
    return registry
  }

  // ---- reads (each catches up first, so an instance sees what any other committed) ----

  async subjects(deleted = false): Promise<string[]> {
    return this.read(() => this.state.subjects(deleted))
  }

  async versions(subject: string, deleted = false): Promise<number[]> {
    return this.read(() => {
      const versions = this.state.versions(subject, deleted)
      if (versions.length === 0) throw notFound(subject)
      return versions
    })
  }

  async version(subject: string, version: VersionRef, deleted = false): Promise<SubjectVersion> {
    return this.read(() =>
      this.state.subjectVersion(subject, this.resolveVersion(subject, version, deleted))!,
    )
  }

  async schemaById(id: number): Promise<StoredSchema> {
    return this.read(() => {
      const entry = this.state.byId(id)
      if (entry === undefined) throw new RegistryError(404, E.SCHEMA_NOT_FOUND, `Schema ${id} not found`)
      return { id, schema: entry.schema, schemaType: entry.schemaType }
    })
  }

  /** Where a schema id is used: subject and version pairs. */
  async usesOfId(id: number): Promise<{ subject: string; version: number }[]> {
    return this.read(() => {
      if (this.state.byId(id) === undefined)
        throw new RegistryError(404, E.SCHEMA_NOT_FOUND, `Schema ${id} not found`)
      return this.state
        .usesOf(id)
        .filter((u) => !u.deleted)
        .map(({ subject, version }) => ({ subject, version }))
    })
  }

  cachedSchemaById(id: number): StoredSchema | undefined {
    const entry = this.state.byId(id)
    if (entry === undefined) {
      void this.read(() => undefined).catch(() => undefined) // pick up other instances' writes for next time
      return undefined
    }
    return { id, schema: entry.schema, schemaType: entry.schemaType }
  }

  async lookup(subject: string, input: SchemaInput, deleted = false): Promise<SubjectVersion | undefined> {
    const parsed = parseSchema(input)
    return this.read(() => this.find(subject, parsed, deleted))
  }

  /** As `lookup`, failing as Confluent's POST /subjects/{s}: 40401 without the subject, 40403 without the schema. */
  async lookupOrFail(subject: string, input: SchemaInput, deleted = false): Promise<SubjectVersion> {
    const parsed = parseSchema(input)
    return this.read(() => {
      if (this.state.versions(subject, deleted).length === 0) throw notFound(subject)
      const found = this.find(subject, parsed, deleted)
      if (found === undefined) throw new RegistryError(404, E.SCHEMA_NOT_FOUND, 'Schema not found')
      return found
    })
  }

  async testCompatibility(
    subject: string,
    input: SchemaInput,
    version?: VersionRef,
  ): Promise<CompatibilityResult> {
    const parsed = parseSchema(input)
    return this.read(() => {
      const level = this.levelOf(subject)
      if (version === undefined) return checkCompatibility(level, parsed, this.live(subject))
      const v = this.resolveVersion(subject, version, false)
      const single = level.replace('_TRANSITIVE', '') as CompatibilityLevel
      return checkCompatibility(
        single,
        parsed,
        this.live(subject).filter((p) => p.version === v),
      )
    })
  }

  async compatibility(subject?: string): Promise<CompatibilityLevel> {
    return this.read(() => (subject === undefined ? this.globalLevel() : this.levelOf(subject)))
  }

  /** The subject's own level, undefined when it has none (Confluent's 40408 on GET /config/{s}). */
  async subjectCompatibility(subject: string): Promise<CompatibilityLevel | undefined> {
    return this.read(() => this.state.config(subject))
  }

  // ---- writes ----

  async register(subject: string, input: SchemaInput): Promise<number> {
    return (await this.registerVersion(subject, input)).id
  }

  /** Registers and resolves with the version (an existing one when the schema is already live there). */
  async registerVersion(subject: string, input: SchemaInput): Promise<SubjectVersion> {
    const parsed = parseSchema(input)
    return this.write(() => {
      const existing = this.find(subject, parsed, false)
      if (existing !== undefined) return { writes: [], result: existing }
      const result = checkCompatibility(this.levelOf(subject), parsed, this.live(subject))
      if (!result.compatible)
        throw new RegistryError(
          409,
          E.INCOMPATIBLE_SCHEMA,
          `Schema being registered is incompatible with an earlier schema for subject "${subject}", details: ${result.messages.join('; ')}`,
        )
      const known = this.state.idOf(parsed)
      const id = known ?? this.state.nextId()
      const version = this.state.nextVersion(subject)
      const text = known === undefined ? input.schema : this.state.byId(known)!.schema
      const value: SchemaValue = {
        subject,
        version,
        id,
        schemaType: parsed.schemaType,
        schema: text,
        deleted: false,
      }
      const writes: Write[] = [{ key: { keytype: 'SCHEMA', subject, version }, value }]
      if (known === undefined) writes.push({ key: { keytype: 'ID_HIGH_WATER' }, value: { maxId: id } })
      return {
        writes,
        result: { subject, version, id, schema: text, schemaType: parsed.schemaType },
        verify: () => this.state.entry(subject, version)?.id === id,
      }
    })
  }

  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<void> {
    if (!COMPATIBILITY_LEVELS.includes(level))
      throw new RegistryError(
        422,
        E.INVALID_COMPATIBILITY_LEVEL,
        `Invalid compatibility level. Valid values are ${COMPATIBILITY_LEVELS.join(', ')}`,
      )
    await this.write(() => ({
      writes: [
        { key: { keytype: 'CONFIG', subject: subject ?? null }, value: { compatibilityLevel: level } },
      ],
      result: undefined,
    }))
  }

  /** Removes a subject's own level; resolves with the level it had (40408 when none). */
  async deleteSubjectCompatibility(subject: string): Promise<CompatibilityLevel> {
    return this.write(() => {
      const level = this.state.config(subject)
      if (level === undefined)
        throw new RegistryError(
          404,
          E.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
          `Subject '${subject}' does not have subject-level compatibility configured`,
        )
      return { writes: [{ key: { keytype: 'CONFIG', subject }, value: null }], result: level }
    })
  }

  async deleteSubject(subject: string, permanent = false): Promise<number[]> {
    return this.write(() => {
      const all = this.state.versions(subject, true)
      if (all.length === 0) throw notFound(subject)
      const live = this.state.versions(subject, false)
      if (!permanent) {
        if (live.length === 0)
          throw new RegistryError(
            404,
            E.SUBJECT_SOFT_DELETED,
            `Subject '${subject}' was soft deleted.Set permanent=true to delete permanently`,
          )
        return { writes: live.map((v) => this.softDelete(subject, v)), result: live }
      }
      if (live.length > 0)
        throw new RegistryError(
          404,
          E.SUBJECT_NOT_SOFT_DELETED,
          `Subject '${subject}' was not deleted first before being permanently deleted`,
        )
      const writes: Write[] = all.map((version) => ({
        key: { keytype: 'SCHEMA', subject, version },
        value: null,
      }))
      if (this.state.config(subject) !== undefined)
        writes.push({ key: { keytype: 'CONFIG', subject }, value: null })
      return { writes, result: all }
    })
  }

  async deleteVersion(subject: string, version: VersionRef, permanent = false): Promise<number> {
    return this.write(() => {
      // A soft delete of 'latest' means the latest live version; of a number, any (to say 40406).
      const v = this.resolveVersion(subject, version, permanent || version !== 'latest')
      const entry = this.state.entry(subject, v)!
      if (!permanent) {
        if (entry.deleted)
          throw new RegistryError(
            404,
            E.VERSION_SOFT_DELETED,
            `Subject '${subject}' Version ${v} was soft deleted.Set permanent=true to delete permanently`,
          )
        return { writes: [this.softDelete(subject, v)], result: v }
      }
      if (!entry.deleted)
        throw new RegistryError(
          404,
          E.VERSION_NOT_SOFT_DELETED,
          `Subject '${subject}' Version ${v} was not deleted first before being permanently deleted`,
        )
      return { writes: [{ key: { keytype: 'SCHEMA', subject, version: v }, value: null }], result: v }
    })
  }

  /** Stops reading the topic. The log stays open: it is the caller's. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.queue.catch(() => undefined)
    await this.consumer.close()
  }

  // ---- internals ----

  private softDelete(subject: string, version: number): Write {
    const current = this.state.subjectVersion(subject, version)!
    const value: SchemaValue = { ...current, deleted: true }
    return { key: { keytype: 'SCHEMA', subject, version }, value }
  }

  private find(subject: string, parsed: ParsedSchema, deleted: boolean): SubjectVersion | undefined {
    for (const version of this.state.versions(subject, deleted).reverse()) {
      const sv = this.state.subjectVersion(subject, version)!
      const stored = this.state.byId(sv.id)!
      if (stored.schemaType === parsed.schemaType && stored.parsed.canonical === parsed.canonical) return sv
    }
    return undefined
  }

  private live(subject: string): { version: number; schema: ParsedSchema }[] {
    return this.state.versions(subject).map((version) => ({
      version,
      schema: this.state.byId(this.state.entry(subject, version)!.id)!.parsed,
    }))
  }

  private globalLevel(): CompatibilityLevel {
    return this.state.config(null) ?? this.defaultLevel
  }

  private levelOf(subject: string): CompatibilityLevel {
    return this.state.config(subject) ?? this.globalLevel()
  }

  /** A version number that exists (live, or also soft-deleted with `deleted`); fails 40401/40402. */
  private resolveVersion(subject: string, version: VersionRef, deleted: boolean): number {
    if (
      version !== 'latest' &&
      version !== -1 &&
      (!Number.isInteger(version) || version < 1 || version > 2 ** 31 - 1)
    )
      throw new RegistryError(
        422,
        E.INVALID_VERSION,
        `The specified version '${version}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
      )
    const versions = this.state.versions(subject, deleted)
    if (!this.state.hasSubject(subject) || (versions.length === 0 && !deleted)) throw notFound(subject)
    const v = version === 'latest' || version === -1 ? versions[versions.length - 1] : version
    if (v === undefined || !versions.includes(v)) throw versionNotFound(subject, version)
    return v
  }

  private async read<T>(body: () => T): Promise<T> {
    return this.serial(async () => {
      await this.catchUp()
      return body()
    })
  }

  /**
   * Runs `plan` against the caught-up state inside a fenced transaction and commits its writes.
   * A plan that throws (a rejected request) writes nothing.
   */
  private async write<T>(plan: () => { writes: Write[]; result: T; verify?: () => boolean }): Promise<T> {
    return this.serial(async () => {
      for (let attempt = 1; ; attempt++) {
        const producer = await this.log.producer({ transactionalId: `${this.topic}-registry-writer` })
        try {
          await this.catchUp()
          const { writes, result, verify } = plan()
          if (writes.length === 0) return result
          await producer.beginTransaction()
          await producer.send(
            writes.map((w) => ({
              topic: this.topic,
              partition: 0,
              key: encodeKey(w.key),
              value: encodeValue(w.value as never),
            })),
          )
          await producer.commitTransaction()
          await this.catchUp()
          if (verify === undefined || verify()) return result
          if (attempt >= MAX_WRITE_ATTEMPTS)
            throw new RegistryError(
              500,
              E.STORE_ERROR,
              'Error while registering: lost a write conflict too often',
            )
        } catch (err) {
          if (
            !(isTributaryError(err, 'FENCED') || isTributaryError(err, 'TRANSACTION')) ||
            attempt >= MAX_WRITE_ATTEMPTS
          )
            throw err
        } finally {
          await producer.close().catch(() => undefined)
        }
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 10 * attempt))
      }
    })
  }

  private serial<T>(task: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new RegistryError(500, E.STORE_ERROR, 'schema registry is closed'))
    const run = this.queue.then(task, task)
    this.queue = run.catch(() => undefined)
    return run
  }

  private async catchUp(): Promise<void> {
    const [end] = await this.log.admin.endOffsets([this.partition], 'read_committed')
    while (this.consumer.position(this.partition) < end!.offset) {
      for (const record of await this.consumer.poll({ maxRecords: 1000, timeoutMs: 100 })) {
        if (record.key === null) continue
        const key = decodeKey(record.key)
        if (key !== undefined)
          this.state.apply(key, record.value === null ? null : JSON.parse(record.value.toString('utf8')))
      }
    }
  }
}
