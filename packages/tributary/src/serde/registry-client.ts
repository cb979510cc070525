import { TributaryError } from '../errors.ts'

/** Schema formats a registry stores. Confluent calls Avro "AVRO" and omits the field for it. */
export type SchemaType = 'AVRO' | 'JSON'

export type CompatibilityLevel =
  'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE' | 'NONE'

export const COMPATIBILITY_LEVELS: readonly CompatibilityLevel[] = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
]

/** A schema as sent to a registry: its text (JSON) and format (default AVRO). */
export interface SchemaInput {
  readonly schema: string
  readonly schemaType?: SchemaType
}

/** A schema as stored under its global id. */
export interface StoredSchema {
  readonly id: number
  readonly schema: string
  readonly schemaType: SchemaType
}

/** One version of one subject. */
export interface SubjectVersion extends StoredSchema {
  readonly subject: string
  readonly version: number
}

export interface CompatibilityResult {
  readonly compatible: boolean
  /** Why not: one line per broken rule, naming the field path (empty when compatible). */
  readonly messages: readonly string[]
}

export type VersionRef = number | 'latest'

/**
 * The schema registry as serdes and tools see it: Confluent's REST API (RestSchemaRegistry) or the
 * in-process embedded registry (tributary/schema), with the same behaviour and errors. Every
 * failure is a RegistryError carrying Confluent's HTTP status and error code.
 */
export interface SchemaRegistryClient {
  /** Registers a schema under a subject (compatibility checked) and resolves with its global id;
   *  a schema already registered there resolves with its existing id. */
  register(subject: string, schema: SchemaInput): Promise<number>
  /** The version of `subject` holding this schema, or undefined when it has none. */
  lookup(subject: string, schema: SchemaInput): Promise<SubjectVersion | undefined>
  /** Fails with 40403 for an unknown id. */
  schemaById(id: number): Promise<StoredSchema>
  /** Fails with 40401 (subject) or 40402 (version). */
  version(subject: string, version: VersionRef): Promise<SubjectVersion>
  versions(subject: string): Promise<number[]>
  subjects(): Promise<string[]>
  /** Checks a schema against a version (default: whatever the subject's level asks for). */
  testCompatibility(subject: string, schema: SchemaInput, version?: VersionRef): Promise<CompatibilityResult>
  /** The subject's own level, else the global one. */
  compatibility(subject?: string): Promise<CompatibilityLevel>
  setCompatibility(level: CompatibilityLevel, subject?: string): Promise<void>
  /** Soft deletes (or, after a soft delete, `permanent` deletes) all versions; resolves with them. */
  deleteSubject(subject: string, permanent?: boolean): Promise<number[]>
  deleteVersion(subject: string, version: VersionRef, permanent?: boolean): Promise<number>
  /** A synchronous cache hit for serdes on the hot path; undefined when not known locally. */
  cachedSchemaById?(id: number): StoredSchema | undefined
}

/** Confluent's error codes (the REST API's `error_code`). */
export const RegistryErrorCodes = {
  SUBJECT_NOT_FOUND: 40401,
  VERSION_NOT_FOUND: 40402,
  SCHEMA_NOT_FOUND: 40403,
  SUBJECT_SOFT_DELETED: 40404,
  SUBJECT_NOT_SOFT_DELETED: 40405,
  VERSION_SOFT_DELETED: 40406,
  VERSION_NOT_SOFT_DELETED: 40407,
  SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED: 40408,
  INCOMPATIBLE_SCHEMA: 409,
  INVALID_SCHEMA: 42201,
  INVALID_VERSION: 42202,
  INVALID_COMPATIBILITY_LEVEL: 42203,
  STORE_ERROR: 50001,
} as const

/**
 * A registry refused a request. `status` and `errorCode` are Confluent's (404/40401, 409/409,
 * 422/42201, ...), so the REST server can answer with them and the REST client can rebuild them.
 * The TributaryError code is SERDE: a registry failure is a failure to (de)serialize.
 */
export class RegistryError extends TributaryError {
  constructor(
    readonly status: number,
    readonly errorCode: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super('SERDE', message, options)
    this.name = 'RegistryError'
  }
}

export const isRegistryError = (err: unknown, errorCode?: number): err is RegistryError =>
  err instanceof RegistryError && (errorCode === undefined || err.errorCode === errorCode)
