import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../src/errors.ts'
import type { BackendFactory, KeyValueBackend } from '../../src/state/backend.ts'
import { withTempDir } from './temp-dir.ts'

const b = (...bytes: number[]): Buffer => Buffer.from(bytes)
const s = (text: string): Buffer => Buffer.from(text)
const keys = (backend: KeyValueBackend, from?: Buffer, to?: Buffer): string[] =>
  Array.from(backend.range(from, to), ([key]) => key.toString('hex'))

/** Runs `test` on a freshly opened backend of task `0_0`, closing it afterwards. */
const withBackend = (
  factory: BackendFactory,
  test: (backend: KeyValueBackend, dir: string) => Promise<void>,
) =>
  withTempDir(async (dir) => {
    const backend = await factory.open(dir, '0_0', 'store')
    try {
      await test(backend, dir)
    } finally {
      await backend.close()
    }
  })

/** The behaviour every KeyValueBackend must have; run once per implementation. */
export const backendContract = (name: string, factory: BackendFactory): void => {
  describe(`${name} backend`, () => {
    it('reports whether it is persistent like its factory', () =>
      withBackend(factory, async (backend) => {
        assert.equal(backend.persistent, factory.persistent)
      }))

    it('starts empty, with no checkpoint', () =>
      withBackend(factory, async (backend) => {
        assert.equal(backend.get(s('a')), undefined)
        assert.equal(backend.count(), 0)
        assert.deepEqual(keys(backend), [])
        assert.equal(backend.checkpoint(), undefined)
      }))

    it('returns what a write put, and forgets what a write deleted', () =>
      withBackend(factory, async (backend) => {
        await backend.write([
          [s('a'), s('1')],
          [s('b'), s('2')],
        ])
        assert.deepEqual(backend.get(s('a')), s('1'))
        assert.deepEqual(backend.get(s('b')), s('2'))
        await backend.write([
          [s('a'), null],
          [s('b'), s('3')],
          [s('never'), null],
        ])
        assert.equal(backend.get(s('a')), undefined)
        assert.deepEqual(backend.get(s('b')), s('3'))
        assert.equal(backend.count(), 1)
      }))

    it('keeps the last of several entries for one key in a batch', () =>
      withBackend(factory, async (backend) => {
        await backend.write([
          [s('k'), s('1')],
          [s('k'), null],
          [s('k'), s('3')],
        ])
        assert.deepEqual(backend.get(s('k')), s('3'))
        assert.equal(backend.count(), 1)
      }))

    it('stores empty keys and empty values', () =>
      withBackend(factory, async (backend) => {
        await backend.write([
          [b(), s('empty key')],
          [s('a'), b()],
        ])
        assert.deepEqual(backend.get(b()), s('empty key'))
        assert.deepEqual(backend.get(s('a')), b())
        assert.deepEqual(keys(backend), ['', '61'])
        assert.deepEqual(keys(backend, b(), b()), [''])
        assert.deepEqual(keys(backend, b(1)), ['61'])
        assert.equal(backend.count(), 2)
        await backend.write([[b(), null]])
        assert.equal(backend.get(b()), undefined)
        assert.equal(backend.count(), 1)
      }))

    it('iterates in unsigned byte order, shorter prefixes first', () =>
      withBackend(factory, async (backend) => {
        await backend.write(
          [b(0xff), b(0x80), b(0x7f), b(1, 2), b(1), b(0), b(1, 0), b(0xff, 0)].map(
            (k) => [k, s('v')] as const,
          ),
        )
        assert.deepEqual(keys(backend), ['00', '01', '0100', '0102', '7f', '80', 'ff', 'ff00'])
      }))

    it('yields keys within inclusive bounds, with absent bounds open', () =>
      withBackend(factory, async (backend) => {
        await backend.write(['a', 'b', 'c', 'd', 'e'].map((k) => [s(k), s(k.toUpperCase())] as const))
        const letters = (from?: string, to?: string) =>
          Array.from(
            backend.range(from === undefined ? undefined : s(from), to === undefined ? undefined : s(to)),
            ([k, v]) => `${k}${v}`,
          )
        assert.deepEqual(letters('b', 'd'), ['bB', 'cC', 'dD'])
        assert.deepEqual(letters('b'), ['bB', 'cC', 'dD', 'eE'])
        assert.deepEqual(letters(undefined, 'b'), ['aA', 'bB'])
        assert.deepEqual(letters('bb', 'cc'), ['cC'])
        assert.deepEqual(letters('c', 'c'), ['cC'])
        assert.deepEqual(letters('x'), [])
        assert.deepEqual(letters('d', 'b'), [])
        assert.deepEqual(letters('0', '1'), [])
      }))

    it('lets a caller stop iterating early and read on', () =>
      withBackend(factory, async (backend) => {
        await backend.write(['a', 'b', 'c'].map((k) => [s(k), s(k)] as const))
        for (const [key] of backend.range()) {
          assert.equal(key.toString(), 'a')
          break
        }
        assert.deepEqual(backend.get(s('c')), s('c'))
        assert.equal(keys(backend).length, 3)
      }))

    it('applies a batch with a checkpoint, or refuses a bad checkpoint without writing anything', () =>
      withBackend(factory, async (backend) => {
        await backend.write([[s('a'), s('1')]], 7)
        assert.equal(backend.checkpoint(), factory.persistent ? 7 : undefined)
        await assert.rejects(backend.write([[s('b'), s('2')]], -1), (err) => isTributaryError(err, 'STATE'))
        await assert.rejects(backend.write([[s('b'), s('2')]], 1.5), (err) => isTributaryError(err, 'STATE'))
        assert.equal(backend.get(s('b')), undefined)
        assert.equal(backend.checkpoint(), factory.persistent ? 7 : undefined)
      }))

    it('forgets the checkpoint after a write without one', () =>
      withBackend(factory, async (backend) => {
        await backend.write([[s('a'), s('1')]], 3)
        await backend.write([[s('a'), s('2')]])
        assert.equal(backend.checkpoint(), undefined)
      }))

    it(
      factory.persistent ? 'keeps data and checkpoint across a reopen' : 'holds nothing after a reopen',
      () =>
        withTempDir(async (dir) => {
          const first = await factory.open(dir, '0_0', 'store')
          await first.write(
            [
              [s('a'), s('1')],
              [b(), s('e')],
            ],
            42,
          )
          await first.close()
          const second = await factory.open(dir, '0_0', 'store')
          try {
            if (factory.persistent) {
              assert.deepEqual(second.get(s('a')), s('1'))
              assert.deepEqual(second.get(b()), s('e'))
              assert.equal(second.count(), 2)
              assert.equal(second.checkpoint(), 42)
            } else {
              assert.equal(second.get(s('a')), undefined)
              assert.equal(second.count(), 0)
              assert.equal(second.checkpoint(), undefined)
            }
          } finally {
            await second.close()
          }
        }),
    )

    it('keeps stores of one task and stores of different tasks apart', () =>
      withTempDir(async (dir) => {
        const one = await factory.open(dir, '0_0', 'one')
        const two = await factory.open(dir, '0_0', 'two')
        const other = await factory.open(dir, '1_0', 'one')
        try {
          await one.write([[s('k'), s('one')]], 1)
          await two.write([[s('k'), s('two')]], 2)
          assert.deepEqual(one.get(s('k')), s('one'))
          assert.deepEqual(two.get(s('k')), s('two'))
          assert.equal(other.get(s('k')), undefined)
          assert.equal(other.checkpoint(), undefined)
          assert.equal(two.checkpoint(), factory.persistent ? 2 : undefined)
          await one.clear()
          assert.deepEqual(two.get(s('k')), s('two'))
        } finally {
          await Promise.all([one.close(), two.close(), other.close()])
        }
      }))

    it('clears every entry and the checkpoint', () =>
      withBackend(factory, async (backend) => {
        await backend.write(
          [
            [s('a'), s('1')],
            [b(), s('e')],
          ],
          5,
        )
        await backend.clear()
        assert.equal(backend.get(s('a')), undefined)
        assert.equal(backend.get(b()), undefined)
        assert.equal(backend.count(), 0)
        assert.deepEqual(keys(backend), [])
        assert.equal(backend.checkpoint(), undefined)
        await backend.write([[s('z'), s('26')]])
        assert.deepEqual(keys(backend), ['7a'])
      }))

    it('refuses every call after close with a CLOSED error', () =>
      withTempDir(async (dir) => {
        const backend = await factory.open(dir, '0_0', 'store')
        await backend.close()
        await backend.close() // idempotent
        const closed = (err: unknown) => isTributaryError(err, 'CLOSED')
        assert.throws(() => backend.get(s('a')), closed)
        assert.throws(() => [...backend.range()], closed)
        assert.throws(() => backend.count(), closed)
        assert.throws(() => backend.checkpoint(), closed)
        await assert.rejects(backend.write([[s('a'), s('1')]]), closed)
        await assert.rejects(backend.clear(), closed)
      }))
  })
}
