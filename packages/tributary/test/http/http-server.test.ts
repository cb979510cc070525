import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { HttpError } from '../../src/http/http-error.ts'
import { SAFE_HEADERS, startHttpServer, type HttpServer } from '../../src/http/http-server.ts'
import type { Logger } from '../../src/logger.ts'
import { rawRequest } from './raw-request.ts'

const quiet = (logged: object[]): Logger => ({
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: (fields) => void logged.push(fields),
})

describe('startHttpServer', () => {
  const logged: object[] = []
  let server: HttpServer
  before(async () => {
    server = await startHttpServer({
      port: 0,
      name: 'test',
      maxBodyBytes: 1000,
      maxHeaderBytes: 4096,
      logger: quiet(logged),
      handler: async (req, res, body) => {
        if (req.url === '/boom') throw new Error(`disk full at /var/lib/secret-path`)
        if (req.url === '/teapot') throw new HttpError(418, 'short and stout')
        const text = (await body()).toString()
        res.writeHead(200, { 'content-type': 'text/plain' }).end(`got ${text.length}`)
      },
    })
  })
  after(() => server.close())

  it('listens on 127.0.0.1 unless told otherwise', () => {
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('sends the safe headers on every response, errors included', async () => {
    for (const path of ['/', '/teapot', '/boom']) {
      const res = await rawRequest(server.url, path)
      for (const [name, value] of Object.entries(SAFE_HEADERS)) assert.equal(res.headers[name], value, name)
    }
    assert.match(SAFE_HEADERS['content-security-policy']!, /frame-ancestors 'none'/)
  })

  it('answers 413 to a body over the limit, declared or streamed, and accepts one at the limit', async () => {
    const declared = await rawRequest(server.url, '/', { method: 'POST', body: 'x'.repeat(1001) })
    assert.equal(declared.status, 413)
    const streamed = await rawRequest(server.url, '/', {
      method: 'POST',
      headers: { 'transfer-encoding': 'chunked' },
      body: 'x'.repeat(5000),
    })
    assert.equal(streamed.status, 413)
    const ok = await rawRequest(server.url, '/', { method: 'POST', body: 'x'.repeat(1000) })
    assert.equal(ok.status, 200)
    assert.equal(ok.body, 'got 1000')
  })

  it('answers 431 to headers over the limit', async () => {
    const res = await rawRequest(server.url, '/', { headers: { 'x-big': 'y'.repeat(8000) } })
    assert.equal(res.status, 431)
  })

  it('answers 500 with no stack and no detail, and logs the failure in full', async () => {
    const res = await rawRequest(server.url, '/boom')
    assert.equal(res.status, 500)
    assert.deepEqual(JSON.parse(res.body), { error: 'internal error' })
    assert.doesNotMatch(res.body, /secret-path|at |\.ts/)
    const entry = logged.at(-1) as { error: string; stack: string }
    assert.match(entry.error, /secret-path/)
    assert.match(entry.stack, /http-server\.test\.ts/)
    assert.equal((await rawRequest(server.url, '/teapot')).status, 418)
  })
})

describe('startHttpServer with auth', () => {
  const handler = async (_req: unknown, res: import('node:http').ServerResponse) => void res.end('in')
  let bearer: HttpServer
  let basic: HttpServer
  before(async () => {
    bearer = await startHttpServer({ port: 0, name: 'b', auth: { bearer: 's3cret-token' }, handler })
    basic = await startHttpServer({
      port: 0,
      name: 'a',
      auth: { basic: { user: 'ops', password: 'pw:x' } },
      handler,
    })
  })
  after(async () => {
    await bearer.close()
    await basic.close()
  })

  it('answers 401 with a challenge without the right bearer token, and serves with it', async () => {
    for (const authorization of [
      undefined,
      'Bearer wrong',
      'Bearer s3cret-toke',
      'Basic czNjcmV0LXRva2Vu',
      's3cret-token',
    ]) {
      const res = await rawRequest(
        bearer.url,
        '/',
        authorization === undefined ? {} : { headers: { authorization } },
      )
      assert.equal(res.status, 401, String(authorization))
      assert.equal(res.headers['www-authenticate'], 'Bearer realm="b"')
      assert.doesNotMatch(res.body, /in|s3cret/)
    }
    const ok = await rawRequest(bearer.url, '/', { headers: { authorization: 'Bearer s3cret-token' } })
    assert.equal(ok.status, 200)
    assert.equal(ok.body, 'in')
  })

  it('answers 401 without the right user and password, and serves with them', async () => {
    const b64 = (s: string) => Buffer.from(s).toString('base64')
    for (const authorization of [
      undefined,
      `Basic ${b64('ops:pw')}`,
      `Basic ${b64('root:pw:x')}`,
      'Bearer pw:x',
    ]) {
      const res = await rawRequest(
        basic.url,
        '/',
        authorization === undefined ? {} : { headers: { authorization } },
      )
      assert.equal(res.status, 401, String(authorization))
      assert.equal(res.headers['www-authenticate'], 'Basic realm="a"')
    }
    const ok = await rawRequest(basic.url, '/', { headers: { authorization: `Basic ${b64('ops:pw:x')}` } })
    assert.equal(ok.status, 200)
  })
})
