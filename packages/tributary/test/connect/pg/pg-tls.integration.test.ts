// node-postgres over TLS against the PostgreSQL of scripts/postgres-start.sh (ssl=on with a
// certificate its own CA signed: PG_TLS_CA, exported by scripts/test-all.sh). Needs DATABASE_URL
// and PG_TLS_CA; fails without them.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isTributaryError } from 'tributary-streams'
import { pgSqlClient } from 'tributary-streams/postgres'

const base = process.env['DATABASE_URL'] ?? ''
const ca = process.env['PG_TLS_CA'] ?? ''

describe('pgSqlClient over TLS (sslmode in the URL)', () => {
  let dir = ''
  before(() => {
    if (base === '' || ca === '')
      throw new Error(
        'DATABASE_URL and PG_TLS_CA must be set: run scripts/postgres-start.sh and export its URL and PG_TLS_CA (.postgres/tls/ca.pem)',
      )
    dir = mkdtempSync(join(tmpdir(), 'pg-tls-it-'))
  })
  after(() => dir && rmSync(dir, { recursive: true, force: true }))

  const url = (params: Record<string, string>) => {
    const u = new URL(base)
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v)
    return u.href
  }
  /** Whether this session is encrypted, as the server sees it. */
  const encrypted = async (connection: string): Promise<boolean> => {
    const db = pgSqlClient(connection, { max: 1 })
    try {
      const { rows } = await db.query<{ ssl: boolean }>(
        'SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()',
      )
      return rows[0]!.ssl
    } finally {
      await db.close()
    }
  }

  it('verify-full with the server CA: an encrypted session', async () => {
    assert.equal(await encrypted(url({ sslmode: 'verify-full', sslrootcert: ca })), true)
  })

  it('require without a CA: encrypted (libpq semantics); disable: plaintext', async () => {
    assert.equal(await encrypted(url({ sslmode: 'require' })), true)
    assert.equal(await encrypted(url({ sslmode: 'disable' })), false)
  })

  it('refuses a server whose certificate another CA signed, naming the certificate problem', async () => {
    const other = join(dir, 'other-ca.pem')
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        join(dir, 'other-ca.key'),
        '-out',
        other,
        '-days',
        '1',
        '-subj',
        '/CN=Unrelated CA',
      ],
      { stdio: 'ignore' },
    )
    for (const sslmode of ['verify-full', 'verify-ca', 'require']) {
      const err = await encrypted(url({ sslmode, sslrootcert: other })).then(
        () => assert.fail(`${sslmode} with another CA connected`),
        (e: unknown) => e,
      )
      assert.ok(isTributaryError(err, 'AUTH'), `${sslmode}: ${String(err)}`)
      assert.match(
        err.message,
        /^PostgreSQL TLS: the server's certificate was refused \((SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE)/,
      )
      assert.ok(!err.message.includes(base), 'the URL is not in the message')
    }
  })
})
