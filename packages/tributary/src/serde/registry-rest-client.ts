import {
  RegistryError,
  RegistryErrorCodes as E,
  type CompatibilityLevel,
  type CompatibilityResult,
  type SchemaInput,
  type SchemaRegistryClient,
  type SchemaType,
  type StoredSchema,
  type SubjectVersion,
  type VersionRef,
} from './registry-client.ts'

export interface RestRegistryOptions {
  /** Base URL, e.g. http://localhost:8081 (Confluent, Apicurio's ccompat API, or ours). */
  readonly url: string
  /** Basic auth "user:password" or a full Authorization header value. */
  readonly auth?: string
  readonly headers?: Readonly<Record<string, string>>
  /** Per request; default 10000. */
  readonly timeoutMs?: number
}

const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

/**
 * A client for Confluent's Schema Registry REST API, on `fetch`. Schemas by id are immutable, so
 * they are cached forever (and served synchronously to serdes by `cachedSchemaById`); everything
 * else is asked each time. Failures are RegistryErrors with the server's status and error code;
 * an unreachable server is status 0, error code 50001.
 */
export class RestSchemaRegistry implements SchemaRegistryClient {
  private readonly base: string
  private readonly byId = new Map<number, StoredSchema>()

  constructor(private readonly options: RestRegistryOptions) {
    this.base = options.url.replace(/\/+$/, '')
  }

  async register(subject: string, schema: SchemaInput): Promise<number> {
    const { id } = (await this.call('POST', `/subjects/${enc(subject)}/versions`, body(schema))) as {
      id: number
    }
    this.byId.set(id, { id, schema: schema.schema, schemaType: schema.schemaType ?? 'AVRO' })
    return id
  }

  async lookup(subject: string, schema: SchemaInput): Promise<SubjectVersion | undefined> {
    try {
      return toVersion(await this.call('POST', `/subjects/${enc(subject)}`, body(schema)))
    } catch (err) {
      if (
        err instanceof RegistryError &&
        (err.errorCode === E.SUBJECT_NOT_FOUND || err.errorCode === E.SCHEMA_NOT_FOUND)
      )
        return undefined
      throw err
    }
  }

  async schemaById(id: number): Promise<StoredSchema> {
    const cached = this.byId.get(id)
    if (cached !== undefined) return cached
    const got = (await this.call('GET', `/schemas/ids/${id}`)) as { schema: string; schemaType?: SchemaType }
    const stored: StoredSchema = { id, schema: got.schema, schemaType: got.schemaType ?? 'AVRO' }
    this.byId.set(id, stored)
    return stored
  }

  cachedSchemaById(id: number): StoredSchema | undefined {
    return this.byId.get(id)
  }

  async version(subject: string, version: VersionRef): Promise<SubjectVersion> {
    return toVersion(await this.call('GET', `/subjects/${enc(subject)}/versions/${version}`))
  }

  async versions(subject: string): Promise<number[]> {
    return (await this.call('GET', `/subjects/${enc(subject)}/versions`)) as number[]
  }

  async subjects(): Promise<string[]> {
    return (await this.call('GET', '/subjects')) as string[]
  }

  async testCompatibility(
    subject: string,
    schema: SchemaInput,
    version?: VersionRef,
  ): Promise<CompatibilityResult> {
    const path = `/compatibility/subjects/${enc(subject)}/versions${version === undefined ? '' : `/${version}`}?verbose=true`
    const got = (await this.call('POST', path, body(schema))) as {
      is_compatible: boolean
      messages?: string[]
    }
    return { compatible: got.is_compatible, messages: got.messages ?? [] }
  }

  async compatibility(subject?: string): Promise<CompatibilityLevel> {
    const path = subject === undefined ? '/config' : `/config/${enc(subject)}?defaultToGlobal=true`
    return ((await this.call('GET', path)) as { compatibilityLevel: CompatibilityLevel }).compatibilityLevel
  }

  async setCompatibility(level: CompatibilityLevel, subject?: string): Promise<void> {
    await this.call('PUT', subject === undefined ? '/config' : `/config/${enc(subject)}`, {
      compatibility: level,
    })
  }

  async deleteSubject(subject: string, permanent = false): Promise<number[]> {
    return (await this.call(
      'DELETE',
      `/subjects/${enc(subject)}${permanent ? '?permanent=true' : ''}`,
    )) as number[]
  }

  async deleteVersion(subject: string, version: VersionRef, permanent = false): Promise<number> {
    const path = `/subjects/${enc(subject)}/versions/${version}${permanent ? '?permanent=true' : ''}`
    return (await this.call('DELETE', path)) as number
  }

  private async call(method: string, path: string, payload?: unknown): Promise<unknown> {
    const headers: Record<string, string> = { accept: CONTENT_TYPE, ...this.options.headers }
    if (payload !== undefined) headers['content-type'] = CONTENT_TYPE
    const auth = this.options.auth
    if (auth !== undefined)
      headers['authorization'] = auth.includes(' ') ? auth : `Basic ${Buffer.from(auth).toString('base64')}`
    let response: Response
    try {
      response = await fetch(this.base + path, {
        method,
        headers,
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
        ...(payload === undefined ? {} : { body: JSON.stringify(payload) }),
      })
    } catch (err) {
      throw new RegistryError(
        0,
        E.STORE_ERROR,
        `schema registry ${this.base} unreachable: ${(err as Error).message}`,
        { cause: err },
      )
    }
    const text = await response.text()
    const parsed: unknown = text === '' ? undefined : safeJson(text)
    if (response.ok) return parsed
    const error = (parsed ?? {}) as { error_code?: number; message?: string }
    throw new RegistryError(
      response.status,
      error.error_code ?? response.status,
      error.message ?? `${method} ${path}: HTTP ${response.status}`,
    )
  }
}

const enc = encodeURIComponent

const body = (schema: SchemaInput) =>
  schema.schemaType === undefined || schema.schemaType === 'AVRO'
    ? { schema: schema.schema }
    : { schema: schema.schema, schemaType: schema.schemaType }

const toVersion = (raw: unknown): SubjectVersion => {
  const v = raw as { subject: string; version: number; id: number; schema: string; schemaType?: SchemaType }
  return {
    subject: v.subject,
    version: v.version,
    id: v.id,
    schema: v.schema,
    schemaType: v.schemaType ?? 'AVRO',
  }
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text)
  } catch {
    return { message: text }
  }
}
