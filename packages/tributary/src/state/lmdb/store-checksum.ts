import { existsSync, rmSync } from 'node:fs'
import { open, readFile, rename, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { crc32 } from 'node:zlib'
import { syncDir } from './sync-dir.ts'

/** The file beside data.mdb that holds its checksum while the store is closed. */
const CHECKSUM_FILE = 'closed.crc32'
const DATA_FILE = 'data.mdb'
const CHUNK = 1 << 20

interface Checksum {
  readonly size: number
  readonly crc32: number
}

/** CRC-32 and size of `file`, read with read(2), never mapped (a damaged page cannot fault). */
async function checksumOf(file: string): Promise<Checksum> {
  const handle = await open(file, 'r')
  try {
    const chunk = Buffer.allocUnsafe(CHUNK)
    let crc = 0
    let size = 0
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, CHUNK, size)
      if (bytesRead === 0) return { size, crc32: crc }
      crc = crc32(chunk.subarray(0, bytesRead), crc)
      size += bytesRead
    }
  } finally {
    await handle.close()
  }
}

/**
 * Records the checksum of a closed store's data.mdb (after its environment is closed): written to
 * a temporary file, synced, renamed, so the checksum on disk is whole or absent.
 */
export async function writeClosedChecksum(dir: string): Promise<void> {
  const sum = await checksumOf(join(dir, DATA_FILE))
  const tmp = join(dir, `${CHECKSUM_FILE}.tmp`)
  await writeFile(tmp, JSON.stringify(sum), { flush: true })
  await rename(tmp, join(dir, CHECKSUM_FILE))
  syncDir(dir)
}

/**
 * Compares data.mdb with the checksum recorded when the store was last closed:
 * `absent` when there is none (a new store, or the process stopped without closing it),
 * `match`, or a mismatch described in one line.
 */
export async function checkClosedChecksum(
  dir: string,
): Promise<
  { readonly result: 'absent' | 'match' } | { readonly result: 'mismatch'; readonly reason: string }
> {
  let recorded: Checksum
  try {
    recorded = JSON.parse(await readFile(join(dir, CHECKSUM_FILE), 'utf8')) as Checksum
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { result: 'absent' }
    return { result: 'mismatch', reason: `unreadable ${CHECKSUM_FILE}: ${String(err)}` }
  }
  let actual: Checksum
  try {
    actual = await checksumOf(join(dir, DATA_FILE))
  } catch (err) {
    return { result: 'mismatch', reason: `cannot read ${DATA_FILE}: ${String(err)}` }
  }
  if (actual.size !== recorded.size)
    return {
      result: 'mismatch',
      reason: `${DATA_FILE} is ${actual.size} bytes, ${recorded.size} when the store was closed`,
    }
  if (actual.crc32 !== recorded.crc32)
    return { result: 'mismatch', reason: `${DATA_FILE} changed since the store was closed (CRC-32 mismatch)` }
  return { result: 'match' }
}

/** Removes the checksum before the store is opened for writing (a stale one would be a false alarm). */
export function dropClosedChecksum(dir: string): void {
  const file = join(dir, CHECKSUM_FILE)
  if (!existsSync(file)) return
  rmSync(file)
  syncDir(dir)
}
