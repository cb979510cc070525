import assert from 'node:assert/strict'
import { constants } from 'node:fs'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, sep } from 'node:path'
import { after, describe, it } from 'node:test'
import { EmbeddedLog, Serdes, StreamsApp, type ConsumerRecord, type Logger } from 'tributary-streams'
import { nodeFs } from '../../src/log/embedded/storage-fs.ts'
import { PassThroughFs } from '../log/embedded/pass-through-fs.ts'
import { sumTopology } from './fixtures/sum-topology.ts'

/** node:fs with a disk that can be full: while `full`, every write and file creation fails with
 *  ENOSPC, except those of the input topic (its producer stands for clients elsewhere). */
class FullDisk extends PassThroughFs {
  full = false
  refused = 0
  private readonly fds = new Map<number, string>()

  private check(path: string): void {
    if (!this.full || path.includes(`${sep}topics${sep}input${sep}`)) return
    this.refused++
    throw Object.assign(new Error(`ENOSPC: no space left on device, write '${path}'`), {
      code: 'ENOSPC',
      path,
    })
  }

  override openSync(path: string, flags: number | string): number {
    if (typeof flags === 'number' && (flags & constants.O_CREAT) !== 0) this.check(path)
    const fd = nodeFs.openSync(path, flags)
    this.fds.set(fd, path)
    return fd
  }
  override writeSync(fd: number, buffer: Buffer, offset: number, length: number, position: number): number {
    this.check(this.fds.get(fd) ?? '')
    return nodeFs.writeSync(fd, buffer, offset, length, position)
  }
  override closeSync(fd: number): void {
    this.fds.delete(fd)
    nodeFs.closeSync(fd)
  }
}

const str = Serdes.string()
const num = Serdes.number()
const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {} }

async function until(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function readCommitted(log: EmbeddedLog, topic: string): Promise<ConsumerRecord[]> {
  const out: ConsumerRecord[] = []
  for (let partition = 0; partition < 2; partition++) {
    const [end] = await log.admin.endOffsets([{ topic, partition }], 'read_committed')
    out.push(
      ...log.sync
        .read({ topic, partition }, 0, 1_000_000, 'read_committed')
        .filter((r) => r.offset < end!.offset),
    )
  }
  return out
}

describe("StreamsApp with storageErrors: 'retry'", () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-storage-retry-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('stays up through a full disk, reports it, and resumes when space returns: nothing lost, nothing doubled (exactly-once)', async () => {
    const disk = new FullDisk()
    const log = await EmbeddedLog.open({ dataDir: join(dir, 'log'), fs: disk })
    await log.admin.createTopics(
      ['input', 'echo', 'sums-out', 'window-finals'].map((name) => ({ name, partitions: 2 })),
    )
    const app = new StreamsApp(sumTopology(), {
      applicationId: 'retry',
      dataDir: dir,
      log,
      processingGuarantee: 'exactly-once',
      commitIntervalMs: 20,
      storageErrors: 'retry',
      storageRetryBackoffMs: 50,
      logger: quiet,
      storageProblems: log.problems,
    })
    await app.start()
    const sent: Array<[string, number]> = []
    const send = async (from: number, count: number, beforeSending = () => {}) => {
      const batch = Array.from(
        { length: count },
        (_, i) => [`k${(from + i) % 7}`, from + i] as [string, number],
      )
      sent.push(...batch)
      // A new producer each time: reopening the stopped log closes those made before.
      const producer = await log.producer()
      beforeSending()
      await producer.send(
        batch.map(([key, value]) => ({
          topic: 'input',
          key: str.serialize(key, 'input'),
          value: num.serialize(value, 'input'),
          timestamp: 1_000_000 + value,
        })),
      )
      await producer.close()
    }
    await send(0, 200)
    await app.settle()

    // The disk fills just before these are sent: the app fails to write what they give.
    await send(200, 300, () => (disk.full = true))
    await until(
      () => (app.storageFailure?.attempts ?? 0) >= 3,
      'the app to retry on the full disk a few times',
    )
    assert.equal(app.state, 'running', 'the app stays up')
    assert.equal(app.storageFailure!.errno, 'ENOSPC')
    assert.ok(app.storageFailure!.path?.startsWith(dir), `names the path: ${app.storageFailure!.path}`)
    assert.ok(
      log.problems.list().some((p) => p.kind === 'commit-failed'),
      'reported as commit-failed',
    )
    assert.equal(log.problems.counts().get('commit-failed'), 1, 'one failure reported once, not per retry')

    disk.full = false
    await until(() => app.storageFailure === undefined, 'the app to commit again once space returns')
    await send(500, 100)
    await app.settle()
    const refused = disk.refused
    await app.close()
    assert.ok(refused > 0)

    const echoed = (await readCommitted(log, 'echo')).map((r) => num.deserialize(r.value!, 'echo'))
    assert.deepEqual(
      echoed.sort((a, b) => a - b),
      sent.map(([, v]) => v).sort((a, b) => a - b),
      'each input echoed exactly once',
    )
    const want = new Map<string, { count: number; sum: number }>()
    for (const [key, value] of sent) {
      const agg = want.get(key) ?? { count: 0, sum: 0 }
      want.set(key, { count: agg.count + 1, sum: agg.sum + value })
    }
    const latest = new Map<string, unknown>()
    for (const r of await readCommitted(log, 'sums-out'))
      latest.set(str.deserialize(r.key!, 'sums-out'), JSON.parse(r.value!.toString()))
    assert.deepEqual(
      Object.fromEntries(latest),
      Object.fromEntries(want),
      'every per-key count and sum exact',
    )
    await log.close()
  })
})
