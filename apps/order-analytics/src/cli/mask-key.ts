import { randomBytes } from 'node:crypto'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { secretFromEnv } from 'tributary-streams'

type Env = Readonly<Record<string, string | undefined>>

/**
 * The key of the users' HMAC masking: ORDERS_MASK_KEY or ORDERS_MASK_KEY_FILE; unset, a random key
 * made once in `<dataDir>/mask.key` (mode 600) and reused, so digests stay the same across
 * restarts. Processes with different data directories (several streams instances on Kafka) must
 * share one key through the environment, or the same e-mail gets different digests.
 */
export function maskKey(dataDir: string, env: Env = process.env): string {
  const given = secretFromEnv(env, 'ORDERS_MASK_KEY')
  if (given !== undefined) return given
  const file = join(dataDir, 'mask.key')
  try {
    return readFileSync(file, 'utf8').trim()
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }
  mkdirSync(dataDir, { recursive: true })
  const key = randomBytes(32).toString('hex')
  try {
    writeFileSync(file, key + '\n', { mode: 0o600, flag: 'wx' })
    return key
  } catch (err) {
    // Another process of the same data directory made it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(file, 'utf8').trim()
    throw err
  }
}
