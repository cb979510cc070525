import type avsc from 'avsc'
import { optionalPeer } from '../optional-peer.ts'
import { TributaryError } from '../errors.ts'
import { RegistryBinding, type RegistrySerde, type RegistrySerdeOptions } from './registry-serde.ts'
import { frame, unframe } from './registry-wire.ts'

// avsc is an optional peer dependency: needed once an Avro serde is made.
const avscModule = await optionalPeer('avsc', 'Avro serdes', async () => (await import('avsc')).default)

export interface AvroSerdeOptions extends RegistrySerdeOptions {
  /** The schema (an object, its JSON text, or a primitive's name) this app writes with and reads into (Avro schema resolution maps other versions). */
  readonly schema: object | string
  /** Passed to avsc's Type.forSchema, e.g. { wrapUnions: true } or logical types. */
  readonly avsc?: Partial<avsc.ForSchemaOptions>
}

/**
 * Avro in Confluent's wire format through a schema registry. Values are written with `schema`;
 * records written with any registered schema are decoded into `schema` by Avro resolution (a field
 * the writer lacks takes the reader's default, one the reader lacks is skipped). Bad input (wrong
 * magic byte, unknown id, truncated or trailing bytes, a writer schema the reader cannot resolve)
 * fails with SERDE, which the runtime routes to the deserialization handler. See RegistrySerde
 * for `prepare`.
 */
export function avro<T>(options: AvroSerdeOptions): RegistrySerde<T> {
  const definition = typeof options.schema === 'string' ? parseText(options.schema) : options.schema
  const type = avscModule().Type.forSchema(definition as avsc.Schema, options.avsc)
  const text = JSON.stringify(definition)
  const binding = new RegistryBinding(options, { schema: text, schemaType: 'AVRO' }, type.name, 'Avro')
  const readers = new Map<number, avsc.Resolver | null>()

  const resolverFor = (id: number, topic: string): avsc.Resolver | null => {
    let resolver = readers.get(id)
    if (resolver !== undefined) return resolver
    const writer = binding.writerSchema(id, topic)
    if (writer.schemaType !== 'AVRO')
      throw new TributaryError('SERDE', `schema id ${id} in ${topic} is ${writer.schemaType}, not AVRO`)
    try {
      const writerType = avscModule().Type.forSchema(JSON.parse(writer.schema) as avsc.Schema, options.avsc)
      resolver = writerType.equals(type) ? null : type.createResolver(writerType)
    } catch (err) {
      throw new TributaryError(
        'SERDE',
        `cannot read schema id ${id} (${topic}) as ${type.name ?? type.typeName}: ${(err as Error).message}`,
        { cause: err },
      )
    }
    readers.set(id, resolver)
    return resolver
  }

  return {
    prepare: (topics = []) => binding.prepare(topics),
    subjectFor: (topic) => binding.subjectFor(topic),
    serialize(value, topic) {
      const id = binding.idFor(topic)
      let payload: Buffer
      try {
        payload = type.toBuffer(value)
      } catch (err) {
        throw new TributaryError(
          'SERDE',
          `value for ${topic} does not match its Avro schema: ${invalidPaths(type, value) || (err as Error).message}`,
          { cause: err },
        )
      }
      return frame(id, payload)
    },
    deserialize(bytes, topic) {
      const { schemaId, payload } = unframe(bytes, topic)
      const resolver = resolverFor(schemaId, topic)
      try {
        return (resolver === null ? type.fromBuffer(payload) : type.fromBuffer(payload, resolver)) as T
      } catch (err) {
        throw new TributaryError(
          'SERDE',
          `cannot decode Avro record in ${topic} (schema id ${schemaId}): ${(err as Error).message}`,
          { cause: err },
        )
      }
    },
  }
}

function invalidPaths(type: avsc.Type, value: unknown): string {
  const problems: string[] = []
  type.isValid(value, {
    errorHook: (path: string[], got: unknown, expected: avsc.Type) =>
      problems.push(
        `${path.join('.') || '(root)'}: ${JSON.stringify(got) ?? 'undefined'} is not a valid ${expected.name ?? expected.typeName}`,
      ),
  })
  return problems.join('; ')
}

/** JSON text of a schema, or a bare type name such as `string`. */
function parseText(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
