import { closeSync, fsyncSync, openSync } from 'node:fs'

/** Makes a directory's entries (a rename, a removal) durable. */
export function syncDir(dir: string): void {
  const fd = openSync(dir, 'r')
  try {
    fsyncSync(fd)
  } finally {
    closeSync(fd)
  }
}
