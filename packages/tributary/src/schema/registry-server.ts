import type { IncomingMessage, ServerResponse } from 'node:http'
import { startHttpServer, type HttpServer, type HttpSecurity } from '../http/http-server.ts'
import type { Logger } from '../logger.ts'
import {
  COMPATIBILITY_LEVELS,
  RegistryError,
  RegistryErrorCodes as E,
  isRegistryError,
  type CompatibilityLevel,
  type SchemaInput,
  type SchemaType,
  type SubjectVersion,
  type VersionRef,
} from '../serde/registry-client.ts'
import type { EmbeddedSchemaRegistry } from './embedded-registry.ts'

export const REGISTRY_CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json'

/** `host` (default 127.0.0.1), `auth` and the size limits: see HttpSecurity and docs/security.md. */
export interface RegistryServerOptions extends HttpSecurity {
  readonly registry: EmbeddedSchemaRegistry
  /** Default 8081, as Confluent's; 0 picks a free port. */
  readonly port?: number
  /** Where unexpected failures are logged (clients see error 50001 without details). */
  readonly logger?: Logger
}

/** `close` stops accepting requests; the registry stays open (it is the caller's). */
export type RegistryServer = HttpServer

/** Serves Confluent's REST API (the subset in docs/schemas.md) over an embedded registry. */
export async function startRegistryServer(options: RegistryServerOptions): Promise<RegistryServer> {
  const { registry, port, ...security } = options
  return startHttpServer({
    ...security,
    port: port ?? 8081,
    name: 'schema registry',
    handler: (req, res, body) => handle(registry, req, res, body),
    errorBody: (status, message) => ({
      contentType: REGISTRY_CONTENT_TYPE,
      body: JSON.stringify({ error_code: status === 500 ? E.STORE_ERROR : status, message }),
    }),
  })
}

type Route = (
  registry: EmbeddedSchemaRegistry,
  params: string[],
  query: URLSearchParams,
  body: () => Promise<unknown>,
) => Promise<unknown>

const routes: [method: string, pattern: RegExp, route: Route][] = [
  ['GET', /^\/$/, async () => ({})],
  ['GET', /^\/subjects$/, (r, _, q) => r.subjects(flag(q, 'deleted'))],
  ['GET', /^\/schemas\/types$/, async () => ['JSON', 'AVRO']],
  ['GET', /^\/schemas\/ids\/([^/]+)$/, async (r, [id]) => schemaBody(await r.schemaById(schemaId(id!)))],
  [
    'GET',
    /^\/schemas\/ids\/([^/]+)\/schema$/,
    async (r, [id]) => JSON.parse((await r.schemaById(schemaId(id!))).schema),
  ],
  ['GET', /^\/schemas\/ids\/([^/]+)\/versions$/, (r, [id]) => r.usesOfId(schemaId(id!))],
  [
    'POST',
    /^\/subjects\/([^/]+)\/versions$/,
    async (r, [s], _, body) => ({ id: await r.register(s!, schemaInput(await body())) }),
  ],
  [
    'POST',
    /^\/subjects\/([^/]+)$/,
    async (r, [s], q, body) =>
      versionBody(await r.lookupOrFail(s!, schemaInput(await body()), flag(q, 'deleted'))),
  ],
  ['GET', /^\/subjects\/([^/]+)\/versions$/, (r, [s], q) => r.versions(s!, flag(q, 'deleted'))],
  [
    'GET',
    /^\/subjects\/([^/]+)\/versions\/([^/]+)$/,
    async (r, [s, v], q) => versionBody(await r.version(s!, version(v!), flag(q, 'deleted'))),
  ],
  [
    'GET',
    /^\/subjects\/([^/]+)\/versions\/([^/]+)\/schema$/,
    async (r, [s, v]) => JSON.parse((await r.version(s!, version(v!))).schema),
  ],
  [
    'GET',
    /^\/subjects\/([^/]+)\/versions\/([^/]+)\/referencedby$/,
    async (r, [s, v]) => (await r.version(s!, version(v!)), []),
  ],
  ['DELETE', /^\/subjects\/([^/]+)$/, (r, [s], q) => r.deleteSubject(s!, flag(q, 'permanent'))],
  [
    'DELETE',
    /^\/subjects\/([^/]+)\/versions\/([^/]+)$/,
    (r, [s, v], q) => r.deleteVersion(s!, version(v!), flag(q, 'permanent')),
  ],
  ['GET', /^\/config$/, async (r) => ({ compatibilityLevel: await r.compatibility() })],
  ['PUT', /^\/config$/, async (r, _, __, body) => setLevel(r, await body())],
  ['GET', /^\/config\/([^/]+)$/, (r, [s], q) => subjectLevel(r, s!, flag(q, 'defaultToGlobal'))],
  ['PUT', /^\/config\/([^/]+)$/, async (r, [s], _, body) => setLevel(r, await body(), s)],
  [
    'DELETE',
    /^\/config\/([^/]+)$/,
    async (r, [s]) => ({ compatibilityLevel: await r.deleteSubjectCompatibility(s!) }),
  ],
  ['GET', /^\/mode$/, async () => ({ mode: 'READWRITE' })],
  [
    'POST',
    /^\/compatibility\/subjects\/([^/]+)\/versions\/([^/]+)$/,
    async (r, [s, v], q, body) => compatibility(r, s!, await body(), q, version(v!)),
  ],
  [
    'POST',
    /^\/compatibility\/subjects\/([^/]+)\/versions$/,
    async (r, [s], q, body) => compatibility(r, s!, await body(), q),
  ],
]

