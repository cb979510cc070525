import { createHash, timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** Credentials an HTTP server requires: a bearer token, or a user and password (basic auth). */
export type HttpAuth =
  { readonly bearer: string } | { readonly basic: { readonly user: string; readonly password: string } }

/** The `www-authenticate` challenge a 401 carries. */
export const challenge = (auth: HttpAuth, realm: string): string =>
  `${'bearer' in auth ? 'Bearer' : 'Basic'} realm="${realm}"`

/** True when the request's `authorization` header carries the expected credentials. */
export function authorized(req: IncomingMessage, auth: HttpAuth): boolean {
  const header = req.headers.authorization ?? ''
  const space = header.indexOf(' ')
  if (space < 0) return false
  const scheme = header.slice(0, space).toLowerCase()
  const given = header.slice(space + 1).trim()
  if ('bearer' in auth) return scheme === 'bearer' && same(given, auth.bearer)
  if (scheme !== 'basic') return false
  const expected = Buffer.from(`${auth.basic.user}:${auth.basic.password}`).toString('base64')
  return same(given, expected)
}

/** Compares digests in constant time, so the time taken says nothing about the secret. */
const same = (a: string, b: string): boolean => timingSafeEqual(digest(a), digest(b))
const digest = (s: string): Buffer => createHash('sha256').update(s).digest()
