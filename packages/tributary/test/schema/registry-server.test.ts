import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { EmbeddedLog } from '../../src/log/embedded/index.ts'
import { EmbeddedSchemaRegistry } from '../../src/schema/embedded-registry.ts'
import { startRegistryServer, type RegistryServer } from '../../src/schema/registry-server.ts'
import { RestSchemaRegistry } from '../../src/serde/registry-rest-client.ts'
import { isRegistryError } from '../../src/serde/registry-client.ts'

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
type Body = any

const CT = 'application/vnd.schemaregistry.v1+json'
const v1 = JSON.stringify({ type: 'record', name: 'Order', fields: [{ name: 'id', type: 'string' }] })
const v2 = JSON.stringify({
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'qty', type: 'int', default: 1 },
  ],
})
const bad = JSON.stringify({
  type: 'record',
  name: 'Order',
  fields: [
    { name: 'id', type: 'string' },
    { name: 'sku', type: 'string' },
  ],
})

describe('schema registry REST API (Confluent paths, statuses and error codes)', () => {
  let log: EmbeddedLog
  let registry: EmbeddedSchemaRegistry
  let server: RegistryServer
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: Body; type: string | null }> => {
    const res = await fetch(server.url + path, {
      method,
      headers: { 'content-type': CT, accept: CT },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    const text = await res.text()
    return {
      status: res.status,
      body: text === '' ? undefined : JSON.parse(text),
      type: res.headers.get('content-type'),
    }
  }

  before(async () => {
    log = await EmbeddedLog.open()
    registry = await EmbeddedSchemaRegistry.open({ log })
    server = await startRegistryServer({ registry, port: 0 })
  })
  after(async () => {
    await server.close()
    await registry.close()
    await log.close()
  })

  it('refuses a body over 1 MiB with 413, in the error format of the API', async () => {
    const res = await call('POST', '/subjects/big-value/versions', { schema: 'x'.repeat(1024 * 1024) })
    assert.equal(res.status, 413)
    assert.equal(res.type, CT)
    assert.equal(res.body.error_code, 413)
  })

  it('registers, lists, reads and looks up schemas', async () => {
    assert.deepEqual((await call('GET', '/subjects')).body, [])
    const reg = await call('POST', '/subjects/orders-value/versions', { schema: v1 })
    assert.equal(reg.status, 200)
    assert.equal(reg.type, CT)
    assert.deepEqual(reg.body, { id: 1 })
    assert.deepEqual((await call('POST', '/subjects/orders-value/versions', { schema: v2 })).body, { id: 2 })
    assert.deepEqual((await call('GET', '/subjects')).body, ['orders-value'])
    assert.deepEqual((await call('GET', '/subjects/orders-value/versions')).body, [1, 2])
    assert.deepEqual((await call('GET', '/subjects/orders-value/versions/latest')).body, {
      subject: 'orders-value',
      version: 2,
      id: 2,
      schema: v2,
    })
    assert.deepEqual((await call('GET', '/subjects/orders-value/versions/1')).body, {
      subject: 'orders-value',
      version: 1,
      id: 1,
      schema: v1,
    })
    assert.deepEqual((await call('GET', '/subjects/orders-value/versions/1/schema')).body, JSON.parse(v1))
    assert.deepEqual((await call('GET', '/schemas/ids/1')).body, { schema: v1 })
    assert.deepEqual((await call('GET', '/schemas/ids/2/versions')).body, [
      { subject: 'orders-value', version: 2 },
    ])
    assert.deepEqual((await call('POST', '/subjects/orders-value', { schema: v1 })).body, {
      subject: 'orders-value',
      version: 1,
      id: 1,
      schema: v1,
    })
    assert.deepEqual((await call('GET', '/schemas/types')).body, ['JSON', 'AVRO'])
  })

  it('answers with Confluent error codes', async () => {
    const expect = async (method: string, path: string, body: unknown, status: number, code: number) => {
      const res = await call(method, path, body)
      assert.equal(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`)
      assert.equal(res.body.error_code, code, `${method} ${path}: ${JSON.stringify(res.body)}`)
      assert.equal(typeof res.body.message, 'string')
      return res.body.message as string
    }
    await expect('GET', '/subjects/nope/versions', undefined, 404, 40401)
    await expect('GET', '/subjects/orders-value/versions/9', undefined, 404, 40402)
    await expect('GET', '/schemas/ids/99', undefined, 404, 40403)
    await expect('POST', '/subjects/nope', { schema: v1 }, 404, 40401)
    await expect('POST', '/subjects/orders-value', { schema: bad }, 404, 40403)
    await expect('GET', '/subjects/orders-value/versions/abc', undefined, 422, 42202)
    await expect('GET', '/subjects/orders-value/versions/0', undefined, 422, 42202)
    await expect('POST', '/subjects/x/versions', { schema: '{"type": "bogus"}' }, 422, 42201)
    await expect('POST', '/subjects/x/versions', { schema: '"string"', schemaType: 'PROTOBUF' }, 422, 42201)
    await expect('POST', '/subjects/x/versions', {}, 422, 42201)
    const message = await expect('POST', '/subjects/orders-value/versions', { schema: bad }, 409, 409)
    assert.match(message, /incompatible.*READER_FIELD_MISSING_DEFAULT_VALUE at Order\.sku/)
    await expect('PUT', '/config', { compatibility: 'SOMETIMES' }, 422, 42203)
    await expect('GET', '/nowhere', undefined, 404, 404)
  })

  it('reads and writes the global and per-subject levels', async () => {
    assert.deepEqual((await call('GET', '/config')).body, { compatibilityLevel: 'BACKWARD' })
    await (async () => {
      const res = await call('GET', '/config/orders-value')
      assert.equal(res.status, 404)
      assert.equal(res.body.error_code, 40408)
    })()
    assert.deepEqual((await call('GET', '/config/orders-value?defaultToGlobal=true')).body, {
      compatibilityLevel: 'BACKWARD',
    })
    assert.deepEqual((await call('PUT', '/config/orders-value', { compatibility: 'none' })).body, {
      compatibility: 'NONE',
    })
    assert.deepEqual((await call('GET', '/config/orders-value')).body, { compatibilityLevel: 'NONE' })
    assert.deepEqual((await call('PUT', '/config', { compatibility: 'FULL' })).body, {
      compatibility: 'FULL',
    })
    assert.deepEqual((await call('GET', '/config')).body, { compatibilityLevel: 'FULL' })
    assert.deepEqual((await call('DELETE', '/config/orders-value')).body, { compatibilityLevel: 'NONE' })
    await call('PUT', '/config', { compatibility: 'BACKWARD' })
  })

  it('tests compatibility against a version, latest, or a subject not yet there', async () => {
    assert.deepEqual(
      (await call('POST', '/compatibility/subjects/orders-value/versions/latest', { schema: v2 })).body,
      { is_compatible: true },
    )
    assert.deepEqual(
      (await call('POST', '/compatibility/subjects/orders-value/versions/1', { schema: bad })).body,
      { is_compatible: false },
    )
    const verbose = await call('POST', '/compatibility/subjects/orders-value/versions/latest?verbose=true', {
      schema: bad,
    })
    assert.equal(verbose.body.is_compatible, false)
    assert.match(verbose.body.messages[0], /sku/)
    assert.deepEqual(
      (await call('POST', '/compatibility/subjects/fresh/versions/latest', { schema: bad })).body,
      { is_compatible: true },
    )
    assert.equal(
      (await call('POST', '/compatibility/subjects/fresh/versions/3', { schema: bad })).body.error_code,
      40401,
    )
  })

  it('deletes softly, then permanently', async () => {
    await call('POST', '/subjects/tmp/versions', { schema: '"string"' })
    await call('POST', '/subjects/tmp/versions', { schema: '{"type":"string","x":1}' })
    assert.equal((await call('DELETE', '/subjects/tmp/versions/1?permanent=true')).body.error_code, 40407)
    assert.deepEqual((await call('DELETE', '/subjects/tmp/versions/1')).body, 1)
    assert.equal((await call('DELETE', '/subjects/tmp/versions/1')).body.error_code, 40406)
    assert.deepEqual((await call('GET', '/subjects/tmp/versions?deleted=true')).body, [1, 2])
    assert.equal((await call('DELETE', '/subjects/tmp?permanent=true')).body.error_code, 40405)
    assert.deepEqual((await call('DELETE', '/subjects/tmp')).body, [2])
    assert.equal((await call('DELETE', '/subjects/tmp')).body.error_code, 40404)
    assert.ok(!(await call('GET', '/subjects')).body.includes('tmp'))
    assert.ok((await call('GET', '/subjects?deleted=true')).body.includes('tmp'))
    assert.deepEqual((await call('DELETE', '/subjects/tmp?permanent=true')).body, [1, 2])
    assert.equal((await call('GET', '/subjects/tmp/versions')).body.error_code, 40401)
  })

  it('serves JSON Schemas with their schemaType', async () => {
    const schema = JSON.stringify({ type: 'object', properties: { id: { type: 'string' } } })
    const { id } = (await call('POST', '/subjects/events-value/versions', { schema, schemaType: 'JSON' }))
      .body
    assert.deepEqual((await call('GET', `/schemas/ids/${id}`)).body, { schema, schemaType: 'JSON' })
    assert.equal((await call('GET', '/subjects/events-value/versions/latest')).body.schemaType, 'JSON')
  })

  it('is reached through the REST client with the same results and errors', async () => {
    const client = new RestSchemaRegistry({ url: server.url })
    assert.equal(await client.register('orders-value', { schema: v1 }), 1)
    assert.equal((await client.lookup('orders-value', { schema: v2 }))?.version, 2)
    assert.equal(await client.lookup('orders-value', { schema: bad }), undefined)
    assert.equal((await client.schemaById(2)).schema, v2)
    assert.equal(client.cachedSchemaById(2)?.schema, v2)
    assert.deepEqual(await client.versions('orders-value'), [1, 2])
    assert.equal((await client.version('orders-value', 'latest')).version, 2)
    assert.equal(await client.compatibility('orders-value'), 'BACKWARD')
    const result = await client.testCompatibility('orders-value', { schema: bad })
    assert.equal(result.compatible, false)
    assert.match(result.messages.join(), /sku/)
    await assert.rejects(
      client.register('orders-value', { schema: bad }),
      (err) => isRegistryError(err, 409) && err.status === 409,
    )
    await assert.rejects(client.schemaById(404), (err) => isRegistryError(err, 40403))
    await assert.rejects(new RestSchemaRegistry({ url: 'http://127.0.0.1:1' }).subjects(), (err) =>
      isRegistryError(err, 50001),
    )
  })
})

describe('tributary registry (CLI)', () => {
  it('serves a registry on an embedded log in a data directory, and keeps ids across restarts', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'tributary-registry-cli-'))
    const start = async (): Promise<{ url: string; stop: () => Promise<void> }> => {
      const child = spawn(
        process.execPath,
        ['bin/tributary.js', 'registry', '--port', '0', '--data-dir', dataDir],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      )
      const url = await new Promise<string>((resolve, reject) => {
        let out = ''
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString()
          const m = /listening on (http:\/\/\S+)/.exec(out)
          if (m) resolve(m[1]!)
        })
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)))
      })
      return {
        url,
        stop: () =>
          new Promise<void>((resolve) => {
            child.once('exit', () => resolve())
            child.kill('SIGTERM')
          }),
      }
    }
    try {
      let running = await start()
      let client = new RestSchemaRegistry({ url: running.url })
      assert.equal(await client.register('a-value', { schema: v1 }), 1)
      assert.equal(await client.register('b-value', { schema: '"string"' }), 2)
      await running.stop()
      running = await start()
      client = new RestSchemaRegistry({ url: running.url })
      assert.equal((await client.schemaById(2)).schema, '"string"')
      assert.equal(await client.register('c-value', { schema: '"long"' }), 3)
      await running.stop()
    } finally {
      await rm(dataDir, { recursive: true, force: true })
    }
  })
})
