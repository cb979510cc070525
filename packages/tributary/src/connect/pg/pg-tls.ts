import { readFileSync } from 'node:fs'
import type { ConnectionOptions } from 'node:tls'
import { TributaryError } from '../../errors.ts'

type Env = Readonly<Record<string, string | undefined>>

// no-verify: node-postgres' own name for "encrypted, never verified", kept for its users.
const MODES = ['disable', 'no-verify', 'require', 'verify-ca', 'verify-full'] as const
type SslMode = (typeof MODES)[number]

/** Connection-string keys that this module turns into the `ssl` option (libpq's names). */
const SSL_KEYS = ['sslmode', 'sslrootcert', 'sslcert', 'sslkey', 'sslpassword']

/**
 * The node-postgres pool settings of a connection string, with TLS as libpq means it: `sslmode`
 * `disable` (default), `require` (encrypted; the certificate is checked against `sslrootcert` when
 * one is given, else not at all), `verify-ca` (chain checked against `sslrootcert` or the system's
 * CAs), `verify-full` (chain and host name: the protection against a man in the middle). From the
 * URL's parameters, else libpq's variables PGSSLMODE, PGSSLROOTCERT, PGSSLCERT, PGSSLKEY (client
 * certificate). A mode node-postgres cannot honour (`allow`, `prefer`: no fallback to plaintext)
 * or an unreadable file fails with one CONFIG line naming the key.
 */
export function pgConnectionConfig(
  connectionString: string,
  env: Env = process.env,
): { connectionString: string; ssl?: false | ConnectionOptions } {
  let url: URL
  try {
    url = new URL(connectionString)
  } catch {
    // Not a URL (a key=value string or a socket path): node-postgres reads it as it is.
    return { connectionString }
  }
  const inUrl = new Map(SSL_KEYS.map((key) => [key, url.searchParams.get(key)]))
  const param = (key: string, variable: string): { value: string; from: string } | undefined => {
    const value = inUrl.get(key) ?? env[variable]
    return value ? { value, from: inUrl.get(key) ? `${key} in the URL` : variable } : undefined
  }
  const mode = param('sslmode', 'PGSSLMODE')
  // node-postgres would read these keys itself, with other semantics: take them out.
  let stripped = connectionString
  if ([...inUrl.values()].some((v) => v !== null)) {
    for (const key of SSL_KEYS) url.searchParams.delete(key)
    stripped = url.href
  }
  if (mode === undefined || mode.value === 'disable') return { connectionString: stripped, ssl: false }
  if (!(MODES as readonly string[]).includes(mode.value))
    throw new TributaryError(
      'CONFIG',
      `${mode.from}: sslmode must be one of ${MODES.join(', ')}, got '${mode.value}'`,
    )
  const file = (key: string, variable: string): string | undefined => {
    const p = param(key, variable)
    if (p === undefined) return undefined
    try {
      return readFileSync(p.value, 'utf8')
    } catch (err) {
      throw new TributaryError(
        'CONFIG',
        `${p.from}: cannot read '${p.value}' (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
      )
    }
  }
  const ca = file('sslrootcert', 'PGSSLROOTCERT')
  const cert = file('sslcert', 'PGSSLCERT')
  const key = file('sslkey', 'PGSSLKEY')
  const sslMode = mode.value as SslMode
  const verifyChain = sslMode === 'require' ? ca !== undefined : sslMode !== 'no-verify'
  return {
    connectionString: stripped,
    ssl: {
      ...(ca === undefined ? {} : { ca }),
      ...(cert === undefined ? {} : { cert }),
      ...(key === undefined ? {} : { key }),
      rejectUnauthorized: verifyChain,
      // Only verify-full checks that the certificate names the host.
      ...(sslMode === 'verify-full' ? {} : { checkServerIdentity: () => undefined }),
    },
  }
}

/** Node's codes for a server certificate it does not accept. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

/**
 * A TLS refusal from node-postgres as one AUTH line saying what to fix (the URL is not repeated:
 * it may hold a password); undefined for any other error.
 */
export function pgTlsError(err: unknown): TributaryError | undefined {
  const e = err as { code?: unknown; message?: unknown }
  if (typeof e?.code === 'string' && CERTIFICATE_CODES.has(e.code))
    return new TributaryError(
      'AUTH',
      `PostgreSQL TLS: the server's certificate was refused (${e.code}: ${String(e.message)}): ` +
        (e.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
          ? 'connect by a host name the certificate lists, or use sslmode=verify-ca'
          : 'set sslrootcert in DATABASE_URL (or PGSSLROOTCERT) to the CA that signed it'),
      { cause: err },
    )
  if (e?.message === 'The server does not support SSL connections')
    return new TributaryError(
      'AUTH',
      'PostgreSQL TLS: the server does not support SSL connections: enable ssl on the server, or use sslmode=disable',
      { cause: err },
    )
  return undefined
}
