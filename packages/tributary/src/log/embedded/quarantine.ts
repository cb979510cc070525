import { constants } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { read } from './frame.ts'
import { fsyncDir, writeFully } from './fs-util.ts'
import type { StorageContext } from './storage-context.ts'
import { attempt } from './storage-failure.ts'

/**
 * Copies bytes [from, to) of a damaged file to `<dataDir>/quarantine/<its path>.<time>-<from>`
 * (synced) before anything cuts them off, so nothing is ever deleted that an operator might
 * still recover by hand. Returns the copy's path.
 */
export function quarantine(ctx: StorageContext, path: string, fd: number, from: number, to: number): string {
  const { fs } = ctx
  const target = join(ctx.dataDir, 'quarantine', `${relative(ctx.dataDir, path)}.${Date.now()}-${from}`)
  attempt(target, 'quarantine', () => {
    fs.mkdirSync(dirname(target), { recursive: true })
    const bytes = read(fs, fd, from, to - from)
    const out = fs.openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC)
    try {
      writeFully(fs, out, bytes, 0)
      fs.fsyncSync(out)
    } finally {
      fs.closeSync(out)
    }
  })
  fsyncDir(fs, dirname(target))
  return target
}
