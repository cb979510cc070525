import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import { fieldMasker, REDACTED } from '../../src/serde/field-mask.ts'
import { maskedSerde } from '../../src/serde/masked-serde.ts'
import { Serdes } from '../../src/serde/serdes.ts'

const KEY = 'a-test-key-of-32-bytes-----------'
const hmac = (v: string, key = KEY) => createHmac('sha256', key).update(v).digest('hex')

describe('fieldMasker', () => {
  const user = {
    type: 'UserCreated',
    payload: { user_id: 'u-1', name: 'Ada Lovelace', email: 'ada@example.com', age: 36, tags: null },
    contacts: [{ email: 'a@x.io' }, { email: 'b@x.io', phone: '1' }],
  }

  it('replaces hmac paths with the keyed HMAC-SHA256 of the value and redact paths with [redacted]', () => {
    const mask = fieldMasker({
      hmac: ['payload.email', 'contacts.*.email'],
      redact: ['payload.name'],
      key: KEY,
    })
    assert.deepEqual(mask(user), {
      type: 'UserCreated',
      payload: { user_id: 'u-1', name: REDACTED, email: hmac('ada@example.com'), age: 36, tags: null },
      contacts: [{ email: hmac('a@x.io') }, { email: hmac('b@x.io'), phone: '1' }],
    })
  })

  it('gives the same digest in another masker with the same key, and another with another key', () => {
    const a = fieldMasker({ hmac: ['payload.email'], key: KEY })(user).payload.email
    const b = fieldMasker({ hmac: ['payload.email'], key: Buffer.from(KEY) })(user).payload.email
    const c = fieldMasker({ hmac: ['payload.email'], key: 'another-key-of-enough-bytes' })(user).payload.email
    assert.equal(a, b)
    assert.notEqual(a, c)
  })

  it('hashes non-strings as their JSON, leaves null, missing paths and non-objects alone, and never changes its input', () => {
    const before = structuredClone(user)
    const mask = fieldMasker({ hmac: ['payload.age', 'payload.tags', 'payload.nope.deeper', 'x'], key: KEY })
    const out = mask(user)
    assert.equal(out.payload.age, hmac('36'))
    assert.equal(out.payload.tags, null)
    assert.equal(out.contacts, user.contacts, 'untouched parts are shared')
    assert.deepEqual(user, before)
    assert.equal(mask(null), null)
    assert.equal(mask('text'), 'text')
  })

  it('refuses hmac without a key of 16 bytes and malformed paths, naming the option', () => {
    assert.throws(
      () => fieldMasker({ hmac: ['a'] }),
      /mask\.key: hmac needs a secret key of at least 16 bytes/,
    )
    assert.throws(() => fieldMasker({ hmac: ['a'], key: 'short' }), /mask\.key/)
    assert.throws(() => fieldMasker({ redact: ['a..b'] }), /mask\.redact: 'a\.\.b' is not a path/)
    assert.doesNotThrow(() => fieldMasker({ redact: ['a'] }))
  })
})

describe('maskedSerde', () => {
  it('masks as it serializes and reads back what it wrote', () => {
    const serde = maskedSerde(Serdes.json<{ email: string; n: number }>(), { hmac: ['email'], key: KEY })
    const bytes = serde.serialize({ email: 'ada@example.com', n: 1 }, 't')
    assert.doesNotMatch(bytes.toString(), /ada@example\.com/)
    assert.deepEqual(serde.deserialize(bytes, 't'), { email: hmac('ada@example.com'), n: 1 })
  })
})
