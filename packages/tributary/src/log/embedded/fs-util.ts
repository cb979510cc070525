import { constants } from 'node:fs'
import { dirname } from 'node:path'
import type { StorageFs } from './storage-fs.ts'

/** Makes a just-created or renamed directory entry survive power loss (no-op where unsupported). */
export function fsyncDir(fs: StorageFs, dir: string): void {
  let fd: number | undefined
  try {
    fd = fs.openSync(dir, 'r')
    fs.fsyncSync(fd)
  } catch {
    // Some platforms cannot fsync directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/**
 * Replaces `path` with `contents` so that a crash at any point leaves either the old or the new
 * file: write a sibling temp file, fsync it, rename over the target, fsync the directory. A
 * failure before the rename leaves the old file and removes the temp file. `modifiedAt` (ms since
 * the epoch) becomes the new file's modification time.
 */
export function replaceFileAtomically(
  fs: StorageFs,
  path: string,
  contents: Buffer,
  modifiedAt?: number,
): void {
  const tmp = `${path}.tmp`
  fs.rmSync(tmp, { force: true })
  try {
    const fd = fs.openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC)
    try {
      writeFully(fs, fd, contents, 0)
      if (modifiedAt !== undefined && modifiedAt >= 0) fs.futimesSync(fd, modifiedAt, modifiedAt)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
    fs.renameSync(tmp, path)
  } catch (err) {
    try {
      fs.rmSync(tmp, { force: true })
    } catch {
      // the temp file is removed at the next open
    }
    throw err
  }
  fsyncDir(fs, dirname(path))
}

/** writeSync may write less than asked; loop until the whole buffer is at `position`. */
export function writeFully(fs: StorageFs, fd: number, buf: Buffer, position: number): void {
  let done = 0
  while (done < buf.length) done += fs.writeSync(fd, buf, done, buf.length - done, position + done)
}
