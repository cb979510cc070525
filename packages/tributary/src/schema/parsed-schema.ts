import type avsc from 'avsc'
import { optionalPeer } from '../optional-peer.ts'
import {
  RegistryError,
  RegistryErrorCodes,
  type SchemaInput,
  type SchemaType,
} from '../serde/registry-client.ts'
import { compileJsonSchema } from '../serde/json-schema-validator.ts'

// avsc is an optional peer dependency: needed once an Avro schema is parsed.
const avscModule = await optionalPeer('avsc', 'Avro schemas', async () => (await import('avsc')).default)

/** A schema that parsed: its type, a canonical text for equality, and the parsed form. */
export type ParsedSchema =
  | { readonly schemaType: 'AVRO'; readonly canonical: string; readonly avro: avsc.Type }
  | { readonly schemaType: 'JSON'; readonly canonical: string; readonly json: unknown }

/** JSON with object keys sorted (array order kept): whitespace and key order do not make a new schema. */
export function canonicalJson(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort)
    if (v !== null && typeof v === 'object')
      return Object.fromEntries(
        Object.keys(v)
          .sort()
          .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
      )
    return v
  }
  return JSON.stringify(sort(value))
}

const invalid = (message: string, cause?: unknown): RegistryError =>
  new RegistryError(422, RegistryErrorCodes.INVALID_SCHEMA, message, { cause })

/** Parses and validates a schema; fails with 42201 (invalid schema) saying why. */
export function parseSchema(input: SchemaInput): ParsedSchema {
  const schemaType: SchemaType = input.schemaType ?? 'AVRO'
  if (schemaType !== 'AVRO' && schemaType !== 'JSON')
    throw invalid(`Invalid schema: unsupported schema type ${String(schemaType)} (AVRO and JSON are)`)
  if (typeof input.schema !== 'string') throw invalid('Invalid schema: the schema must be a string')
  let json: unknown
  try {
    json = JSON.parse(input.schema)
  } catch (err) {
    throw invalid(`Invalid schema: not JSON (${(err as Error).message})`, err)
  }
  if (schemaType === 'AVRO') {
    try {
      return {
        schemaType,
        canonical: canonicalJson(json),
        avro: avscModule().Type.forSchema(json as avsc.Schema),
      }
    } catch (err) {
      throw invalid(`Invalid schema: ${(err as Error).message}`, err)
    }
  }
  if (typeof json !== 'boolean' && (typeof json !== 'object' || json === null || Array.isArray(json)))
    throw invalid('Invalid schema: a JSON Schema is an object or a boolean')
  try {
    compileJsonSchema(json)
  } catch (err) {
    throw invalid(`Invalid schema: ${(err as Error).message}`, err)
  }
  return { schemaType, canonical: canonicalJson(json), json }
}