/** Confluent's errors as Confluent sends them; anything else goes to startHttpServer (a bare 500). */
async function handle(
  registry: EmbeddedSchemaRegistry,
  req: IncomingMessage,
  res: ServerResponse,
  body: () => Promise<Buffer>,
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://registry')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const candidates = routes.filter(([, pattern]) => pattern.test(path))
    if (candidates.length === 0) return send(res, 404, { error_code: 404, message: 'HTTP 404 Not Found' })
    const match = candidates.find(([method]) => method === req.method)
    if (match === undefined)
      return send(res, 405, { error_code: 405, message: 'HTTP 405 Method Not Allowed' })
    const params = match[1].exec(path)!.slice(1).map(decodeURIComponent)
    send(res, 200, await match[2](registry, params, url.searchParams, async () => parseJson(await body())))
  } catch (err) {
    if (!isRegistryError(err)) throw err
    send(res, err.status, { error_code: err.errorCode, message: err.message })
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'content-type': REGISTRY_CONTENT_TYPE, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8')
  try {
    return text.trim() === '' ? {} : JSON.parse(text)
  } catch {
    throw new RegistryError(400, 400, `Unrecognized request body: not JSON`)
  }
}

const flag = (query: URLSearchParams, name: string): boolean => query.get(name) === 'true'

function version(text: string): VersionRef {
  if (text === 'latest' || text === '-1') return 'latest'
  const n = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isInteger(n) || n < 1 || n > 2 ** 31 - 1)
    throw new RegistryError(
      422,
      E.INVALID_VERSION,
      `The specified version '${text}' is not a valid version id. Allowed values are between [1, 2^31-1] and the string "latest"`,
    )
  return n
}

function schemaId(text: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN
  if (!Number.isSafeInteger(n)) throw new RegistryError(404, E.SCHEMA_NOT_FOUND, `Schema ${text} not found`)
  return n
}

function schemaInput(body: unknown): SchemaInput {
  const b = (body ?? {}) as { schema?: unknown; schemaType?: unknown; references?: unknown }
  if (typeof b.schema !== 'string' || b.schema.trim() === '')
    throw new RegistryError(422, E.INVALID_SCHEMA, 'Empty schema')
  if (Array.isArray(b.references) && b.references.length > 0)
    throw new RegistryError(
      422,
      E.INVALID_SCHEMA,
      'Invalid schema: schema references are not supported by this registry',
    )
  const schemaType =
    b.schemaType === undefined || b.schemaType === null ? 'AVRO' : String(b.schemaType).toUpperCase()
  return { schema: b.schema, schemaType: schemaType as SchemaType }
}

/** Confluent leaves `schemaType` out for Avro. */
const withType = <T extends object>(body: T, schemaType: SchemaType): T =>
  schemaType === 'AVRO' ? body : { ...body, schemaType }

const schemaBody = (s: { schema: string; schemaType: SchemaType }) =>
  withType({ schema: s.schema }, s.schemaType)

const versionBody = (v: SubjectVersion) =>
  withType({ subject: v.subject, version: v.version, id: v.id, schema: v.schema }, v.schemaType)

async function setLevel(registry: EmbeddedSchemaRegistry, body: unknown, subject?: string): Promise<unknown> {
  const level = String((body as { compatibility?: unknown } | null)?.compatibility ?? '').toUpperCase()
  if (!COMPATIBILITY_LEVELS.includes(level as CompatibilityLevel))
    throw new RegistryError(
      422,
      E.INVALID_COMPATIBILITY_LEVEL,
      `Invalid compatibility level. Valid values are ${COMPATIBILITY_LEVELS.join(', ')}`,
    )
  await registry.setCompatibility(level as CompatibilityLevel, subject)
  return { compatibility: level }
}

async function subjectLevel(
  registry: EmbeddedSchemaRegistry,
  subject: string,
  defaultToGlobal: boolean,
): Promise<unknown> {
  const own = await registry.subjectCompatibility(subject)
  if (own !== undefined) return { compatibilityLevel: own }
  if (defaultToGlobal) return { compatibilityLevel: await registry.compatibility() }
  throw new RegistryError(
    404,
    E.SUBJECT_LEVEL_COMPATIBILITY_NOT_CONFIGURED,
    `Subject '${subject}' does not have subject-level compatibility configured`,
  )
}

async function compatibility(
  registry: EmbeddedSchemaRegistry,
  subject: string,
  body: unknown,
  query: URLSearchParams,
  at?: VersionRef,
): Promise<unknown> {
  const input = schemaInput(body)
  try {
    const result = await registry.testCompatibility(subject, input, at)
    return result.compatible || !flag(query, 'verbose')
      ? { is_compatible: result.compatible }
      : { is_compatible: false, messages: result.messages }
  } catch (err) {
    // A first schema is compatible with the nothing before it.
    if (isRegistryError(err, E.SUBJECT_NOT_FOUND) && (at === undefined || at === 'latest'))
      return { is_compatible: true }
    throw err
  }
}
