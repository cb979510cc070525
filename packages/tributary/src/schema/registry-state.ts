import type {
  CompatibilityLevel,
  SchemaType,
  StoredSchema,
  SubjectVersion,
} from '../serde/registry-client.ts'
import type { ParsedSchema } from './parsed-schema.ts'
import { parseSchema } from './parsed-schema.ts'
import type { ConfigValue, HighWaterValue, RegistryKey, SchemaValue } from './registry-records.ts'

export interface VersionEntry {
  readonly id: number
  readonly deleted: boolean
}

interface IdEntry extends StoredSchema {
  readonly parsed: ParsedSchema
}

/**
 * The registry's state, a pure function of the `_schemas` records applied in offset order.
 * Two instances that applied the same records hold the same state.
 */
export class RegistryState {
  private readonly subjectsMap = new Map<string, Map<number, VersionEntry>>()
  private readonly ids = new Map<number, IdEntry>()
  private readonly configs = new Map<string | null, CompatibilityLevel>()
  private highWater = 0

  apply(key: RegistryKey, value: unknown): void {
    if (key.keytype === 'ID_HIGH_WATER') {
      if (value !== null) this.highWater = Math.max(this.highWater, (value as HighWaterValue).maxId)
    } else if (key.keytype === 'CONFIG') {
      if (value === null) this.configs.delete(key.subject)
      else this.configs.set(key.subject, (value as ConfigValue).compatibilityLevel)
    } else if (value === null) this.dropVersion(key.subject, key.version)
    else this.putVersion(value as SchemaValue)
  }

  private putVersion(v: SchemaValue): void {
    let versions = this.subjectsMap.get(v.subject)
    if (versions === undefined) this.subjectsMap.set(v.subject, (versions = new Map()))
    versions.set(v.version, { id: v.id, deleted: v.deleted })
    if (!this.ids.has(v.id))
      this.ids.set(v.id, {
        id: v.id,
        schema: v.schema,
        schemaType: v.schemaType,
        parsed: parseSchema({ schema: v.schema, schemaType: v.schemaType }),
      })
    this.highWater = Math.max(this.highWater, v.id)
  }

  private dropVersion(subject: string, version: number): void {
    const versions = this.subjectsMap.get(subject)
    const entry = versions?.get(version)
    if (versions === undefined || entry === undefined) return
    versions.delete(version)
    if (versions.size === 0) this.subjectsMap.delete(subject)
    if (this.usesOf(entry.id).length === 0) this.ids.delete(entry.id)
  }

  /** Subjects with a live version (or any version, with `deleted`). */
  subjects(deleted = false): string[] {
    return [...this.subjectsMap.entries()]
      .filter(([, versions]) => deleted || [...versions.values()].some((v) => !v.deleted))
      .map(([subject]) => subject)
      .sort()
  }

  /** Versions of a subject in ascending order, soft-deleted ones only with `deleted`. */
  versions(subject: string, deleted = false): number[] {
    const versions = this.subjectsMap.get(subject)
    if (versions === undefined) return []
    return [...versions.entries()]
      .filter(([, v]) => deleted || !v.deleted)
      .map(([version]) => version)
      .sort((a, b) => a - b)
  }

  entry(subject: string, version: number): VersionEntry | undefined {
    return this.subjectsMap.get(subject)?.get(version)
  }

  hasSubject(subject: string): boolean {
    return this.subjectsMap.has(subject)
  }

  subjectVersion(subject: string, version: number): SubjectVersion | undefined {
    const entry = this.entry(subject, version)
    const schema = entry === undefined ? undefined : this.ids.get(entry.id)
    return schema === undefined
      ? undefined
      : { subject, version, id: schema.id, schema: schema.schema, schemaType: schema.schemaType }
  }

  byId(id: number): IdEntry | undefined {
    return this.ids.get(id)
  }

  /** The id already given to a schema with this canonical text and type, if any. */
  idOf(parsed: ParsedSchema): number | undefined {
    for (const entry of this.ids.values())
      if (entry.schemaType === parsed.schemaType && entry.parsed.canonical === parsed.canonical)
        return entry.id
    return undefined
  }

  usesOf(id: number): { subject: string; version: number; deleted: boolean }[] {
    const uses: { subject: string; version: number; deleted: boolean }[] = []
    for (const [subject, versions] of this.subjectsMap)
      for (const [version, v] of versions)
        if (v.id === id) uses.push({ subject, version, deleted: v.deleted })
    return uses
  }

  nextId(): number {
    return this.highWater + 1
  }

  nextVersion(subject: string): number {
    return Math.max(0, ...this.versions(subject, true)) + 1
  }

  config(subject: string | null): CompatibilityLevel | undefined {
    return this.configs.get(subject)
  }

  schemaTypeOf(id: number): SchemaType | undefined {
    return this.ids.get(id)?.schemaType
  }
}
