import assert from 'node:assert/strict'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { toClientSettings } from '../../../src/log/kafka/client-settings.ts'
import { kafkaOptionsFromEnv } from '../../../src/log/kafka/kafka-options-from-env.ts'

const dir = mkdtempSync(join(tmpdir(), 'kafka-env-'))
const file = (name: string, text: string) => {
  writeFileSync(join(dir, name), text)
  return join(dir, name)
}

describe('kafkaOptionsFromEnv', () => {
  it('is undefined without KAFKA_BROKERS and plaintext by default', () => {
    assert.equal(kafkaOptionsFromEnv({}), undefined)
    assert.deepEqual(kafkaOptionsFromEnv({ KAFKA_BROKERS: 'a:1, b:2' }, 'app'), {
      brokers: ['a:1', 'b:2'],
      clientId: 'app',
    })
  })

  it('reads SASL_SSL with SCRAM, the password from a file and the CA from its location', () => {
    const options = kafkaOptionsFromEnv({
      KAFKA_BROKERS: 'h:9',
      KAFKA_SECURITY_PROTOCOL: 'sasl_ssl',
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'app',
      KAFKA_SASL_PASSWORD_FILE: file('pw', 's3cret\n'),
      KAFKA_SSL_CA_LOCATION: file('ca.pem', 'PEM'),
    })!
    assert.deepEqual(options, {
      brokers: ['h:9'],
      tls: { ca: 'PEM', rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'app', password: 's3cret' },
    })
    const { base } = toClientSettings(options)
    assert.deepEqual(base.sasl, { mechanism: 'SCRAM-SHA-512', username: 'app', password: 's3cret' })
    assert.deepEqual(base.tls, { ca: 'PEM', rejectUnauthorized: true })
  })

  it('refuses bad settings in one line naming the key, never with the secret', () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ KAFKA_SECURITY_PROTOCOL: 'TLS' }, /KAFKA_SECURITY_PROTOCOL must be one of/],
      [
        { KAFKA_SASL_MECHANISM: 'PLAIN' },
        /KAFKA_SASL_MECHANISM is set but KAFKA_SECURITY_PROTOCOL is PLAINTEXT/,
      ],
      [
        { KAFKA_SECURITY_PROTOCOL: 'SASL_SSL', KAFKA_SASL_MECHANISM: 'GSSAPI' },
        /KAFKA_SASL_MECHANISM must be/,
      ],
      [
        {
          KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
          KAFKA_SASL_MECHANISM: 'PLAIN',
          KAFKA_SASL_PASSWORD: 'hunter22',
        },
        /KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD/,
      ],
      [
        { KAFKA_SECURITY_PROTOCOL: 'SSL', KAFKA_SSL_CA_LOCATION: '/no/ca.pem' },
        /KAFKA_SSL_CA_LOCATION: cannot read '\/no\/ca.pem' \(ENOENT\)/,
      ],
    ]
    for (const [env, message] of cases)
      assert.throws(
        () => kafkaOptionsFromEnv({ KAFKA_BROKERS: 'h:9', ...env }),
        (err: Error) => message.test(err.message) && !err.message.includes('hunter22'),
        JSON.stringify(env),
      )
  })
})
