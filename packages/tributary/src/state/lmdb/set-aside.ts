import { mkdirSync, renameSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { syncDir } from './sync-dir.ts'

/**
 * Moves a damaged shard directory out of the way, never deleting it (an operator may want to look
 * at it or recover from it): to `<stateDir>/.damaged/<taskId>.<store>.<time>`. Returns where it went.
 */
export function setAside(stateDir: string, taskId: string, storeName: string, dir: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-')
  const target = join(stateDir, '.damaged', `${taskId}.${storeName}.${stamp}`)
  mkdirSync(dirname(target), { recursive: true })
  renameSync(dir, target)
  syncDir(dirname(target))
  syncDir(dirname(dir))
  return target
}
