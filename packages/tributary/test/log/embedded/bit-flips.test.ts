import assert from 'node:assert/strict'
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { repairDataDir } from '../../../src/log/embedded/data-dir-repair.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { StorageProblems } from '../../../src/storage-problems.ts'
import { random } from './fault-workload.ts'
import { buf } from './helpers.ts'

const FLIPS_PER_FILE = 25
const base = process.platform === 'linux' ? '/dev/shm' : tmpdir()

/** Every record value per partition (both isolations) and the committed offsets: what must survive. */
async function snapshot(log: EmbeddedLog): Promise<Map<string, string[]>> {
  const state = new Map<string, string[]>()
  for (const topic of await log.admin.listTopics()) {
    const { partitions } = (await log.admin.describeTopics([topic]))[0]!
    for (let partition = 0; partition < partitions; partition++) {
      for (const isolation of ['read_uncommitted', 'read_committed'] as const) {
        const values = log.sync
          .read({ topic, partition }, 0, 1e6, isolation)
          .map((r) => `${r.offset}=${r.value}`)
        state.set(`${topic}-${partition} ${isolation}`, values)
      }
      const offsets = await log.admin.committedOffsets('g', [{ topic, partition }])
      state.set(
        `${topic}-${partition} g`,
        offsets.map((o) => String(o.offset)),
      )
    }
  }
  return state
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name !== 'LOCK')
    .map((e) => join(e.parentPath, e.name))
}

describe('a flipped bit anywhere in a data directory', () => {
  let pristine: string
  let expected: Map<string, string[]>
  before(async () => {
    pristine = mkdtempSync(join(base, 'tributary-flips-'))
    const log = await EmbeddedLog.open({ dataDir: pristine })
    await log.admin.createTopics([
      { name: 'events', partitions: 2 },
      { name: 'table', partitions: 1, cleanupPolicy: 'compact' },
    ])
    const plain = await log.producer()
    const txnal = await log.producer({ transactionalId: 'tx' })
    for (let i = 0; i < 30; i++) {
      await plain.send([{ topic: 'events', key: buf(`k${i % 5}`), value: buf(`plain-${i}`) }])
      await txnal.beginTransaction()
      await txnal.send([{ topic: 'table', key: buf(`k${i % 4}`), value: buf(`txn-${i}`) }])
      await txnal.sendOffsets('g', [{ topic: 'events', partition: i % 2, offset: i }])
      if (i % 3 === 0) await txnal.abortTransaction()
      else await txnal.commitTransaction()
    }
    expected = await snapshot(log)
    await log.close()
  })
  after(() => rmSync(pristine, { recursive: true, force: true }))

  it('recovers exactly, reports what it cut off, or refuses naming the file (and repair then keeps the rest)', async (t) => {
    const next = random(7)
    const tally = { exact: 0, reported: 0, refused: 0 }
    for (const original of files(pristine)) {
      const name = relative(pristine, original)
      const size = readFileSync(original).length
      for (let n = 0; n < FLIPS_PER_FILE; n++) {
        const dir = mkdtempSync(join(base, 'tributary-flip-'))
        try {
          cpSync(pristine, dir, { recursive: true })
          const bytes = readFileSync(join(dir, name))
          const bit = Math.floor(next() * size * 8)
          bytes[bit >> 3]! ^= 1 << (bit & 7)
          writeFileSync(join(dir, name), bytes)
          const problems = new StorageProblems()
          let log: EmbeddedLog
          let lossNamed = false
          try {
            log = await EmbeddedLog.open({ dataDir: dir, problems, onWarning: () => undefined })
          } catch (err) {
            assert.ok(isTributaryError(err, 'CORRUPT'), `${name} bit ${bit}: ${String(err)}`)
            assert.ok(err.message.startsWith(join(dir, name)), `the refusal names ${name}: ${err.message}`)
            const { lost } = repairDataDir(dir)
            assert.ok(
              lost.some((l) => l.startsWith(join(dir, name))),
              `repair reports the loss in ${name}`,
            )
            lossNamed = true
            tally.refused++
            log = await EmbeddedLog.open({ dataDir: dir, problems, onWarning: () => undefined })
          }
          try {
            const actual = await snapshot(log)
            if (!lossNamed && problems.list().length === 0) {
              assert.deepEqual(actual, expected, `${name} bit ${bit}: no report, so nothing may differ`)
              tally.exact++
              continue
            }
            if (!lossNamed) {
              assert.ok(
                problems.list().some((p) => p.path === join(dir, name)),
                `the report names ${name}`,
              )
              tally.reported++
            }
            for (const [key, values] of actual) {
              if (key.endsWith(' g')) continue
              const allowed = new Set(expected.get(key))
              for (const v of values)
                assert.ok(allowed.has(v), `${name} bit ${bit}: ${key} serves ${v}, never written`)
            }
          } finally {
            await log.close()
          }
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }
    }
    t.diagnostic(JSON.stringify(tally))
    assert.ok(tally.refused > 0 && tally.reported > 0, JSON.stringify(tally))
  })
})
