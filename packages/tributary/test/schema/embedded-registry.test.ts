import assert from 'node:assert/strict'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EmbeddedLog } from '../../src/log/embedded/index.ts'
import { EmbeddedSchemaRegistry } from '../../src/schema/embedded-registry.ts'
import { isRegistryError, type SchemaInput } from '../../src/serde/registry-client.ts'

const record = (fields: object[], name = 'Order'): SchemaInput => ({
  schema: JSON.stringify({ type: 'record', name, fields }),
})
const v1 = record([{ name: 'id', type: 'string' }])
const v2 = record([
  { name: 'id', type: 'string' },
  { name: 'note', type: ['null', 'string'], default: null },
])
const noDefault = record([
  { name: 'id', type: 'string' },
  { name: 'qty', type: 'int' },
])

const withRegistry = async (
  run: (registry: EmbeddedSchemaRegistry, log: EmbeddedLog) => Promise<void>,
): Promise<void> => {
  const log = await EmbeddedLog.open()
  const registry = await EmbeddedSchemaRegistry.open({ log })
  try {
    await run(registry, log)
  } finally {
    await registry.close()
    await log.close()
  }
}

const rejects = async (promise: Promise<unknown>, errorCode: number, message?: RegExp): Promise<void> => {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(isRegistryError(err, errorCode), `expected ${errorCode}, got ${String(err)}`)
    if (message !== undefined) assert.match((err as Error).message, message)
    return true
  })
}

