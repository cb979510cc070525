import { TributaryError } from '../errors.ts'
import { compileJsonSchema, describeJsonErrors } from './json-schema-validator.ts'
import { RegistryBinding, type RegistrySerde, type RegistrySerdeOptions } from './registry-serde.ts'
import { frame, unframe } from './registry-wire.ts'

export interface JsonSchemaSerdeOptions extends RegistrySerdeOptions {
  /** The JSON Schema values are validated against, on write and on read. */
  readonly schema: object | string
  /** Validate on read too (default true). */
  readonly validateOnRead?: boolean
}

/**
 * JSON validated by a JSON Schema (ajv), in Confluent's wire format through a schema registry.
 * Writes fail with SERDE naming the failing paths; reads fail with SERDE on a bad header, an
 * unknown or non-JSON schema id, unparsable JSON, or a document the schema rejects. The subject's
 * record name (for the 'record' strategies) is the schema's `title`. See RegistrySerde for `prepare`.
 */
export function jsonSchema<T>(options: JsonSchemaSerdeOptions): RegistrySerde<T> {
  const definition = (typeof options.schema === 'string' ? JSON.parse(options.schema) : options.schema) as {
    title?: unknown
  }
  const validate = compileJsonSchema(definition)
  const title = typeof definition.title === 'string' ? definition.title : undefined
  const binding = new RegistryBinding(
    options,
    { schema: JSON.stringify(definition), schemaType: 'JSON' },
    title,
    'JSON',
  )
  const checkOnRead = options.validateOnRead ?? true

  return {
    prepare: (topics = []) => binding.prepare(topics),
    subjectFor: (topic) => binding.subjectFor(topic),
    serialize(value, topic) {
      const id = binding.idFor(topic)
      if (!validate(value))
        throw new TributaryError(
          'SERDE',
          `value for ${topic} fails its JSON Schema: ${describeJsonErrors(validate.errors)}`,
        )
      return frame(id, Buffer.from(JSON.stringify(value), 'utf8'))
    },
    deserialize(bytes, topic) {
      const { schemaId, payload } = unframe(bytes, topic)
      const writer = binding.writerSchema(schemaId, topic)
      if (writer.schemaType !== 'JSON')
        throw new TributaryError(
          'SERDE',
          `schema id ${schemaId} in ${topic} is ${writer.schemaType}, not JSON`,
        )
      let value: unknown
      try {
        value = JSON.parse(payload.toString('utf8'))
      } catch (err) {
        throw new TributaryError(
          'SERDE',
          `record in ${topic} (schema id ${schemaId}) is not JSON: ${(err as Error).message}`,
          { cause: err },
        )
      }
      if (checkOnRead && !validate(value))
        throw new TributaryError(
          'SERDE',
          `record in ${topic} (schema id ${schemaId}) fails the JSON Schema: ${describeJsonErrors(validate.errors)}`,
        )
      return value as T
    },
  }
}
