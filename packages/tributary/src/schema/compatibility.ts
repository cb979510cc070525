import type { CompatibilityLevel, CompatibilityResult } from '../serde/registry-client.ts'
import { avroReadProblems } from './avro-compatibility.ts'
import { jsonReadProblems } from './json-schema-compatibility.ts'
import type { ParsedSchema } from './parsed-schema.ts'

/** Problems when `reader` reads data written with `writer` (both of one schema type). */
export function readProblems(reader: ParsedSchema, writer: ParsedSchema): string[] {
  if (reader.schemaType !== writer.schemaType)
    return [`SCHEMA_TYPE_CHANGED: a ${reader.schemaType} schema cannot read ${writer.schemaType} data`]
  if (reader.schemaType === 'AVRO' && writer.schemaType === 'AVRO')
    return avroReadProblems(reader.avro, writer.avro)
  if (reader.schemaType === 'JSON' && writer.schemaType === 'JSON')
    return jsonReadProblems(reader.json, writer.json)
  return []
}

export interface PriorVersion {
  readonly version: number
  readonly schema: ParsedSchema
}

/**
 * Checks a candidate against the live versions of a subject (oldest first), as Confluent does:
 * BACKWARD: the candidate reads the latest; FORWARD: the latest reads the candidate; FULL: both;
 * the _TRANSITIVE levels against every version, not only the latest; NONE: always compatible.
 */
export function checkCompatibility(
  level: CompatibilityLevel,
  candidate: ParsedSchema,
  prior: readonly PriorVersion[],
): CompatibilityResult {
  if (level === 'NONE' || prior.length === 0) return { compatible: true, messages: [] }
  const against = level.endsWith('_TRANSITIVE') ? [...prior].reverse() : [prior[prior.length - 1]!]
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL')
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL')
  const messages: string[] = []
  for (const old of against) {
    if (backward)
      for (const p of readProblems(candidate, old.schema))
        messages.push(`${p} (new schema reading version ${old.version}, ${level})`)
    if (forward)
      for (const p of readProblems(old.schema, candidate))
        messages.push(`${p} (version ${old.version} reading the new schema, ${level})`)
  }
  return { compatible: messages.length === 0, messages }
}
