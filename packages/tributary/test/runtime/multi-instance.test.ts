import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { EmbeddedLog, type ConsumerRecord } from 'tributary-streams'
import { multiInstanceScenario } from './multi-instance-scenario.ts'

const silent = { debug() {}, info() {}, warn() {}, error() {} }

describe('several instances of one application on the embedded log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-multi-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('share the tasks, move them on join and leave, and keep results exact', async () => {
    const log = await EmbeddedLog.open({ dataDir: join(dir, 'log') })
    try {
      await multiInstanceScenario({
        log,
        dir,
        id: 'multi',
        logger: process.env['TRIBUTARY_TEST_LOG'] ? console : silent,
        timeoutMs: 20_000,
        readAll: async (topic) => {
          const tps = [0, 1, 2, 3].map((partition) => ({ topic, partition }))
          const end = await log.admin.endOffsets(tps, 'read_committed')
          const consumer = await log.consumer({
            groupId: `read-${Math.random()}`,
            isolation: 'read_committed',
          })
          await consumer.assign(tps)
          const out: ConsumerRecord[] = []
          while (tps.some((tp, i) => consumer.position(tp) < end[i]!.offset))
            out.push(...(await consumer.poll({ maxRecords: 10_000, timeoutMs: 100 })))
          await consumer.close()
          return out
        },
      })
    } finally {
      await log.close()
    }
  })
})
