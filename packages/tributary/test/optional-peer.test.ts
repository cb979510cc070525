import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../src/errors.ts'
import { importPeer, optionalPeer } from '../src/optional-peer.ts'

const MISSING = 'tributary-test-no-such-package'
// A variable specifier, so neither tsc nor tsx resolves it ahead of the test.
const importMissing = (): Promise<unknown> => import(MISSING)

const isOneLineConfig = (err: unknown): boolean =>
  isTributaryError(err) &&
  err.code === 'CONFIG' &&
  err.message === `tributary-streams/thing needs the package ${MISSING}: npm install ${MISSING}`

describe('optional peer dependencies', () => {
  it('importPeer names a missing package in one CONFIG line', async () => {
    await assert.rejects(importPeer(MISSING, 'tributary-streams/thing', importMissing), isOneLineConfig)
  })

  it('importPeer passes on other failures and loaded modules unchanged', async () => {
    const broken = new Error('a bug in the module')
    await assert.rejects(
      importPeer(MISSING, 'x', () => Promise.reject(broken)),
      (err) => err === broken,
    )
    const fs = await importPeer('node:fs', 'x', () => import('node:fs'))
    assert.equal(typeof fs.readFileSync, 'function')
  })

  it('optionalPeer loads without the package and throws the CONFIG line only when it is used', async () => {
    const get = await optionalPeer(MISSING, 'tributary-streams/thing', importMissing)
    assert.throws(get, isOneLineConfig)
    const path = await optionalPeer('node:path', 'x', () => import('node:path'))
    assert.equal(path().join('a', 'b'), 'a/b')
  })
})
