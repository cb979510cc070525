import { randomUUID } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const FILE = 'instance-id'

/**
 * The default instance id of a StreamsApp: random on first start, then kept in
 * `<stateDir>/instance-id`. So a process restarted on the same data directory keeps its id (and its
 * transactional id `<applicationId>-<instanceId>`, whose initialisation fences the producer of the
 * crashed process and aborts its open transaction), while instances with separate data
 * directories, which separate instances must have anyway, never share one.
 */
export function stableInstanceId(stateDir: string): string {
  const file = join(stateDir, FILE)
  try {
    const id = readFileSync(file, 'utf8').trim()
    if (/^[a-zA-Z0-9._-]+$/.test(id)) return id
  } catch {
    // none yet
  }
  const id = randomUUID()
  mkdirSync(stateDir, { recursive: true })
  writeFileSync(file, id + '\n')
  return id
}
