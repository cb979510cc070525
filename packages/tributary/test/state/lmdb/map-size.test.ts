import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { mkdirSync, readFileSync, truncateSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { resolveConfig } from '../../../src/runtime/streams-config.ts'
import { lmdbBackendFactory } from '../../../src/state/lmdb/lmdb-backend-factory.ts'
import { fixedMapSize } from '../../../src/state/lmdb/map-size.ts'
import { withTempDir } from '../temp-dir.ts'

/** Sizes of this process's mappings of `file` (Linux: /proc/self/maps). */
const mappedSizes = (file: string): number[] =>
  readFileSync('/proc/self/maps', 'utf8')
    .split('\n')
    .filter((line) => line.trimEnd().endsWith(` ${file}`))
    .map((line) => {
      const [from, to] = line.split(' ')[0]!.split('-')
      return parseInt(to!, 16) - parseInt(from!, 16)
    })

/** lmdb's code when a transaction must abort, and the errno of a full disk. */
const [MDB_BAD_TXN, ENOSPC] = [-30782, 28]

const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url))
const packageDir = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Runs a fixture under `ulimit -v <kib>`: how it ended and what it printed. Without
 * --disable-wasm-trap-handler, Node 22 cannot instantiate WebAssembly (tsx's and its own type
 * stripping's) under such a limit: V8 reserves ~10 GiB of guard pages per Wasm memory.
 */
function underLimit(kib: number, args: readonly string[]): string {
  const run = spawnSync(
    'bash',
    [
      '-c',
      `ulimit -v ${kib} && exec "$0" --disable-wasm-trap-handler --import tsx "$@"`,
      process.execPath,
      ...args,
    ],
    { cwd: packageDir, encoding: 'utf8' },
  )
  return run.signal !== null ? `killed by ${run.signal}` : `${run.stdout.trim()}${run.stderr.trim()}`
}

const openUnderLimit = (kib: number, stateDir: string, mapSize?: number): string =>
  underLimit(kib, [
    fixture('open-store-child.ts'),
    stateDir,
    ...(mapSize === undefined ? [] : [String(mapSize)]),
  ])

describe('the address space of an lmdb store', () => {
  it('is mapped at the set size on 64-bit systems only (on 32-bit ones lmdb-js chooses)', () => {
    const wanted = 8 * 1024 ** 3
    for (const cpu of ['x64', 'arm64', 'ppc64', 's390x', 'riscv64', 'loong64'])
      assert.equal(fixedMapSize(wanted, cpu), wanted, cpu)
    for (const cpu of ['ia32', 'arm', 'mips', 'mipsel', 'ppc', 's390', 'some-future-cpu'])
      assert.equal(fixedMapSize(wanted, cpu), undefined, cpu)
  })

  it('maps the size its setting gives', () =>
    withTempDir(async (dir) => {
      const store = await lmdbBackendFactory.open(dir, '0_0', 's', { lmdbMapSizeBytes: 64 * 1024 ** 2 })
      try {
        assert.deepEqual(mappedSizes(join(dir, '0_0', 's', 'data.mdb')), [64 * 1024 ** 2])
      } finally {
        await store.close()
      }
    }))

  it('refuses a size under 1 MiB or not an integer with one line naming the setting', () =>
    withTempDir(async (dir) => {
      for (const bad of [1000, 2_000_000.5]) {
        await assert.rejects(
          lmdbBackendFactory.open(dir, '0_0', 's', { lmdbMapSizeBytes: bad }),
          (err: Error) => {
            assert.ok(isTributaryError(err, 'CONFIG'), String(err))
            assert.match(
              err.message,
              /^lmdbMapSizeBytes must be an integer of at least 1048576 \(1 MiB\), got /,
            )
            assert.doesNotMatch(err.message, /\n/)
            return true
          },
        )
      }
      assert.throws(
        () => resolveConfig({ applicationId: 'app', lmdbMapSizeBytes: 4096 }),
        /^TributaryError: invalid setting lmdbMapSizeBytes: use at least 1048576 \(1 MiB\)/,
      )
    }))

  it('under ulimit -v: refuses a map that does not fit, naming the store and the setting, and opens with a smaller one', () =>
    withTempDir(async (dir) => {
      // 4 GiB: room for node and tsx, not for the default 8 GiB map (which lmdb answered with SIGSEGV).
      const limitKib = 4 * 1024 ** 2
      const refused = openUnderLimit(limitKib, dir)
      assert.match(
        refused,
        /^STATE: cannot open store counts of task 0_0 in \S+counts: it would map 8192 MiB of address space, but this process may use 4096 MiB \(ulimit -v\) and uses \d+ MiB; lower lmdbMapSizeBytes .*or raise ulimit -v$/,
      )
      assert.equal(openUnderLimit(limitKib, dir, 64 * 1024 ** 2), 'ok')
    }))

  it('under ulimit -v: a commit that failed because the map could not grow names its file, the limit and the setting', () =>
    withTempDir(async (dir) => {
      // lmdb-js grows a full map rather than failing with MDB_MAP_FULL; a growth the limit refuses
      // fails the commit with an unrelated error (or, in about one run in three, ends the process
      // with SIGSEGV, which is why the failure is simulated here). Sizes are sparse files.
      const store = (name: string, bytes: number): string => {
        mkdirSync(join(dir, name))
        writeFileSync(join(dir, name, 'data.mdb'), '')
        truncateSync(join(dir, name, 'data.mdb'), bytes)
        return join(dir, name)
      }
      const [large, small] = [store('large', 64 * 1024 ** 3), store('small', 1024 ** 2)]
      const mapped = 8 * 1024 ** 3
      const [grown, fits, full, unfilled] = underLimit(4 * 1024 ** 2, [
        fixture('failed-commit-child.ts'),
        `${large}:${MDB_BAD_TXN}:${mapped}`,
        `${small}:${MDB_BAD_TXN}:${1024 ** 2}`,
        `${large}:${ENOSPC}:${mapped}`,
        `${large}:${MDB_BAD_TXN}:${128 * 1024 ** 3}`,
      ]).split('\n')
      assert.match(
        grown!,
        /^writing the state store in \S+large failed \(\S+: injected\); the map of \S+large\/data\.mdb \(65536 MiB written\) could not grow within this process's address space \(ulimit -v 4096 MiB, \d+ MiB in use\): raise ulimit -v, or set lmdbMapSizeBytes to the size the store will reach .*, then restart/,
      )
      assert.match(fits!, /small failed \(\S+: .*\); fix the cause, then restart/, 'a store whose map fits')
      assert.match(full!, /large failed \(ENOSPC: injected\); the disk is full: free space/, 'a system errno')
      assert.match(unfilled!, /large failed \(\S+: .*\); fix the cause, then restart/, 'a map not filled yet')
    }))
})
