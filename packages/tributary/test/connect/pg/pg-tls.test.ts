import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { pgConnectionConfig, pgTlsError } from '../../../src/connect/pg/pg-tls.ts'

describe('pgConnectionConfig: sslmode as libpq means it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pg-tls-'))
  const ca = join(dir, 'ca.pem')
  writeFileSync(ca, 'PEM')
  after(() => rmSync(dir, { recursive: true, force: true }))
  const base = 'postgres://u:secret@db.example:5432/app?options=-c%20search_path%3Ds'

  it('is plaintext without sslmode or with disable, and keeps the other parameters', () => {
    assert.deepEqual(pgConnectionConfig(base, {}), { connectionString: base, ssl: false })
    assert.equal(pgConnectionConfig(`${base}&sslmode=disable`, {}).ssl, false)
  })

  it('verify-full checks chain and host with the CA file; the ssl keys leave the URL', () => {
    const config = pgConnectionConfig(`${base}&sslmode=verify-full&sslrootcert=${ca}`, {})
    const left = new URL(config.connectionString).searchParams
    assert.deepEqual([...left.keys()], ['options'])
    assert.equal(left.get('options'), '-c search_path=s')
    assert.deepEqual(config.ssl, { ca: 'PEM', rejectUnauthorized: true })
  })

  it('require encrypts; it verifies the chain (not the host) only when given a CA', () => {
    const bare = pgConnectionConfig(`${base}&sslmode=require`, {}).ssl as { rejectUnauthorized: boolean }
    assert.equal(bare.rejectUnauthorized, false)
    const withCa = pgConnectionConfig(`${base}&sslmode=require&sslrootcert=${ca}`, {}).ssl as {
      rejectUnauthorized: boolean
      checkServerIdentity: unknown
    }
    assert.equal(withCa.rejectUnauthorized, true)
    assert.equal(typeof withCa.checkServerIdentity, 'function')
  })

  it("takes node-postgres' no-verify: encrypted, never verified", () => {
    const config = pgConnectionConfig(`${base}&sslmode=no-verify&sslrootcert=${ca}`, {})
    assert.equal((config.ssl as { rejectUnauthorized: boolean }).rejectUnauthorized, false)
  })

  it('reads PGSSLMODE and PGSSLROOTCERT when the URL has none', () => {
    const config = pgConnectionConfig(base, { PGSSLMODE: 'verify-full', PGSSLROOTCERT: ca })
    assert.deepEqual(config.ssl, { ca: 'PEM', rejectUnauthorized: true })
  })

  it('refuses an unsupported mode or an unreadable CA file in one CONFIG line naming the key', () => {
    assert.throws(
      () => pgConnectionConfig(`${base}&sslmode=prefer`, {}),
      (e: unknown) =>
        isTributaryError(e, 'CONFIG') &&
        e.message ===
          "sslmode in the URL: sslmode must be one of disable, no-verify, require, verify-ca, verify-full, got 'prefer'",
    )
    assert.throws(
      () => pgConnectionConfig(base, { PGSSLMODE: 'verify-full', PGSSLROOTCERT: join(dir, 'nope.pem') }),
      (e: unknown) =>
        isTributaryError(e, 'CONFIG') &&
        /^PGSSLROOTCERT: cannot read '.*nope.pem' \(ENOENT\)$/.test(e.message),
    )
  })

  it('turns a refused server certificate into one AUTH line without the URL', () => {
    const err = pgTlsError(
      Object.assign(new Error('self-signed certificate in certificate chain'), {
        code: 'SELF_SIGNED_CERT_IN_CHAIN',
      }),
    )
    assert.equal(err?.code, 'AUTH')
    assert.match(
      err!.message,
      /^PostgreSQL TLS: the server's certificate was refused \(SELF_SIGNED_CERT_IN_CHAIN: .*\): set sslrootcert/,
    )
    assert.equal(pgTlsError(new Error('relation "x" does not exist')), undefined)
  })
})
