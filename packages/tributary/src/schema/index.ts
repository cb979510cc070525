// The public surface of `tributary-streams/schema`: schema-registry serdes (Avro, JSON Schema), registry
// clients (REST and embedded), the registry's REST server, and the event envelope. Kept out of the
// main entry so avsc and ajv load only for apps that use schemas.
export { avro, type AvroSerdeOptions } from '../serde/avro-serde.ts'
export { jsonSchema, type JsonSchemaSerdeOptions } from '../serde/json-schema-serde.ts'
export type { RegistrySerde, RegistrySerdeOptions, SubjectNameStrategy } from '../serde/registry-serde.ts'
export {
  COMPATIBILITY_LEVELS,
  RegistryError,
  RegistryErrorCodes,
  isRegistryError,
  type CompatibilityLevel,
  type CompatibilityResult,
  type SchemaInput,
  type SchemaRegistryClient,
  type SchemaType,
  type StoredSchema,
  type SubjectVersion,
  type VersionRef,
} from '../serde/registry-client.ts'
export { RestSchemaRegistry, type RestRegistryOptions } from '../serde/registry-rest-client.ts'
export { EmbeddedSchemaRegistry, type EmbeddedRegistryOptions } from './embedded-registry.ts'
export type { RegistryLog } from './registry-log.ts'
export {
  startRegistryServer,
  REGISTRY_CONTENT_TYPE,
  type RegistryServer,
  type RegistryServerOptions,
} from './registry-server.ts'
export { checkCompatibility } from './compatibility.ts'
export { parseSchema } from './parsed-schema.ts'
export {
  envelopes,
  envelopeAvroSchema,
  envelopeJsonSchema,
  envelopeProblems,
  type Envelope,
  type EnvelopeOf,
  type EnvelopeOptions,
  type Envelopes,
  type PayloadCheck,
} from './envelope.ts'
