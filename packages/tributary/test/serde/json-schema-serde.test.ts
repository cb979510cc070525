import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { EmbeddedLog, isTributaryError } from 'tributary-streams'
import { EmbeddedSchemaRegistry, avro, jsonSchema } from 'tributary-streams/schema'

const user = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'User',
  type: 'object',
  properties: {
    user_id: { type: 'string' },
    email: { type: 'string', format: 'email' },
    segment: { enum: ['new', 'regular', 'vip'] },
  },
  required: ['user_id', 'segment'],
}
interface User {
  user_id: string
  email?: string
  segment: 'new' | 'regular' | 'vip'
}

const serdeError = (pattern: RegExp) => (err: unknown) =>
  isTributaryError(err, 'SERDE') && pattern.test((err as Error).message)

describe('JSON Schema serde', () => {
  let log: EmbeddedLog
  let registry: EmbeddedSchemaRegistry
  before(async () => {
    log = await EmbeddedLog.open()
    registry = await EmbeddedSchemaRegistry.open({ log })
  })
  after(async () => {
    await registry.close()
    await log.close()
  })

  it('registers under <topic>-value as JSON and round-trips valid documents', async () => {
    const serde = jsonSchema<User>({ registry, schema: user })
    await serde.prepare(['users'])
    const value: User = { user_id: 'u1', email: 'a@b.co', segment: 'vip' }
    const bytes = serde.serialize(value, 'users')
    assert.equal(bytes[0], 0)
    const stored = await registry.schemaById(bytes.readUInt32BE(1))
    assert.equal(stored.schemaType, 'JSON')
    assert.equal(bytes.subarray(5).toString(), JSON.stringify(value))
    assert.deepEqual(serde.deserialize(bytes, 'users'), value)
  })

  it('names the failing paths of an invalid document, on write and on read', async () => {
    const serde = jsonSchema<User>({ registry, schema: user })
    await serde.prepare(['users'])
    assert.throws(
      () => serde.serialize({ user_id: 'u', segment: 'gold' } as never, 'users'),
      serdeError(/\/segment must be equal to one of the allowed values/),
    )
    const id = serde.serialize({ user_id: 'u', segment: 'new' }, 'users').readUInt32BE(1)
    const forged = Buffer.concat([
      Buffer.from([0, 0, 0, 0, id]),
      Buffer.from('{"segment":"new","email":"nope"}'),
    ])
    assert.throws(
      () => serde.deserialize(forged, 'users'),
      serdeError(/must have required property 'user_id'.*\/email must match format "email"/),
    )
    const notJson = Buffer.concat([forged.subarray(0, 5), Buffer.from('{oops')])
    assert.throws(() => serde.deserialize(notJson, 'users'), serdeError(/is not JSON/))
  })

  it('refuses Avro-registered ids and unknown ids', async () => {
    const avroSerde = avro<string>({ registry, schema: 'string' })
    await avroSerde.prepare(['names'])
    const serde = jsonSchema<User>({ registry, schema: user })
    assert.throws(
      () => serde.deserialize(avroSerde.serialize('x', 'names'), 'names'),
      serdeError(/is AVRO, not JSON/),
    )
    assert.throws(
      () => serde.deserialize(Buffer.from([0, 0, 0, 9, 9, 123]), 'users'),
      serdeError(/unknown schema id 2313/),
    )
  })

  it('uses the title with RecordNameStrategy', async () => {
    const serde = jsonSchema<User>({ registry, schema: user, subjectNameStrategy: 'record' })
    await serde.prepare()
    assert.equal(serde.subjectFor('users'), 'User')
    assert.deepEqual(await registry.versions('User'), [1])
  })
})