describe('embedded schema registry', () => {
  it('gives global ids, reuses them for the same schema in any subject, and numbers versions per subject', () =>
    withRegistry(async (registry) => {
      const a = await registry.register('orders-value', v1)
      const again = await registry.register('orders-value', {
        schema: JSON.stringify(JSON.parse(v1.schema), null, 2),
      })
      const other = await registry.register('other-value', v1)
      const b = await registry.register('orders-value', v2)
      assert.equal(a, 1)
      assert.equal(again, a)
      assert.equal(other, a)
      assert.equal(b, 2)
      assert.deepEqual(await registry.versions('orders-value'), [1, 2])
      assert.deepEqual(await registry.subjects(), ['orders-value', 'other-value'])
      assert.equal((await registry.version('orders-value', 'latest')).id, 2)
      assert.equal((await registry.version('other-value', 1)).id, 1)
      assert.equal((await registry.lookup('orders-value', v1))?.version, 1)
      assert.equal(await registry.lookup('orders-value', noDefault), undefined)
      assert.equal((await registry.schemaById(2)).schema, v2.schema)
      assert.deepEqual(await registry.usesOfId(1), [
        { subject: 'orders-value', version: 1 },
        { subject: 'other-value', version: 1 },
      ])
    }))

  it('rejects an incompatible schema naming the field and the rule', () =>
    withRegistry(async (registry) => {
      await registry.register('orders-value', v1)
      await rejects(
        registry.register('orders-value', noDefault),
        409,
        /READER_FIELD_MISSING_DEFAULT_VALUE at Order\.qty/,
      )
      assert.deepEqual(await registry.versions('orders-value'), [1])
    }))

  it('rejects invalid schemas with 42201 and bad versions with 42202', () =>
    withRegistry(async (registry) => {
      await rejects(registry.register('s', { schema: '{"type":"record"' }), 42201, /not JSON/)
      await rejects(registry.register('s', { schema: '{"type":"recrd","name":"X","fields":[]}' }), 42201)
      await rejects(registry.register('s', { schema: '{"type":"nope"}', schemaType: 'JSON' }), 42201)
      await registry.register('s', v1)
      await rejects(registry.version('s', 0), 42202)
      await rejects(registry.version('s', 7), 40402)
      await rejects(registry.version('missing', 1), 40401)
      await rejects(registry.schemaById(99), 40403)
    }))

  it('keeps a global level and per-subject levels', () =>
    withRegistry(async (registry) => {
      assert.equal(await registry.compatibility(), 'BACKWARD')
      await registry.setCompatibility('NONE', 'free-value')
      assert.equal(await registry.compatibility('free-value'), 'NONE')
      assert.equal(await registry.subjectCompatibility('orders-value'), undefined)
      await registry.register('free-value', v1)
      await registry.register('free-value', noDefault)
      await registry.setCompatibility('FULL')
      assert.equal(await registry.compatibility('orders-value'), 'FULL')
      assert.equal(await registry.deleteSubjectCompatibility('free-value'), 'NONE')
      await rejects(registry.deleteSubjectCompatibility('free-value'), 40408)
      await rejects(registry.setCompatibility('SIDEWAYS' as never), 42203)
    }))

  it('soft deletes, then permanently deletes, with Confluent error codes in between', () =>
    withRegistry(async (registry) => {
      await registry.register('s', v1)
      await registry.register('s', v2)
      await rejects(registry.deleteVersion('s', 1, true), 40407)
      assert.equal(await registry.deleteVersion('s', 1), 1)
      await rejects(registry.deleteVersion('s', 1), 40406)
      assert.deepEqual(await registry.versions('s'), [2])
      assert.deepEqual(await registry.versions('s', true), [1, 2])
      await rejects(registry.version('s', 1), 40402)
      assert.equal((await registry.version('s', 1, true)).id, 1)
      assert.equal(
        (await registry.schemaById(1)).schema,
        v1.schema,
        'soft-deleted schemas stay readable by id',
      )
      assert.equal(await registry.deleteVersion('s', 1, true), 1)
      await rejects(registry.deleteSubject('s', true), 40405)
      assert.deepEqual(await registry.deleteSubject('s'), [2])
      await rejects(registry.deleteSubject('s'), 40404)
      assert.deepEqual(await registry.subjects(), [])
      assert.deepEqual(await registry.subjects(true), ['s'])
      assert.deepEqual(await registry.deleteSubject('s', true), [2])
      await rejects(registry.deleteSubject('s'), 40401)
      await rejects(registry.schemaById(2), 40403)
      assert.equal(await registry.register('s', noDefault), 3, 'ids are never given twice')
      assert.deepEqual(await registry.versions('s'), [1])
    }))

  it('checks compatibility against one version or, by default, as registration would', () =>
    withRegistry(async (registry) => {
      await registry.register('s', v1)
      assert.deepEqual(await registry.testCompatibility('s', v2, 'latest'), {
        compatible: true,
        messages: [],
      })
      const result = await registry.testCompatibility('s', noDefault)
      assert.equal(result.compatible, false)
      assert.match(result.messages[0]!, /qty/)
    }))

  it('keeps ids, versions and levels across restarts and compaction', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tributary-registry-'))
    try {
      let log = await EmbeddedLog.open({ dataDir })
      let registry = await EmbeddedSchemaRegistry.open({ log })
      await registry.register('s', v1)
      await registry.register('s', v2)
      await registry.setCompatibility('FULL', 's')
      await registry.deleteSubject('s')
      await registry.deleteSubject('s', true)
      await registry.close()
      await log.compact('_schemas')
      await log.close()

      log = await EmbeddedLog.open({ dataDir })
      registry = await EmbeddedSchemaRegistry.open({ log })
      assert.deepEqual(await registry.subjects(true), [])
      assert.equal(
        await registry.compatibility('s'),
        'BACKWARD',
        'a permanent delete drops the subject level',
      )
      assert.equal(await registry.register('t', v1), 3, 'the id high-water mark survives compaction')
      await registry.close()
      await log.close()

      log = await EmbeddedLog.open({ dataDir })
      registry = await EmbeddedSchemaRegistry.open({ log })
      assert.equal((await registry.schemaById(3)).schema, v1.schema)
      assert.equal(await registry.register('t', v1), 3)
      await registry.close()
      await log.close()
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })

  it('agrees with another instance on the same log, even when both register at once', () =>
    withRegistry(async (first, log) => {
      const second = await EmbeddedSchemaRegistry.open({ log })
      try {
        await second.setCompatibility('NONE')
        const schemas = Array.from({ length: 12 }, (_, i) =>
          record([{ name: `f${i}`, type: 'int' }], `R${i}`),
        )
        const ids = await Promise.all(
          schemas.map((s, i) => (i % 2 === 0 ? first : second).register(`subject-${i % 3}`, s)),
        )
        assert.equal(new Set(ids).size, 12, 'every schema got its own id')
        assert.deepEqual(
          [...ids].sort((a, b) => a - b),
          Array.from({ length: 12 }, (_, i) => i + 1),
        )
        for (const [i, id] of ids.entries()) {
          assert.equal((await first.schemaById(id)).schema, schemas[i]!.schema)
          assert.equal((await second.schemaById(id)).schema, schemas[i]!.schema)
        }
        for (const subject of ['subject-0', 'subject-1', 'subject-2'])
          assert.deepEqual(await first.versions(subject), await second.versions(subject))
        assert.equal(await first.compatibility(), 'NONE')
      } finally {
        await second.close()
      }
    }))
})
