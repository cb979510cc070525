// A store with a fixed live set levels off: in file size (freed pages are reused, even while
// callers leave range iterators unfinished) and in mapped pages (one map of its file, not one
// more per growth); an iteration left across a commit resumes after its last key. Linux: the maps
// are counted in /proc/self/smaps.
import assert from 'node:assert/strict'
import { readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { setImmediate } from 'node:timers/promises'
import { describe, it } from 'node:test'
import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { withTempDir } from '../temp-dir.ts'

const key = (n: number): Buffer => Buffer.from(`key-${String(n).padStart(8, '0')}`)
const value = Buffer.alloc(200, 1)

/** Mappings of `file` in this process. */
const mapsOf = (file: string): number =>
  readFileSync('/proc/self/smaps', 'utf8')
    .split('\n')
    .filter((line) => /^[0-9a-f]+-[0-9a-f]+ /.test(line) && line.trimEnd().endsWith(` ${file}`)).length

describe('lmdb backend space', () => {
  it('reuses freed pages for a rolling window of keys while range iterators are left unfinished', () =>
    withTempDir(async (dir) => {
      const store = await lmdbBackendFactory.open(dir, '0_0', 'window')
      const file = join(dir, '0_0', 'window', 'data.mdb')
      const live = 2000
      const perRound = 100
      const sizes: number[] = []
      try {
        // 300 rounds, each its own event turn: put 100 keys, delete the 100 that left the window,
        // and take one entry of a range as a lookup does, never finishing the iterator. Before
        // iterators stopped pinning their snapshot this ran out of lmdb reader slots
        // (MDB_READERS_FULL) after 126 rounds, and the file grew every round.
        for (let round = 0; round < 300; round++) {
          const entries: [Buffer, Buffer | null][] = []
          for (let i = 0; i < perRound; i++) {
            const n = round * perRound + i
            entries.push([key(n), value])
            if (n >= live) entries.push([key(n - live), null])
          }
          await store.write(entries, round)
          assert.ok(store.range(key(round * perRound)).next().done === false)
          await setImmediate()
          sizes.push(statSync(file).size)
        }
        assert.equal(store.count(), live)
        // The live set is full from round 20 on; from round 100 on the file no longer grows.
        assert.equal(
          sizes[299],
          sizes[99],
          `file sizes at rounds 100, 200, 300: ${[99, 199, 299].map((r) => sizes[r])}`,
        )
      } finally {
        await store.close()
      }
    }))

  it('resumes an iteration left across a commit after its last key, skipping no key still there', () =>
    withTempDir(async (dir) => {
      const store = await lmdbBackendFactory.open(dir, '0_0', 'resumed')
      try {
        // Past the first chunk of a read, so that the commit lands between two chunks and within one.
        const n = 40
        await store.write(
          Array.from({ length: n }, (_, i) => [key(i), value] as [Buffer, Buffer]),
          1,
        )
        const iterator = store.range()
        const seen = [0, 1].map(() => String(iterator.next().value![0]))
        await setImmediate()
        // Deletes the last key yielded and one not yet reached; adds one after the end.
        await store.write(
          [
            [key(1), null],
            [key(30), null],
            [key(n), value],
          ],
          2,
        )
        await setImmediate()
        for (let r = iterator.next(); !r.done; r = iterator.next()) seen.push(String(r.value[0]))
        const later = seen.slice(2)
        assert.deepEqual([...later].sort(), later, 'ascending')
        assert.equal(new Set(seen).size, seen.length, 'no key twice')
        for (let i = 2; i < n; i++)
          if (i !== 30) assert.ok(seen.includes(String(key(i))), `key ${i} was not skipped`)
        assert.ok(seen.includes(String(key(n))), 'the key added after the end is seen')
      } finally {
        await store.close()
      }
    }))

  it('maps its file once as the store grows (no remap that keeps an earlier map resident)', () =>
    withTempDir(async (dir) => {
      const store = await lmdbBackendFactory.open(dir, '0_0', 'growing')
      const file = join(dir, '0_0', 'growing', 'data.mdb')
      try {
        // About 8 MB in 40 commits: lmdb's default map (128 KiB, doubled on demand) would be
        // mapped anew six times, each earlier map kept until close.
        const big = Buffer.alloc(1000, 2)
        for (let commit = 0; commit < 40; commit++) {
          const entries = Array.from(
            { length: 200 },
            (_, i) => [key(commit * 200 + i), big] as [Buffer, Buffer],
          )
          await store.write(entries, commit)
          assert.ok(store.get(key(commit * 200)) !== undefined)
        }
        assert.ok(statSync(file).size > 8_000_000, `data.mdb is ${statSync(file).size} bytes`)
        assert.equal(mapsOf(file), 1)
      } finally {
        await store.close()
      }
    }))
})
