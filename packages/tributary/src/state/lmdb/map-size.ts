import { readFileSync, statSync } from 'node:fs'
import { arch } from 'node:os'
import { join } from 'node:path'
import { TributaryError } from '../../errors.ts'

/**
 * The address space each lmdb store maps up front (64-bit only): virtual, neither disk nor memory;
 * the file grows only as pages are written, so a full disk still fails the commit that needs the
 * space. lmdb-js otherwise starts with a 128 KiB map and doubles it whenever the file outgrows it,
 * keeping every earlier map until the store closes: pages read before a remap stay resident in the
 * old maps, so a store's resident pages reach about twice its file. A store smaller than its map
 * never remaps; a larger one still grows, in doublings.
 */
export const DEFAULT_MAP_SIZE_BYTES = 8 * 1024 ** 3
export const MIN_MAP_SIZE_BYTES = 1024 ** 2
/** The setting (StreamsConfig, StoreOpenContext) that chooses it for every lmdb store. */
export const MAP_SIZE_KEY = 'lmdbMapSizeBytes'

/** Returns `bytes`, or fails with a one-line CONFIG error naming the key and what it accepts. */
export function checkMapSize(bytes: number): number {
  if (Number.isSafeInteger(bytes) && bytes >= MIN_MAP_SIZE_BYTES) return bytes
  throw new TributaryError(
    'CONFIG',
    `${MAP_SIZE_KEY} must be an integer of at least ${MIN_MAP_SIZE_BYTES} (1 MiB), got ${bytes}; ` +
      `it is the address space each lmdb store maps up front (default ${DEFAULT_MAP_SIZE_BYTES}, 8 GiB)`,
  )
}

/** Node's names (process.arch) of the 64-bit processors, where a map of gigabytes fits. */
const CPUS_64_BIT: ReadonlySet<string> = new Set([
  'x64',
  'arm64',
  'ppc64',
  's390x',
  'riscv64',
  'loong64',
  'mips64el',
])

/**
 * The map size to open a store with on processor `cpu`: `wanted` on a 64-bit one, else undefined,
 * leaving the map to lmdb-js. lmdb-js itself tells 32-bit systems by a name ending in "32", which
 * only ia32 does: there it maps in chunks; on the other 32-bit ones (arm, mips, mipsel, ppc,
 * s390) it starts with a small map and doubles it, which fits where a fixed 8 GiB map cannot.
 */
export function fixedMapSize(wanted: number, cpu: string = arch()): number | undefined {
  return CPUS_64_BIT.has(cpu) ? wanted : undefined
}

/** Address space the process keeps for everything else when a store maps its own. */
const HEADROOM_BYTES = 256 * 1024 ** 2

/**
 * Fails with code STATE, naming the store, its directory, the setting and the fix, when mapping
 * `bytes` more would exceed the process's address-space limit (`ulimit -v`): lmdb would end the
 * process with SIGSEGV while opening the store instead. Reads the limit and the address space in
 * use from /proc (Linux); does nothing where they cannot be read or there is no limit.
 */
export function checkAddressSpace(bytes: number, store: string, dir: string): void {
  const room = addressSpace()
  if (room === undefined || room.used + bytes + HEADROOM_BYTES <= room.limit) return
  const fix =
    room.used + HEADROOM_BYTES > room.limit
      ? 'raise ulimit -v'
      : `lower ${MAP_SIZE_KEY} (the map still grows past it as the store does) or raise ulimit -v`
  throw new TributaryError(
    'STATE',
    `cannot open ${store} in ${dir}: it would map ${mib(bytes)} of address space, but this process may ` +
      `use ${mib(room.limit)} (ulimit -v) and uses ${mib(room.used)}; ${fix}`,
  )
}

/** Where a store lives and the address space it was mapped with (undefined: lmdb-js chose). */
export interface LmdbStoreFile {
  readonly dir: string
  readonly mapSize: number | undefined
}

/** lmdb's own codes (not errnos) that a map growth the address-space limit refused surfaces as. */
const GROWTH_FAILURE_CODES: ReadonlySet<unknown> = new Set([
  -30782, // MDB_BAD_TXN
  -30797, // MDB_PAGE_NOTFOUND
])

/**
 * Why a commit of `store` that failed with lmdb error code `code` failed, when its map could not
 * grow: lmdb-js grows a full map instead of failing with MDB_MAP_FULL (by doublings, keeping the
 * earlier maps until the store closes), and a growth the address-space limit refuses surfaces as
 * an unrelated lmdb error (MDB_BAD_TXN, MDB_PAGE_NOTFOUND). Undefined for any other code (a system
 * errno such as ENOSPC keeps its own advice), while the file is smaller than the map the store
 * was opened with (a map that never filled never grew: lmdb-js records the size of a refused growth
 * as the map's, so the map in place cannot be read back after the failure), when there is no
 * limit, or when the next growth fits. A single transaction larger than the rest of the map can
 * make it grow before the file reaches it: that failure keeps the generic advice.
 */
export function mapGrowthFailure(store: LmdbStoreFile, code: unknown): string | undefined {
  if (!GROWTH_FAILURE_CODES.has(code)) return undefined
  const room = addressSpace()
  if (room === undefined) return undefined
  const file = join(store.dir, 'data.mdb')
  let size: number
  try {
    size = statSync(file).size
  } catch {
    return undefined
  }
  if (size < (store.mapSize ?? 0)) return undefined
  if (room.used + 2 * size + HEADROOM_BYTES <= room.limit) return undefined
  return (
    `the map of ${file} (${mib(size)} written) could not grow within this process's address space ` +
    `(ulimit -v ${mib(room.limit)}, ${mib(room.used)} in use): raise ulimit -v, or set ${MAP_SIZE_KEY} ` +
    `to the size the store will reach so it is mapped once instead of in doublings`
  )
}

const mib = (n: number): string => `${Math.floor(n / 1024 ** 2)} MiB`

/** The soft address-space limit and the address space in use, in bytes; undefined without a limit. */
function addressSpace(): { limit: number; used: number } | undefined {
  let limits: string
  let status: string
  try {
    limits = readFileSync('/proc/self/limits', 'utf8')
    status = readFileSync('/proc/self/status', 'utf8')
  } catch {
    return undefined
  }
  const limit = /^Max address space\s+(\d+)/m.exec(limits)?.[1]
  const used = /^VmSize:\s+(\d+) kB/m.exec(status)?.[1]
  if (limit === undefined || used === undefined) return undefined // "unlimited"
  return { limit: Number(limit), used: Number(used) * 1024 }
}
