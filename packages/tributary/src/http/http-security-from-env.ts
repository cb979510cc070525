import { TributaryError } from '../errors.ts'
import { secretFromEnv } from '../secret-from-env.ts'
import type { HttpAuth } from './http-auth.ts'
import type { HttpSecurity } from './http-server.ts'

type Env = Readonly<Record<string, string | undefined>>

/**
 * HttpSecurity from the environment: `HOST` (default 127.0.0.1), and at most one of
 * `HTTP_AUTH_TOKEN` (bearer) and `HTTP_BASIC_AUTH` (`user:password`), each also as `<NAME>_FILE`.
 */
export function httpSecurityFromEnv(env: Env = process.env): HttpSecurity {
  const token = secretFromEnv(env, 'HTTP_AUTH_TOKEN')
  const basic = secretFromEnv(env, 'HTTP_BASIC_AUTH')
  if (token !== undefined && basic !== undefined)
    throw new TributaryError('CONFIG', 'set HTTP_AUTH_TOKEN or HTTP_BASIC_AUTH, not both')
  let auth: HttpAuth | undefined
  if (token !== undefined) auth = { bearer: token }
  if (basic !== undefined) {
    const colon = basic.indexOf(':')
    if (colon < 1 || colon === basic.length - 1)
      throw new TributaryError('CONFIG', 'HTTP_BASIC_AUTH must be user:password (both non-empty)')
    auth = { basic: { user: basic.slice(0, colon), password: basic.slice(colon + 1) } }
  }
  const host = env['HOST'] || undefined
  return { ...(host === undefined ? {} : { host }), ...(auth === undefined ? {} : { auth }) }
}
