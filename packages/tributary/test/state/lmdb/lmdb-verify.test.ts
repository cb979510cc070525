import assert from 'node:assert/strict'
import {
  existsSync,
  openSync,
  readdirSync,
  readSync,
  closeSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { StorageProblems } from '../../../src/storage-problems.ts'
import type { Logger } from '../../../src/logger.ts'
import { withTempDir } from '../temp-dir.ts'

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} }

/** A closed shard `0_0/store` holding `n` entries with checkpoint `n`. */
async function filledShard(dir: string, n = 2000): Promise<string> {
  const backend = await lmdbBackendFactory.open(dir, '0_0', 'store', { logger: quiet })
  const entries = Array.from(
    { length: n },
    (_, i) => [Buffer.from(`key-${i}`), Buffer.alloc(64, i % 251)] as const,
  )
  await backend.write(entries, n)
  await backend.close()
  return join(dir, '0_0', 'store')
}

function flipBit(file: string, position: number, bit: number): void {
  const fd = openSync(file, 'r+')
  try {
    const byte = Buffer.alloc(1)
    readSync(fd, byte, 0, 1, position)
    byte[0]! ^= 1 << bit
    writeSync(fd, byte, 0, 1, position)
  } finally {
    closeSync(fd)
  }
}

const reopen = (dir: string, problems: StorageProblems) =>
  lmdbBackendFactory.open(dir, '0_0', 'store', { logger: quiet, problems })

describe('lmdb store verification on open', () => {
  it('reopens a cleanly closed store as it was, and reports nothing', () =>
    withTempDir(async (dir) => {
      await filledShard(dir)
      const problems = new StorageProblems()
      const backend = await reopen(dir, problems)
      assert.equal(backend.checkpoint(), 2000)
      assert.equal(backend.count(), 2000)
      await backend.close()
      assert.deepEqual(problems.list(), [])
    }))

  it('sets aside a closed store with any flipped bit and opens it empty, reporting store-rebuilt', () =>
    withTempDir(async (dir) => {
      for (let round = 0; round < 5; round++) {
        const shard = await filledShard(dir)
        const file = join(shard, 'data.mdb')
        flipBit(file, Math.floor(Math.random() * statSync(file).size), Math.floor(Math.random() * 8))
        const problems = new StorageProblems()
        const backend = await reopen(dir, problems)
        assert.equal(backend.checkpoint(), undefined, 'a rebuilt store restores from the changelog start')
        assert.equal(backend.count(), 0)
        await backend.close()
        const [problem] = problems.list()
        assert.equal(problem?.kind, 'store-rebuilt')
        assert.equal(problem.path, shard)
        assert.match(problem.message, /store store of task 0_0 was damaged .*moved to .*\.damaged/)
      }
      const damaged = readdirSync(join(dir, '.damaged'))
      assert.equal(damaged.length, 5, 'every damaged copy is kept')
      for (const name of damaged) assert.ok(existsSync(join(dir, '.damaged', name, 'data.mdb')))
    }))

  it('probes a store that was not closed (a crash) and keeps it when it reads through', () =>
    withTempDir(async (dir) => {
      const shard = await filledShard(dir)
      unlinkSync(join(shard, 'closed.crc32'))
      const problems = new StorageProblems()
      const backend = await reopen(dir, problems)
      assert.equal(backend.checkpoint(), 2000)
      assert.equal(backend.count(), 2000)
      await backend.close()
      assert.deepEqual(problems.list(), [])
    }))

  it('sets aside a store that was not closed and whose file would crash lmdb, without crashing', () =>
    withTempDir(async (dir) => {
      const shard = await filledShard(dir, 20_000)
      unlinkSync(join(shard, 'closed.crc32'))
      const file = join(shard, 'data.mdb')
      truncateSync(file, Math.floor(statSync(file).size / 3)) // pages the B-tree points to are gone
      const problems = new StorageProblems()
      const backend = await reopen(dir, problems)
      assert.equal(backend.count(), 0)
      await backend.close()
      assert.equal(problems.list()[0]?.kind, 'store-rebuilt')
      assert.match(problems.list()[0]!.message, /probe/)
    }))
})
