import assert from 'node:assert/strict'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { main } from '../../src/cli/main.ts'
import { EmbeddedLog } from '../../src/log/embedded/index.ts'
import { FIRST_SEGMENT, tempDir, values } from '../log/embedded/helpers.ts'

/** Runs the CLI, capturing stdout and stderr. */
async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = []
  const err: string[] = []
  const write = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  }
  process.stdout.write = ((s: string) => out.push(String(s)) > 0) as typeof process.stdout.write
  process.stderr.write = ((s: string) => err.push(String(s)) > 0) as typeof process.stderr.write
  try {
    const code = await main(argv)
    return { code, out: out.join(''), err: err.join('') }
  } finally {
    process.stdout.write = write.out
    process.stderr.write = write.err
  }
}

describe('tributary log check|repair', () => {
  let tmp: ReturnType<typeof tempDir>
  const file = () => join(tmp.dir, 'topics', 'events', '0', FIRST_SEGMENT)
  beforeEach(async () => {
    tmp = tempDir()
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([{ name: 'events', partitions: 1 }])
    const producer = await log.producer()
    for (let i = 0; i < 10; i++)
      await producer.send([{ topic: 'events', key: null, value: Buffer.from(`value-${i}`) }])
    await log.close()
  })
  afterEach(() => tmp.remove())

  it('check reports no damage on a healthy directory', async () => {
    assert.deepEqual(await run('log', 'check', '--data-dir', tmp.dir), {
      code: 0,
      out: `${tmp.dir}: no damage found\n`,
      err: '',
    })
  })

  it('check lists a damaged record and the offsets lost; repair quarantines the file and keeps every intact record', async () => {
    const bytes = readFileSync(file())
    bytes[bytes.indexOf('value-4') + 2] ^= 0x10
    writeFileSync(file(), bytes)
    await assert.rejects(EmbeddedLog.open({ dataDir: tmp.dir }), /tributary log repair/)
    const checked = await run('log', 'check', '--data-dir', tmp.dir)
    assert.equal(checked.code, 1)
    assert.match(
      checked.out,
      /events\/0\/0{20}\.log: bytes \d+-\d+ are damaged: offsets 4-4 are lost; the records from offset 5 on are intact/,
    )
    assert.match(checked.err, /1 problem\(s\) found; `tributary log repair --data-dir /)
    const repaired = await run('log', 'repair', '--data-dir', tmp.dir)
    assert.equal(repaired.code, 0, repaired.err)
    assert.match(repaired.out, /repaired: .*0\.log: copied to .*quarantine/)
    assert.match(repaired.out, /lost: .*offsets 4-4 are lost/)
    assert.equal(readdirSync(join(tmp.dir, 'quarantine', 'topics', 'events')).length, 1)
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.deepEqual(
      values(log, 'events'),
      [0, 1, 2, 3, 5, 6, 7, 8, 9].map((i) => `value-${i}`),
    )
    assert.equal(log.sync.endOffset({ topic: 'events', partition: 0 }), 10, 'offsets stay where they were')
    await log.close()
    assert.equal((await run('log', 'check', '--data-dir', tmp.dir)).code, 0)
  })

  it('repair registers topics a lost journal no longer lists', async () => {
    rmSync(join(tmp.dir, 'metadata.journal'))
    assert.match(
      (await run('log', 'check', '--data-dir', tmp.dir)).out,
      /topics\/events: holds data of a topic the journal \(missing\)/,
    )
    const repaired = await run('log', 'repair', '--data-dir', tmp.dir)
    assert.match(repaired.out, /topic events: registered again with 1 partitions, cleanup policy delete/)
    assert.match(repaired.out, /lost: group offsets/)
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    assert.equal(values(log, 'events').length, 10)
    await log.close()
  })

  it('refuses while the log is open, and names a missing directory', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    const checked = await run('log', 'check', '--data-dir', tmp.dir)
    assert.equal(checked.code, 1)
    assert.match(checked.err, /already open/)
    await log.close()
    const missing = await run('log', 'repair', '--data-dir', join(tmp.dir, 'nope'))
    assert.equal(missing.code, 1)
    assert.match(missing.err, /nope: no such data directory/)
    assert.ok(!existsSync(join(tmp.dir, 'nope')))
    assert.equal((await run('log', 'check')).code, 2, 'a missing --data-dir is a usage error')
  })

  it('check notes a damaged compaction checkpoint but finds no damage: the log ignores it and loses nothing', async () => {
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.admin.createTopics([{ name: 'table', partitions: 1, cleanupPolicy: 'compact' }])
    log.sync.append([{ topic: 'table', key: Buffer.from('k'), value: Buffer.from('v') }])
    await log.compact('table')
    await log.close()
    const checkpoint = join(tmp.dir, 'topics', 'table', '0', 'cleaner.checkpoint')
    writeFileSync(checkpoint, readFileSync(checkpoint, 'latin1').replace('1', '7'))
    assert.deepEqual(await run('log', 'check', '--data-dir', tmp.dir), {
      code: 0,
      out:
        `note: ${checkpoint}: fails its checksum: the log ignores it and compacts the partition from its start again (nothing is lost)\n` +
        `${tmp.dir}: no damage found\n`,
      err: '',
    })
  })
})
