/**
 * Window store throughput on Tributary's backends, beside a plain Map doing the same work. A
 * script, not a test:
 *
 *   npx tsx bench/state-window.ts [--records 200000] [--keys 1000] [--commit 10000]
 *
 * Workloads (event time advances 10 ms per record, up to 5 s out of order; 1-minute windows,
 * 10-minute retention, so windows expire and the sweeper deletes them as the run goes on):
 * - count: the windowed-count pattern, per record `fetch(key, start)` then `put(key, n + 1, start)`,
 *   with a commit (pending() as the changelog, then commit) every --commit records.
 * - fetchRange: one key's last 10 minutes of windows (10 entries), on the committed store.
 * - fetchAll: every key's windows of the last minute (about --keys entries), on the committed store.
 * - join buffer: a retainDuplicates store, per record `put` then `fetchRange(key, ts - 5 s, ts + 5 s)`,
 *   the stream-stream join pattern (reads interleaved with uncommitted writes).
 * Layouts: the default segments (retention / 2 = 5 minutes, about 3 live) vs one segment for all
 * time (segmentIntervalMs = 2^52): the latter is the plain key-first layout [key][start], which never
 * expires anything from storage (see "stored at end").
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { Serdes } from '../packages/tributary/src/serde/serdes.ts'
import type { BackendFactory } from '../packages/tributary/src/state/backend.ts'
import { BufferedKeyValueStore } from '../packages/tributary/src/state/buffered-store.ts'
import { lmdbBackendFactory } from '../packages/tributary/src/state/lmdb/lmdb-backend-factory.ts'
import { memoryBackendFactory } from '../packages/tributary/src/state/memory/memory-backend-factory.ts'
import { TypedWindowStore } from '../packages/tributary/src/state/window/typed-window-store.ts'
import { windowStoreConfig } from '../packages/tributary/src/state/window/window-store-options.ts'

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const RECORDS = arg('records', 200_000)
const KEYS = arg('keys', 1_000)
const COMMIT_EVERY = arg('commit', 10_000)
const QUERIES = 20_000
const WINDOW = 60_000
const RETENTION = 600_000
const STEP_MS = 10

let seed = 7
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const keyNames = Array.from({ length: KEYS }, (_, i) => `customer-${i}`)
const events = Array.from({ length: RECORDS }, (_, i) => ({
  key: keyNames[Math.floor(random() * KEYS)] as string,
  ts: Math.max(0, i * STEP_MS - Math.floor(random() * 5_000)),
}))
const lastTs = (RECORDS - 1) * STEP_MS
const queryKeys = Array.from({ length: QUERIES }, () => keyNames[Math.floor(random() * KEYS)] as string)

const perSecond = (n: number, ms: number): number => Math.round((n / ms) * 1000)
const time = async (run: () => Promise<void> | void): Promise<number> => {
  const start = performance.now()
  await run()
  return performance.now() - start
}

type Row = Record<string, number | string>

const benchStore = async (
  factory: BackendFactory,
  segmentIntervalMs: number | undefined,
  records = RECORDS,
): Promise<Row> => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-bench-window-'))
  const open = async (name: string, retainDuplicates: boolean) => {
    const bytes = new BufferedKeyValueStore(name, await factory.open(dir, '0_0', name))
    const options = { retentionMs: RETENTION, windowSizeMs: WINDOW, retainDuplicates }
    const config = windowStoreConfig(
      name,
      segmentIntervalMs === undefined ? options : { ...options, segmentIntervalMs },
    )
    return { bytes, store: new TypedWindowStore(bytes, Serdes.string(), Serdes.number(), config) }
  }
  try {
    const { bytes, store } = await open('counts', false)
    let offset = 0
    let changelog = 0
    const commit = async () => {
      changelog += bytes.pending().length
      await bytes.commit(++offset)
    }
    const countMs = await time(async () => {
      for (let i = 0; i < records; i++) {
        const { key, ts } = events[i]!
        const start = ts - (ts % WINDOW)
        store.put(key, (store.fetch(key, start) ?? 0) + 1, start)
        if ((i + 1) % COMMIT_EVERY === 0) await commit()
      }
      await commit()
    })
    let found = 0
    const rangeMs = await time(() => {
      for (const key of queryKeys) for (const _ of store.fetchRange(key, lastTs - RETENTION, lastTs)) found++
    })
    let all = 0
    const fetchAllQueries = 200
    const allMs = await time(() => {
      for (let q = 0; q < fetchAllQueries; q++) for (const _ of store.fetchAll(lastTs - WINDOW, lastTs)) all++
    })
    const stored = bytes.backend.count()
    let live = 0
    for (const _ of store.all()) live++
    await bytes.backend.close()

    const join = await open('join', true)
    let matches = 0
    let joinOffset = 0
    const joinMs = await time(async () => {
      for (let i = 0; i < records; i++) {
        const { key, ts } = events[i]!
        join.store.put(key, i, ts)
        for (const _ of join.store.fetchRange(key, ts - 5_000, ts + 5_000)) matches++
        if ((i + 1) % COMMIT_EVERY === 0) await join.bytes.commit(++joinOffset)
      }
      await join.bytes.commit(++joinOffset)
    })
    await join.bytes.backend.close()
    return {
      'count: fetch+put records/s': perSecond(records, countMs),
      'fetchRange (10 windows) /s': perSecond(QUERIES, rangeMs),
      'fetchRange entries/s': perSecond(found, rangeMs),
      'fetchAll (last minute) entries/s': perSecond(all, allMs),
      'join buffer: put+fetchRange /s': perSecond(records, joinMs),
      'changelog records': changelog,
      'stored at end (incl. expired)': stored,
      'live at end': live,
      'join matches': matches,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const benchMap = (): Row => {
  // Same work with a Map keyed by "key@start": no serialization, no commit, no expiry.
  const counts = new Map<string, number>()
  const countMs = performance.now()
  for (let i = 0; i < RECORDS; i++) {
    const { key, ts } = events[i]!
    const start = ts - (ts % WINDOW)
    const id = `${key}@${start}`
    counts.set(id, (counts.get(id) ?? 0) + 1)
  }
  const countElapsed = performance.now() - countMs
  let found = 0
  const rangeMs = performance.now()
  const from = lastTs - RETENTION + 1
  for (const key of queryKeys) {
    for (let start = from - (from % WINDOW) + WINDOW; start <= lastTs; start += WINDOW) {
      if (counts.get(`${key}@${start}`) !== undefined) found++
    }
  }
  const rangeElapsed = performance.now() - rangeMs
  return {
    'count: fetch+put records/s': perSecond(RECORDS, countElapsed),
    'fetchRange (10 windows) /s': perSecond(QUERIES, rangeElapsed),
    'fetchRange entries/s': perSecond(found, rangeElapsed),
    'fetchAll (last minute) entries/s': '-',
    'join buffer: put+fetchRange /s': '-',
    'changelog records': '-',
    'stored at end (incl. expired)': counts.size,
    'live at end': '-',
    'join matches': '-',
  }
}

const table = (rows: Record<string, Row>): void => {
  const names = Object.keys(rows)
  const metrics = [...new Set(Object.values(rows).flatMap((r) => Object.keys(r)))]
  const width = Math.max(...metrics.map((m) => m.length))
  const cols = names.map((n) => Math.max(n.length, ...metrics.map((m) => String(rows[n]?.[m] ?? '').length)))
  console.log([''.padEnd(width), ...names.map((n, i) => n.padStart(cols[i] as number))].join('  '))
  for (const m of metrics) {
    console.log(
      [m.padEnd(width), ...names.map((n, i) => String(rows[n]?.[m] ?? '').padStart(cols[i] as number))].join(
        '  ',
      ),
    )
  }
}

console.log(
  `node ${process.version}; ${RECORDS} records over ${KEYS} keys, ${(lastTs / 60_000).toFixed(0)} min of event time; 1-min windows, 10-min retention; commit every ${COMMIT_EVERY}\n`,
)
// Warm-up, so the first configuration measured does not pay for compiling the shared code.
benchMap()
await benchStore(memoryBackendFactory, undefined, Math.min(RECORDS, 30_000))
const ONE_SEGMENT = 2 ** 52
table({
  Map: benchMap(),
  memory: await benchStore(memoryBackendFactory, undefined),
  lmdb: await benchStore(lmdbBackendFactory, undefined),
  'memory, 1 segment': await benchStore(memoryBackendFactory, ONE_SEGMENT),
  'lmdb, 1 segment': await benchStore(lmdbBackendFactory, ONE_SEGMENT),
})
