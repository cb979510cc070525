import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedLog } from '../../src/log/embedded/index.ts'
import { logContract } from './log-contract.ts'

logContract('embedded log in memory', async () => {
  const log = await EmbeddedLog.open()
  return { log, cleanup: () => log.close(), compact: async (topic) => void (await log.compact(topic)) }
})

logContract('embedded log on disk', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-log-'))
  const log = await EmbeddedLog.open({ dataDir, fsync: 'never' })
  return {
    log,
    cleanup: async () => {
      await log.close()
      rmSync(dataDir, { recursive: true, force: true })
    },
    compact: async (topic) => void (await log.compact(topic)),
  }
})
