import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { httpSecurityFromEnv } from '../../src/http/http-security-from-env.ts'

describe('httpSecurityFromEnv', () => {
  it('asks for nothing and leaves the host to the default when nothing is set', () => {
    assert.deepEqual(httpSecurityFromEnv({}), {})
  })

  it('reads HOST, a bearer token, or user:password, each secret also from a file', () => {
    assert.deepEqual(httpSecurityFromEnv({ HOST: '0.0.0.0', HTTP_AUTH_TOKEN: 't' }), {
      host: '0.0.0.0',
      auth: { bearer: 't' },
    })
    const file = join(mkdtempSync(join(tmpdir(), 'http-env-')), 'basic')
    writeFileSync(file, 'ops:pa:ss\n')
    assert.deepEqual(httpSecurityFromEnv({ HTTP_BASIC_AUTH_FILE: file }), {
      auth: { basic: { user: 'ops', password: 'pa:ss' } },
    })
  })

  it('refuses ambiguous or malformed settings in one line naming the key, never echoing the secret', () => {
    assert.throws(
      () => httpSecurityFromEnv({ HTTP_AUTH_TOKEN: 'a', HTTP_BASIC_AUTH: 'u:p' }),
      /HTTP_AUTH_TOKEN or HTTP_BASIC_AUTH/,
    )
    assert.throws(() => httpSecurityFromEnv({ HTTP_AUTH_TOKEN: 'a', HTTP_AUTH_TOKEN_FILE: '/x' }), /not both/)
    assert.throws(
      () => httpSecurityFromEnv({ HTTP_BASIC_AUTH: 'justapassword' }),
      (err: Error) =>
        /HTTP_BASIC_AUTH must be user:password/.test(err.message) && !err.message.includes('justapassword'),
    )
    assert.throws(
      () => httpSecurityFromEnv({ HTTP_AUTH_TOKEN_FILE: '/nonexistent/token' }),
      /HTTP_AUTH_TOKEN_FILE: cannot read '\/nonexistent\/token' \(ENOENT\)/,
    )
  })
})
