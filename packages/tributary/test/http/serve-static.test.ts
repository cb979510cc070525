import assert from 'node:assert/strict'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { HttpError } from '../../src/http/http-error.ts'
import { startHttpServer, type HttpServer } from '../../src/http/http-server.ts'
import { serveStatic } from '../../src/http/serve-static.ts'
import { rawRequest, traversals } from './raw-request.ts'

describe('serveStatic', () => {
  const base = mkdtempSync(join(tmpdir(), 'serve-static-'))
  const root = join(base, 'root')
  let server: HttpServer

  before(async () => {
    mkdirSync(join(root, 'sub'), { recursive: true })
    writeFileSync(join(root, 'index.html'), '<p>home</p>')
    writeFileSync(join(root, 'app.js'), 'ok()')
    writeFileSync(join(root, 'sub', 'index.html'), '<p>sub</p>')
    writeFileSync(join(root, '.env'), 'SECRET=inside-but-hidden')
    writeFileSync(join(base, 'secret.txt'), 'SECRET=outside')
    mkdirSync(join(base, 'elsewhere'))
    writeFileSync(join(base, 'elsewhere', 'secret.txt'), 'SECRET=outside')
    symlinkSync(join(base, 'secret.txt'), join(root, 'link.txt'))
    symlinkSync(join(base, 'elsewhere'), join(root, 'linked-dir'))
    server = await startHttpServer({
      port: 0,
      name: 'test',
      handler: async (req, res) => {
        if (!(await serveStatic(root, req, res))) throw new HttpError(404, 'not found')
      },
    })
  })
  after(async () => {
    await server.close()
    rmSync(base, { recursive: true, force: true })
  })

  it('serves the files under the root, and index.html for / and directories', async () => {
    const home = await rawRequest(server.url, '/')
    assert.equal(home.status, 200)
    assert.equal(home.body, '<p>home</p>')
    assert.equal(home.headers['content-type'], 'text/html; charset=utf-8')
    assert.equal((await rawRequest(server.url, '/app.js?v=1')).body, 'ok()')
    assert.equal((await rawRequest(server.url, '/sub/')).body, '<p>sub</p>')
    assert.equal((await rawRequest(server.url, '/%61pp.js')).body, 'ok()')
  })

  it('answers 404 to every spelling of a path outside the root, and never with its content', async () => {
    for (const path of [...traversals('secret.txt'), ...traversals('root/app.js')]) {
      const res = await rawRequest(server.url, path)
      assert.equal(res.status, 404, `${path} -> ${res.status}`)
      assert.doesNotMatch(res.body, /SECRET|ok\(\)/, path)
    }
  })

  it('does not follow a symlink out of the root, nor serve hidden files', async () => {
    for (const path of ['/link.txt', '/linked-dir/secret.txt', '/.env', '/%2eenv', '/sub/../.env']) {
      const res = await rawRequest(server.url, path)
      assert.equal(res.status, 404, path)
      assert.doesNotMatch(res.body, /SECRET/, path)
    }
  })

  it('answers HEAD without a body and leaves other methods to the caller', async () => {
    const head = await rawRequest(server.url, '/app.js', { method: 'HEAD' })
    assert.equal(head.status, 200)
    assert.equal(head.body, '')
    assert.equal((await rawRequest(server.url, '/app.js', { method: 'DELETE' })).status, 404)
  })
})
