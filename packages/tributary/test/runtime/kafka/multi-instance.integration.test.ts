import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { multiInstanceScenario } from '../multi-instance-scenario.ts'
import { connectKafka, readTopic, silent, unique } from './kafka-helpers.ts'

describe('several instances of one application on Kafka', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-kafka-multi-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('share the tasks by the streams assignor, move them on join and leave, and keep results exact', async () => {
    const log = await connectKafka({ heartbeatIntervalMs: 500 })
    try {
      await multiInstanceScenario({
        log,
        dir,
        id: unique('multi'),
        logger: process.env['TRIBUTARY_TEST_LOG'] ? console : silent,
        timeoutMs: 60_000,
        readAll: (topic) => readTopic(log, topic),
      })
    } finally {
      await log.close()
    }
  })
})
