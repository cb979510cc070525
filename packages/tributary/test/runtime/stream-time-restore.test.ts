import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { EmbeddedLog, Serdes, StreamsApp, StreamsBuilder, TimeWindows, type Logger } from 'tributary-streams'

const str = Serdes.string()
const MINUTE = 60_000

function windowCount() {
  const builder = new StreamsBuilder()
  builder
    .stream('in', { key: str, value: str })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 0))
    .count({ name: 'counts' })
  return builder.build()
}

describe('stream time across restarts', () => {
  it('resumes at the committed stream time: a record late before the restart is late after it, logged once and counted per window', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'tributary-st-'))
    const log = await EmbeddedLog.open()
    await log.admin.createTopics([{ name: 'in', partitions: 1 }])
    const producer = await log.producer()
    const send = (timestamp: number) =>
      producer.send([
        { topic: 'in', partition: 0, key: Buffer.from('k'), value: Buffer.from('v'), timestamp },
      ])
    const warnings: object[] = []
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (fields) => warnings.push(fields),
      error() {},
    }
    const run = async (timestamps: number[]) => {
      const app = new StreamsApp(windowCount(), { applicationId: 'st', dataDir, log, logger })
      try {
        await app.start()
        for (const t of timestamps) await send(t)
        await app.settle()
        return { ...app.metrics(), windows: app.lateWindows() }
      } finally {
        await app.close()
      }
    }
    try {
      assert.equal((await run([5 * MINUTE])).lateRecords, 0)
      // Stream time is 5 min: the window [1 min, 2 min) closed before the restart.
      const after = await run([MINUTE + 1, MINUTE + 2, 5 * MINUTE + 1])
      assert.equal(after.lateRecords, 2, 'both records of the closed window are late after the restart')
      assert.deepEqual(Object.values(after.lateRecordsByProcessor), [2])
      assert.deepEqual(
        after.windows.map(({ task, window, records, maxLatenessMs }) => ({
          task,
          window,
          records,
          maxLatenessMs,
        })),
        [
          {
            task: '0_0',
            window: { start: MINUTE, end: 2 * MINUTE },
            records: 2,
            maxLatenessMs: 4 * MINUTE - 1,
          },
        ],
        'the dropped window, with its count and the worst lateness',
      )
      const late = (warnings as Array<{ window?: unknown; lateByMs?: number }>).filter(
        (w) => w.lateByMs !== undefined,
      )
      assert.equal(late.length, 1, 'one warning for the window')
      assert.deepEqual(late[0]!.window, { start: MINUTE, end: 2 * MINUTE })
      assert.equal(late[0]!.lateByMs, 4 * MINUTE - 1)
    } finally {
      await producer.close()
      await log.close()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})
