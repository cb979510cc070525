import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { SparseIndex } from '../../../src/log/embedded/sparse-index.ts'

/** Entries of `size` bytes each at offsets 0, 2, 4, ... (gaps, as markers and compaction leave). */
function indexOf(entries: number, size: number, interval: number): SparseIndex {
  const index = new SparseIndex(interval)
  for (let i = 0; i < entries; i++) index.add(2 * i, i * size)
  return index
}

const points = (index: SparseIndex): [number, number][] =>
  Array.from({ length: index.length }, (_, p) => [index.offsetAt(p), index.positionAt(p)])

describe('sparse index of a segment file', () => {
  it('keeps the first entry and then one entry per interval of bytes', () => {
    const index = indexOf(100, 30, 100)
    // positions 0, 30, 60, 90, 120: a point at 0, then at the first entry >= 100 bytes later
    assert.deepEqual(points(index).slice(0, 3), [
      [0, 0],
      [8, 120],
      [16, 240],
    ])
    assert.equal(index.length, 25)
  })

  it('gives every entry a point when entries are larger than the interval', () => {
    assert.equal(indexOf(50, 5000, 4096).length, 50)
  })

  it('finds the last point at or below an offset (0 below the first, -1 when empty)', () => {
    const index = indexOf(100, 30, 100)
    assert.equal(index.floor(-5), 0)
    assert.equal(index.floor(0), 0)
    assert.equal(index.floor(7), 0)
    assert.equal(index.floor(8), 1)
    assert.equal(index.floor(9), 1)
    assert.equal(index.floor(10_000), index.length - 1)
    assert.equal(new SparseIndex().floor(3), -1)
  })

  it('drops the points before the one a new log start is read from', () => {
    const index = indexOf(100, 30, 100)
    index.dropBefore(19)
    assert.deepEqual(points(index)[0], [16, 240])
    assert.equal(index.floor(19), 0)
    index.dropBefore(3) // below the first point: nothing changes
    assert.deepEqual(points(index)[0], [16, 240])
  })

  it('grows past its initial capacity, trims spare capacity and keeps growing after a trim', () => {
    const index = indexOf(1000, 10, 10)
    assert.equal(index.length, 1000)
    index.trim()
    index.add(5000, 100_000)
    assert.deepEqual(points(index).at(-1), [5000, 100_000])
    assert.equal(index.floor(1998), 999)
    const empty = new SparseIndex()
    empty.trim()
    empty.add(1, 0)
    assert.equal(empty.length, 1)
  })

  it('is built from the positions of a rewritten file', () => {
    const index = SparseIndex.of([3, 9, 12, 40], [0, 60, 120, 180], 100)
    assert.deepEqual(points(index), [
      [3, 0],
      [12, 120],
    ])
  })
})
