import type { CompatibilityLevel, SchemaType } from '../serde/registry-client.ts'

/**
 * Records of the compacted `_schemas` topic, one JSON key and value each, in the shape Confluent
 * uses (keytype SCHEMA / CONFIG), plus an id high-water mark so an id is never given twice even
 * after the versions using it were permanently deleted and compacted away. A null value deletes.
 */
export type RegistryKey =
  | { readonly keytype: 'SCHEMA'; readonly subject: string; readonly version: number }
  | { readonly keytype: 'CONFIG'; readonly subject: string | null }
  | { readonly keytype: 'ID_HIGH_WATER' }

export interface SchemaValue {
  readonly subject: string
  readonly version: number
  readonly id: number
  readonly schemaType: SchemaType
  readonly schema: string
  readonly deleted: boolean
}

export interface ConfigValue {
  readonly compatibilityLevel: CompatibilityLevel
}

export interface HighWaterValue {
  readonly maxId: number
}

/** Fixed field order, so equal keys are equal bytes (compaction keys on bytes). */
export function encodeKey(key: RegistryKey): Buffer {
  const ordered =
    key.keytype === 'SCHEMA'
      ? { keytype: key.keytype, subject: key.subject, version: key.version, magic: 1 }
      : key.keytype === 'CONFIG'
        ? { keytype: key.keytype, subject: key.subject, magic: 0 }
        : { keytype: key.keytype, magic: 0 }
  return Buffer.from(JSON.stringify(ordered))
}

export const encodeValue = (value: SchemaValue | ConfigValue | HighWaterValue | null): Buffer | null =>
  value === null ? null : Buffer.from(JSON.stringify(value))

/** Undefined for keys this registry does not know (written by a newer version, or Confluent's NOOP). */
export function decodeKey(bytes: Buffer): RegistryKey | undefined {
  const key = JSON.parse(bytes.toString('utf8')) as {
    keytype?: string
    subject?: string | null
    version?: number
  }
  if (key.keytype === 'SCHEMA' && typeof key.subject === 'string' && typeof key.version === 'number')
    return { keytype: 'SCHEMA', subject: key.subject, version: key.version }
  if (key.keytype === 'CONFIG') return { keytype: 'CONFIG', subject: key.subject ?? null }
  if (key.keytype === 'ID_HIGH_WATER') return { keytype: 'ID_HIGH_WATER' }
  return undefined
}
