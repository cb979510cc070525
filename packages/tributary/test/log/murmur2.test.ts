import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { murmur2, partitionForKey, toPositive } from '../../src/log/murmur2.ts'

/**
 * Vectors produced with Kafka's own Java code: org.apache.kafka:kafka-clients:3.9.0 (from Maven
 * Central), a small Java 17 program printing `Utils.murmur2(key.getBytes(UTF_8))`,
 * `Utils.toPositive(hash)` and `toPositive(hash) % 6` for each key.
 */
const vectors: [key: string, murmur2: number, positive: number, partitionOf6: number][] = [
  ['', 275646681, 275646681, 3],
  ['a', -1563381124, 584102524, 4],
  ['ab', 316155434, 316155434, 2],
  ['abc', 479470107, 479470107, 3],
  ['abcd', -1323649548, 823834100, 2],
  ['abcde', 461995741, 461995741, 1],
  ['abcdef', 1870650108, 1870650108, 0],
  ['abcdefg', -346467175, 1801016473, 1],
  ['order-42', 501153024, 501153024, 0],
  ['user:1001', -1961883735, 185599913, 5],
  ['héllo wörld', 439213890, 439213890, 0],
  ['日本語キー', 1445825182, 1445825182, 4],
  ['The quick brown fox jumps over the lazy dog', 495243318, 495243318, 0],
]

describe('murmur2', () => {
  for (const [key, hash, positive, partition] of vectors) {
    it(`hashes ${JSON.stringify(key)} exactly as Kafka's Java client`, () => {
      const bytes = Buffer.from(key, 'utf8')
      assert.equal(murmur2(bytes), hash)
      assert.equal(toPositive(murmur2(bytes)), positive)
      assert.equal(partitionForKey(bytes, 6), partition)
    })
  }

  it('hashes arbitrary bytes, not only text', () => {
    // Same Java program with new byte[]{(byte)0xff, 0x00, (byte)0x80, 0x7f, (byte)0xfe}.
    assert.equal(murmur2(Buffer.from([0xff, 0x00, 0x80, 0x7f, 0xfe])), 1118688894)
  })

  it('maps the most negative hash to a valid partition (toPositive is not abs)', () => {
    assert.equal(toPositive(-2147483648), 0)
    assert.equal(toPositive(-1), 2147483647)
  })
})
