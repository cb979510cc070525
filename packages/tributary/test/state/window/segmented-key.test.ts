import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { SegmentedKey } from '../../../src/state/window/segmented-key.ts'
import { Segments } from '../../../src/state/window/segments.ts'
import { META_KEY } from '../../../src/state/window/store-meta.ts'
import { readTime, writeTime } from '../../../src/state/window/time-bytes.ts'

const s = (text: string): Buffer => Buffer.from(text)

describe('SegmentedKey', () => {
  it('reads back the key and every field it encoded', () => {
    const layout = new SegmentedKey(2)
    const stored = layout.encode(7, s('user-1'), 123_456, Number.MAX_SAFE_INTEGER)
    assert.deepEqual(layout.key(stored), s('user-1'))
    assert.equal(layout.field(stored, 0), 123_456)
    assert.equal(layout.field(stored, 1), Number.MAX_SAFE_INTEGER)
    assert.equal(stored.length, 8 + 4 + 6 + 16)
  })

  it('sorts by segment, then key length and bytes, then fields, for any safe times', () =>
    fc.assert(
      fc.property(
        fc.tuple(fc.nat(5), fc.uint8Array({ maxLength: 3 }), fc.maxSafeNat()),
        fc.tuple(fc.nat(5), fc.uint8Array({ maxLength: 3 }), fc.maxSafeNat()),
        ([sa, ka, ta], [sb, kb, tb]) => {
          const layout = new SegmentedKey(1)
          const a = layout.encode(sa, Buffer.from(ka), ta)
          const b = layout.encode(sb, Buffer.from(kb), tb)
          const expected =
            Math.sign(sa - sb) ||
            Math.sign(ka.length - kb.length) ||
            Buffer.compare(Buffer.from(ka), Buffer.from(kb)) ||
            Math.sign(ta - tb)
          assert.equal(Buffer.compare(a, b), expected)
        },
      ),
    ))

  it('bounds one key within a segment without taking in a longer key that extends it', () => {
    const layout = new SegmentedKey(2)
    const from = layout.bound(3, s('a'), [10])
    const to = layout.bound(3, s('a'), [20], true)
    const inside = [layout.encode(3, s('a'), 10, 0), layout.encode(3, s('a'), 20, Number.MAX_SAFE_INTEGER)]
    const outside = [
      layout.encode(3, s('a'), 9, Number.MAX_SAFE_INTEGER),
      layout.encode(3, s('a'), 21, 0),
      layout.encode(3, s('ab'), 15, 0),
      layout.encode(3, s(''), 15, 0),
      layout.encode(2, s('a'), 15, 0),
      layout.encode(4, s('a'), 15, 0),
    ]
    for (const key of inside) assert.ok(Buffer.compare(from, key) <= 0 && Buffer.compare(key, to) <= 0)
    for (const key of outside) assert.ok(Buffer.compare(key, from) < 0 || Buffer.compare(key, to) > 0)
  })

  it('keeps segment prefixes between segments and the metadata key after all data', () => {
    const segments = new Segments(60_000)
    const layout = new SegmentedKey(1)
    const last = layout.encode(4, Buffer.alloc(300, 0xff), Number.MAX_SAFE_INTEGER)
    const next = layout.encode(5, Buffer.alloc(0), 0)
    assert.ok(Buffer.compare(last, segments.prefix(5)) < 0)
    assert.ok(Buffer.compare(segments.prefix(5), next) < 0)
    const top = layout.encode(
      segments.of(Number.MAX_SAFE_INTEGER),
      Buffer.alloc(10, 0xff),
      Number.MAX_SAFE_INTEGER,
    )
    assert.ok(Buffer.compare(top, META_KEY) < 0)
  })
})

describe('time bytes', () => {
  it('round-trip every safe integer exactly', () =>
    fc.assert(
      fc.property(fc.maxSafeNat(), (time) => {
        const out = Buffer.alloc(8)
        writeTime(out, 0, time)
        assert.equal(readTime(out, 0), time)
      }),
    ))
})
