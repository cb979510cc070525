import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { EmbeddedLog, Serdes, type ConsumerRecord } from 'tributary'

const child = join(import.meta.dirname, 'fixtures', 'crash-child.ts')
const KEYS = 37
const RECORDS = 150_000

/** Starts the child; resolves 'killed' if it was SIGKILLed after `killAfterMs`, 'finished' if it exited 0 first. */
function runChild(
  dataDir: string,
  dump: string,
  killAfterMs: number | undefined,
): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, dump], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    proc.stdout.on('data', (chunk: Buffer) => {
      if (killAfterMs !== undefined && chunk.toString().includes('started'))
        setTimeout(() => proc.kill('SIGKILL'), killAfterMs)
    })
    proc.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed')
      else if (code === 0) resolve('finished')
      else reject(new Error(`child exited with code ${code}`))
    })
  })
}

async function readAll(log: EmbeddedLog, topic: string, partitions: number): Promise<ConsumerRecord[]> {
  const consumer = await log.consumer({ groupId: `verify-${topic}`, isolation: 'read_committed' })
  const tps = Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))
  await consumer.assign(tps)
  const end = await log.admin.endOffsets(tps, 'read_committed')
  const out: ConsumerRecord[] = []
  while (tps.some((tp) => consumer.position(tp) < end.find((e) => e.partition === tp.partition)!.offset)) {
    out.push(...(await consumer.poll({ maxRecords: 10_000, timeoutMs: 200 })))
  }
  await consumer.close()
  return out
}

describe('exactly-once on the durable embedded log', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-crash-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('keeps every input effect exactly once across repeated SIGKILLs', { timeout: 300_000 }, async () => {
    const expected = new Map<string, { count: number; sum: number }>()
    const log = await EmbeddedLog.open({ dataDir: join(dir, 'log') })
    await log.admin.createTopics(['input', 'echo', 'sums-out'].map((name) => ({ name, partitions: 4 })))
    const producer = await log.producer()
    const batch = []
    for (let i = 0; i < RECORDS; i++) {
      const key = `k${(i * 7919) % KEYS}`
      const agg = expected.get(key) ?? { count: 0, sum: 0 }
      expected.set(key, { count: agg.count + 1, sum: agg.sum + i })
      batch.push({
        topic: 'input',
        key: Serdes.string().serialize(key, 'input'),
        value: Serdes.number().serialize(i, 'input'),
      })
    }
    await producer.send(batch)
    await log.close()

    const dump = join(dir, 'store.json')
    let kills = 0
    for (let attempt = 0; kills < 6 && attempt < 20; attempt++) {
      if ((await runChild(dir, dump, 100 + Math.floor(Math.random() * 300))) === 'killed') kills++
      else break
    }
    assert.ok(kills >= 5, `expected at least 5 kills mid-run, got ${kills}`)
    assert.equal(await runChild(dir, dump, undefined), 'finished')

    const verify = await EmbeddedLog.open({ dataDir: join(dir, 'log') })
    const inputs = await readAll(verify, 'input', 4)
    const echoes = await readAll(verify, 'echo', 4)
    for (let p = 0; p < 4; p++) {
      const want = inputs.filter((r) => r.partition === p).map((r) => r.value!.readDoubleBE(0))
      const got = echoes.filter((r) => r.partition === p).map((r) => r.value!.readDoubleBE(0))
      assert.deepEqual(got, want, `echo of partition ${p}: 0 duplicates, 0 lost, order kept`)
    }
    const lastSum = new Map<string, unknown>()
    for (const r of await readAll(verify, 'sums-out', 4))
      lastSum.set(r.key!.toString(), JSON.parse(r.value!.toString()))
    await verify.close()
    assert.deepEqual(Object.fromEntries(lastSum), Object.fromEntries(expected))
    assert.deepEqual(JSON.parse(readFileSync(dump, 'utf8')), Object.fromEntries(expected))
  })
})
