import { closeSync, constants, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs'
import { dirname } from 'node:path'

/** Makes a just-created or renamed directory entry survive power loss (no-op where unsupported). */
export function fsyncDir(dir: string): void {
  let fd: number | undefined
  try {
    fd = openSync(dir, 'r')
    fsyncSync(fd)
  } catch {
    // Some platforms cannot fsync directories; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/**
 * Replaces `path` with `contents` so that a crash at any point leaves either the old or the new
 * file: write a sibling temp file, fsync it, rename over the target, fsync the directory.
 */
export function replaceFileAtomically(path: string, contents: Buffer): void {
  const tmp = `${path}.tmp`
  rmSync(tmp, { force: true })
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC)
  try {
    writeFully(fd, contents, 0)
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
  renameSync(tmp, path)
  fsyncDir(dirname(path))
}

/** writeSync may write less than asked; loop until the whole buffer is at `position`. */
export function writeFully(fd: number, buf: Buffer, position: number): void {
  let done = 0
  while (done < buf.length) done += writeSync(fd, buf, done, buf.length - done, position + done)
}
