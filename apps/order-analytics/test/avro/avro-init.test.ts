import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { EmbeddedLog, isTributaryError } from 'tributary-streams'
import { EmbeddedSchemaRegistry, startRegistryServer } from 'tributary-streams/schema'
import { init, initAvroSchemas } from '../../src/cli/commands.ts'
import { avroSettings } from '../../src/cli/context-from-env.ts'
import { topicNames, type AppContext } from '../../src/context.ts'
import { AVRO_SCHEMAS } from '../../src/contract/avro/schemas.ts'

const quiet = async <T>(body: () => Promise<T>): Promise<T> => {
  const log = console.log
  console.log = () => {}
  try {
    return await body()
  } finally {
    console.log = log
  }
}

describe('init with ORDERS_FORMAT=avro', () => {
  let dataDir: string
  let ctx: AppContext
  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'oa-avro-init-'))
    ctx = {
      log: await EmbeddedLog.open(),
      topics: topicNames(''),
      partitions: 2,
      dataDir,
      applicationId: 'oa-avro-init',
      port: 0,
      databaseUrl: undefined,
      avro: { registryUrl: undefined, orderPlacedVersion: 2 },
    }
  })
  after(async () => {
    await ctx.log.close()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('registers OrderPlaced v1, v2 and UserCreated in the embedded registry on the app log, idempotently', async () => {
    await quiet(() => init(ctx))
    const registry = await EmbeddedSchemaRegistry.open({ log: ctx.log })
    try {
      assert.deepEqual((await registry.subjects()).sort(), ['orders-raw-value', 'users-raw-value'])
      assert.deepEqual(await registry.versions('orders-raw-value'), [1, 2])
      assert.deepEqual(await registry.versions('users-raw-value'), [1])
      const before = await Promise.all([
        registry.version('orders-raw-value', 1),
        registry.version('orders-raw-value', 2),
        registry.version('users-raw-value', 1),
      ])
      assert.deepEqual(JSON.parse(before[0].schema), AVRO_SCHEMAS.orderPlaced[1])
      assert.deepEqual(JSON.parse(before[2].schema), AVRO_SCHEMAS.userCreated)

      await quiet(() => init(ctx)) // again: nothing new
      const again = await quiet(() => initAvroSchemas(ctx, { registryUrl: undefined }))
      assert.deepEqual(
        again,
        before.map(({ subject, version, id }) => ({ subject, version, id })),
      )
      assert.deepEqual(await registry.versions('orders-raw-value'), [1, 2])
      assert.deepEqual(await registry.versions('users-raw-value'), [1])
      const topics = await ctx.log.admin.listTopics()
      for (const t of ['_schemas', ...Object.values(ctx.topics)]) assert.ok(topics.includes(t), t)
    } finally {
      await registry.close()
    }
  })

  it('registers through SCHEMA_REGISTRY_URL (the REST API) when it is set', async () => {
    const log = await EmbeddedLog.open()
    const registry = await EmbeddedSchemaRegistry.open({ log })
    const server = await startRegistryServer({ registry, port: 0 })
    try {
      const topics = topicNames('rest-')
      const registered = await quiet(() =>
        initAvroSchemas({ log: ctx.log, topics }, { registryUrl: server.url }),
      )
      assert.deepEqual(
        registered.map((r) => [r.subject, r.version]),
        [
          ['rest-orders-raw-value', 1],
          ['rest-orders-raw-value', 2],
          ['rest-users-raw-value', 1],
        ],
      )
      assert.deepEqual(await registry.versions('rest-orders-raw-value'), [1, 2])
      // the app log's own registry was not touched
      const own = await EmbeddedSchemaRegistry.open({ log: ctx.log })
      assert.ok(!(await own.subjects()).includes('rest-orders-raw-value'))
      await own.close()
    } finally {
      await server.close()
      await registry.close()
      await log.close()
    }
  })
})

describe('ORDERS_FORMAT and friends', () => {
  it('JSON is the default', () => {
    assert.equal(avroSettings({}), undefined)
    assert.equal(avroSettings({ ORDERS_FORMAT: 'json' }), undefined)
    assert.equal(avroSettings({ ORDERS_FORMAT: '' }), undefined)
  })

  it('avro: the embedded registry and OrderPlaced v2 unless told otherwise', () => {
    assert.deepEqual(avroSettings({ ORDERS_FORMAT: 'avro' }), {
      registryUrl: undefined,
      orderPlacedVersion: 2,
    })
    assert.deepEqual(
      avroSettings({ ORDERS_FORMAT: 'AVRO', SCHEMA_REGISTRY_URL: 'http://r:8081', ORDERS_AVRO_VERSION: '1' }),
      { registryUrl: 'http://r:8081', orderPlacedVersion: 1 },
    )
  })

  it('refuses unknown formats and versions', () => {
    assert.throws(
      () => avroSettings({ ORDERS_FORMAT: 'protobuf' }),
      (e) => isTributaryError(e, 'CONFIG'),
    )
    assert.throws(
      () => avroSettings({ ORDERS_FORMAT: 'avro', ORDERS_AVRO_VERSION: '3' }),
      (e) => isTributaryError(e, 'CONFIG'),
    )
  })
})
