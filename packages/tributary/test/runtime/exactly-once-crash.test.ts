import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { EmbeddedLog, Serdes, WindowedSerdes, type ConsumerRecord } from 'tributary-streams'
import { partitionForKey } from '../../src/log/murmur2.ts'
import { GRACE_MS, WINDOW_MS } from './fixtures/sum-topology.ts'

const child = join(import.meta.dirname, 'fixtures', 'crash-child.ts')
const KEYS = 37
const RECORDS = 150_000
const PARTITIONS = 4
const STEP_MS = 10
const JITTER_MS = 2_000 // disorder stays below the grace period: no record is late

/** Inputs with event times 10 ms apart (jittered), then one record per partition far in the future
 *  so every task's stream time closes all earlier windows. */
function makeInputs(): Array<{ key: string; value: number; ts: number }> {
  const records = Array.from({ length: RECORDS }, (_, i) => ({
    key: `k${(i * 7919) % KEYS}`,
    value: i,
    ts: 1_000_000 + i * STEP_MS + Math.round(Math.sin(i) * JITTER_MS),
  }))
  const flushTs = 1_000_000 + RECORDS * STEP_MS + 10 * WINDOW_MS
  for (let p = 0; p < PARTITIONS; p++) {
    let n = 0
    while (partitionForKey(Buffer.from(`flush-${n}`), PARTITIONS) !== p) n++
    records.push({ key: `flush-${n}`, value: 0, ts: flushTs })
  }
  return records
}

/** Final per-window sums the topology must emit: every window of every key, none late. */
function windowReference(records: ReturnType<typeof makeInputs>): Map<string, number> {
  const sums = new Map<string, number>()
  for (const r of records) {
    if (r.key.startsWith('flush-')) continue
    const k = `${r.key}@${r.ts - (r.ts % WINDOW_MS)}`
    sums.set(k, (sums.get(k) ?? 0) + r.value)
  }
  return sums
}

/** How long a SIGTERMed child may take to drain and exit (its own bound is 10 s). */
const DRAIN_BOUND_MS = 12_000

/**
 * Starts the child; sends `signal` `afterMs` after it started. Resolves 'signalled' when the
 * signal ended it (SIGKILL; or SIGTERM with exit 0 within DRAIN_BOUND_MS), 'finished' when it
 * completed first; rejects on any other exit.
 */
function runChild(
  dataDir: string,
  dump: string,
  interrupt: { signal: 'SIGKILL' | 'SIGTERM'; afterMs: number } | undefined,
): Promise<'signalled' | 'finished'> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', child, dataDir, dump], {
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let output = ''
    let signalledAt: number | undefined
    proc.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      if (interrupt !== undefined && chunk.toString().includes('started'))
        setTimeout(() => {
          signalledAt = Date.now()
          proc.kill(interrupt.signal)
        }, interrupt.afterMs)
    })
    proc.on('exit', (code, signal) => {
      if (output.includes('finished') && code === 0) resolve('finished')
      else if (signal === 'SIGKILL' && interrupt?.signal === 'SIGKILL') resolve('signalled')
      else if (code === 0 && signalledAt !== undefined && Date.now() - signalledAt <= DRAIN_BOUND_MS)
        resolve('signalled')
      else
        reject(
          new Error(
            `child exited with code ${code}, signal ${signal}` +
              (signalledAt === undefined ? '' : ` ${Date.now() - signalledAt} ms after ${interrupt!.signal}`),
          ),
        )
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
  const root = mkdtempSync(join(tmpdir(), 'tributary-crash-'))
  after(() => rmSync(root, { recursive: true, force: true }))

  for (const signal of ['SIGKILL', 'SIGTERM'] as const)
    it(
      `keeps every input effect and every final window result exactly once across repeated ${signal}s` +
        (signal === 'SIGTERM' ? ' (each drained: exit 0 within the bound)' : ''),
      { timeout: 300_000 },
      async () => {
        const dir = join(root, signal)
        const expected = new Map<string, { count: number; sum: number }>()
        const log = await EmbeddedLog.open({ dataDir: join(dir, 'log') })
        const topics = ['input', 'echo', 'sums-out', 'window-finals']
        await log.admin.createTopics(topics.map((name) => ({ name, partitions: PARTITIONS })))
        const producer = await log.producer()
        const records = makeInputs()
        for (const { key, value } of records) {
          const agg = expected.get(key) ?? { count: 0, sum: 0 }
          expected.set(key, { count: agg.count + 1, sum: agg.sum + value })
        }
        await producer.send(
          records.map(({ key, value, ts }) => ({
            topic: 'input',
            key: Serdes.string().serialize(key, 'input'),
            value: Serdes.number().serialize(value, 'input'),
            timestamp: ts,
          })),
        )
        await log.close()

        const dump = join(dir, 'store.json')
        let kills = 0
        for (let attempt = 0; kills < 6 && attempt < 20; attempt++) {
          const afterMs = 100 + Math.floor(Math.random() * 300)
          if ((await runChild(dir, dump, { signal, afterMs })) === 'signalled') kills++
          else break
        }
        assert.ok(kills >= 5, `expected at least 5 ${signal}s mid-run, got ${kills}`)
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
        const windowKey = WindowedSerdes.timeWindowed(Serdes.string(), WINDOW_MS)
        const finals = (await readAll(verify, 'window-finals', 4)).map((r) => {
          const w = windowKey.deserialize(r.key!, 'window-finals')
          return [`${w.key}@${w.window.start}`, r.value!.readDoubleBE(0)] as const
        })
        await verify.close()
        assert.equal(
          new Set(finals.map(([k]) => k)).size,
          finals.length,
          'one final result per window: no duplicates',
        )
        assert.deepEqual(
          new Map(finals),
          windowReference(records),
          `final window sums (grace ${GRACE_MS} ms) equal the reference`,
        )
        assert.deepEqual(Object.fromEntries(lastSum), Object.fromEntries(expected))
        assert.deepEqual(JSON.parse(readFileSync(dump, 'utf8')), Object.fromEntries(expected))
      },
    )
})
