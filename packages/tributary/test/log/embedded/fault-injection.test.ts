import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, it } from 'node:test'
import { isTributaryError } from '../../../src/errors.ts'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { StorageProblems } from '../../../src/storage-problems.ts'
import { FaultyFs, type Fault, type FaultKind } from './faulty-fs.ts'
import { random, runWorkload, verify } from './fault-workload.ts'

/** Seeds per run: FAULT_SEEDS overrides (CI runs the default; a soak can run more). */
const SEEDS = Number(process.env.FAULT_SEEDS ?? 3000)
const base = process.platform === 'linux' ? '/dev/shm' : tmpdir()

function faultFor(next: () => number): Fault {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!
  const call = pick(['write', 'write', 'fsync', 'read', 'create', 'remove'] as const)
  const kinds: readonly FaultKind[] =
    call === 'write'
      ? ['ENOSPC', 'EIO', 'EROFS', 'short', 'corrupt']
      : call === 'fsync' || call === 'remove'
        ? ['EIO']
        : call === 'create'
          ? ['ENOSPC', 'EIO']
          : ['EIO', 'short', 'corrupt']
  const nth = 1 + Math.floor(next() * (call === 'create' ? 12 : call === 'remove' ? 3 : 60))
  return { call, kind: pick(kinds), nth, bit: Math.floor(next() * 1e6), sticky: next() < 0.5 }
}

/**
 * One seed: a workload with one injected fault (writes and syncs during the run, reads during the
 * reopen), then a reopen on a healthy disk, checked against what the workload was told. Opening
 * may instead refuse, but only for corrupted bytes, and only naming the file and the repair.
 */
async function runSeed(seed: number): Promise<string> {
  const next = random(seed)
  const fault = faultFor(next)
  const dir = mkdtempSync(join(base, 'tributary-fault-'))
  try {
    const writing = new FaultyFs(fault.call === 'read' ? null : fault)
    const outcome = await runWorkload(dir, writing, next, 12)
    const problems = new StorageProblems()
    if (fault.call === 'read') {
      // The disk is intact: a failed, short or flipped read may fail the open (naming the file)
      // but is never taken for damage (nothing cut off or reported).
      const reading = new FaultyFs(fault)
      const seen = new StorageProblems()
      try {
        await (
          await EmbeddedLog.open({ dataDir: dir, fs: reading, problems: seen, onWarning: () => undefined })
        ).close()
      } catch (err) {
        assert.ok(isTributaryError(err), String(err))
        assert.match((err as Error).message, new RegExp(dir), 'a failed read names the file')
      }
      assert.deepEqual(seen.list(), [], 'a read fault was taken for damage')
    }
    let log: EmbeddedLog
    try {
      log = await EmbeddedLog.open({ dataDir: dir, problems, onWarning: () => undefined })
    } catch (err) {
      assert.equal(fault.kind, 'corrupt', `only corrupted bytes may refuse a start: ${String(err)}`)
      assert.ok(isTributaryError(err, 'CORRUPT'), String(err))
      assert.match(
        (err as Error).message,
        new RegExp(`${dir}/\\S+: .*tributary log repair --data-dir ${dir}`),
      )
      return 'refused'
    }
    try {
      await verify(log, outcome, problems)
    } finally {
      await log.close()
    }
    return problems.list().length > 0 ? 'recovered-with-report' : 'exact'
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

describe('fault injection on the embedded log', () => {
  it(`recovers exactly, with a report, or refuses naming the file, over ${SEEDS} seeds`, async (t) => {
    const tally = new Map<string, number>()
    const from = Number(process.env.FAULT_FROM ?? 1)
    for (let seed = from; seed <= SEEDS; seed++) {
      let result: string
      try {
        result = await runSeed(seed)
      } catch (err) {
        throw new Error(`seed ${seed}: ${(err as Error).message}`, { cause: err })
      }
      tally.set(result, (tally.get(result) ?? 0) + 1)
    }
    t.diagnostic(`outcomes: ${JSON.stringify(Object.fromEntries(tally))}`)
    assert.ok((tally.get('exact') ?? 0) > (SEEDS - from + 1) / 2, `most seeds recover exactly: ${[...tally]}`)
  })
})
