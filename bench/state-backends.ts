/**
 * lmdb vs RocksDB for Tributary's persistent key-value stores. A script, not a test:
 *
 *   npx tsx bench/state-backends.ts [--keys 200000] [--batches 200]
 *
 * Each engine runs in its own child process (so peak RSS is its own), on the same workload:
 * commits of 1,000 random puts, random point gets (processors read synchronously, so a get that
 * can only be awaited costs a microtask hop per record), and range scans of 100 entries. lmdb
 * runs through Tributary's LmdbBackend (one transaction per commit, checkpoint included);
 * RocksDB through @nxtedition/rocksdb, the binding that installs with a bundled prebuild.
 * A last section compares lmdb layouts (raw lmdb-js): one environment per task, committed as one
 * transaction per store or one per task, vs one environment per store.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { performance } from 'node:perf_hooks'
import { fileURLToPath } from 'node:url'
import { open, type RootDatabase } from 'lmdb'
import { lmdbBackendFactory } from '../packages/tributary/src/state/lmdb/lmdb-backend-factory.ts'

const arg = (name: string, fallback: number): number => {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : Number(process.argv[at + 1])
}
const KEY_SPACE = arg('keys', 200_000)
const BATCHES = arg('batches', 200)
const BATCH_SIZE = 1_000
const GETS = 100_000
const SCANS = 2_000
const SCAN_LENGTH = 100
const VALUE_SIZE = 100

type Row = Record<string, number | string>

// ---- workload (deterministic, so both engines see the same keys) ----

// mulberry32: small, fast, and exact in 32-bit integer arithmetic.
let seed = 42
const random = (): number => {
  seed = (seed + 0x6d2b79f5) | 0
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296
}
const keyOf = (n: number): Buffer => Buffer.from(`key-${n.toString().padStart(10, '0')}`)
const randomKey = (): Buffer => keyOf(Math.floor(random() * KEY_SPACE))
// Distinct, incompressible values: RocksDB compresses its WAL and files, lmdb does not.
const values = Array.from({ length: 1024 }, () =>
  Buffer.from(Array.from({ length: VALUE_SIZE }, () => Math.floor(random() * 256))),
)
const pickValue = (): Buffer => values[Math.floor(random() * values.length)] as Buffer

const time = async (run: () => Promise<void> | void): Promise<number> => {
  const start = performance.now()
  await run()
  return performance.now() - start
}
const perSecond = (ops: number, ms: number): number => Math.round((ops / ms) * 1000)
const diskBytes = (dir: string): number =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((sum, e) => sum + statSync(join(e.parentPath, e.name)).blocks * 512, 0)

// ---- lmdb ----

const benchLmdb = async (dir: string): Promise<Row> => {
  const backend = await lmdbBackendFactory.open(dir, '0_0', 'bench')
  let offset = 0
  const putMs = await time(async () => {
    for (let b = 0; b < BATCHES; b++) {
      const entries = Array.from({ length: BATCH_SIZE }, () => [randomKey(), pickValue()] as const)
      await backend.write(entries, (offset += BATCH_SIZE))
    }
  })
  let hits = 0
  const getMs = await time(() => {
    for (let i = 0; i < GETS; i++) if (backend.get(randomKey()) !== undefined) hits++
  })
  const scanMs = await time(() => {
    for (let i = 0; i < SCANS; i++) {
      let n = 0
      for (const _ of backend.range(randomKey())) if (++n === SCAN_LENGTH) break
    }
  })
  const count = backend.count()
  await backend.close()
  return {
    'put (commits of 1,000) /s': perSecond(BATCHES * BATCH_SIZE, putMs),
    'get sync /s': perSecond(GETS, getMs),
    'get awaited /s': '-',
    'scan x100 /s': perSecond(SCANS, scanMs),
    'scan x100 awaited /s': '-',
    entries: count,
    'hit rate': (hits / GETS).toFixed(2),
    'disk MiB': (diskBytes(dir) / 2 ** 20).toFixed(1),
  }
}

// ---- RocksDB (@nxtedition/rocksdb: abstract-level API; sync variants are private) ----

interface RocksIterator {
  nextv(size: number): Promise<[Buffer, Buffer][]>
  _nextvSync(size: number): { rows: Buffer[]; finished: boolean }
  close(): Promise<void>
}
interface RocksDb {
  open(): Promise<void>
  close(): Promise<void>
  batch(ops: { type: 'put'; key: Buffer; value: Buffer }[], options?: { sync?: boolean }): Promise<void>
  getMany(keys: Buffer[]): Promise<(Buffer | undefined)[]>
  _getManySync(keys: Buffer[]): (Buffer | undefined)[]
  iterator(options: { gte?: Buffer; keyEncoding: 'buffer'; valueEncoding: 'buffer' }): RocksIterator
}
type RocksLevel = new (location: string, options: object) => RocksDb

const benchRocks = async (dir: string, sync: boolean): Promise<Row> => {
  const { RocksLevel } = createRequire(import.meta.url)('@nxtedition/rocksdb') as { RocksLevel: RocksLevel }
  const db = new RocksLevel(join(dir, 'rocks'), { keyEncoding: 'buffer', valueEncoding: 'buffer' })
  await db.open()
  let offset = 0
  const checkpointKey = Buffer.from('\u0000checkpoint')
  const putMs = await time(async () => {
    for (let b = 0; b < BATCHES; b++) {
      const ops = Array.from({ length: BATCH_SIZE }, () => ({
        type: 'put' as const,
        key: randomKey(),
        value: pickValue(),
      }))
      const checkpoint = Buffer.allocUnsafe(8)
      checkpoint.writeDoubleBE((offset += BATCH_SIZE))
      ops.push({ type: 'put', key: checkpointKey, value: checkpoint })
      await db.batch(ops, { sync })
    }
  })
  const seedAfterPuts = seed
  let hits = 0
  const getSyncMs = await time(() => {
    for (let i = 0; i < GETS; i++) if (db._getManySync([randomKey()])[0] !== undefined) hits++
  })
  seed = seedAfterPuts
  const getAwaitMs = await time(async () => {
    // getMany: abstract-level's get() rejects on a miss, which would measure exceptions.
    for (let i = 0; i < GETS; i++) await db.getMany([randomKey()])
  })
  const seedAfterGets = seed
  const scanSyncMs = await time(async () => {
    for (let i = 0; i < SCANS; i++) {
      const it = db.iterator({ gte: randomKey(), keyEncoding: 'buffer', valueEncoding: 'buffer' })
      it._nextvSync(SCAN_LENGTH)
      await it.close()
    }
  })
  seed = seedAfterGets
  const scanAwaitMs = await time(async () => {
    for (let i = 0; i < SCANS; i++) {
      const it = db.iterator({ gte: randomKey(), keyEncoding: 'buffer', valueEncoding: 'buffer' })
      await it.nextv(SCAN_LENGTH)
      await it.close()
    }
  })
  await db.close()
  return {
    'put (commits of 1,000) /s': perSecond(BATCHES * BATCH_SIZE, putMs),
    'get sync /s': `${perSecond(GETS, getSyncMs)} (private API)`,
    'get awaited /s': perSecond(GETS, getAwaitMs),
    'scan x100 /s': `${perSecond(SCANS, scanSyncMs)} (private API)`,
    'scan x100 awaited /s': perSecond(SCANS, scanAwaitMs),
    entries: '-',
    'hit rate': (hits / GETS).toFixed(2),
    'disk MiB': (diskBytes(dir) / 2 ** 20).toFixed(1),
  }
}

// ---- lmdb layout: one environment per task (stores as named DBs) vs one per store ----

type Layout = 'task-txn-per-store' | 'task-one-txn' | 'store'

const benchLayout = async (dir: string, layout: Layout): Promise<Row> => {
  const STORES = 8
  const COMMITS = 50
  const options = { keyEncoding: 'binary', encoding: 'binary' } as const
  const envs = Array.from({ length: layout === 'store' ? STORES : 1 }, (_, i) =>
    open({ path: join(dir, `env${i}`), noSubdir: false, maxDbs: STORES + 1, ...options }),
  )
  const stores = Array.from({ length: STORES }, (_, s) => {
    const env = envs[layout === 'store' ? s : 0] as RootDatabase
    const db = env.openDB<Buffer, Buffer>(`store${s}`, options)
    return {
      env,
      db,
      meta: env.openDB<Buffer, Buffer>('meta', options),
      checkpointKey: Buffer.from(`checkpoint/store${s}`),
    }
  })
  const batch = () => Array.from({ length: BATCH_SIZE }, () => [randomKey(), pickValue()] as const)
  const apply = (store: (typeof stores)[number], entries: (readonly [Buffer, Buffer])[], offset: number) => {
    for (const [k, v] of entries) store.db.put(k, v)
    store.meta.put(store.checkpointKey, Buffer.from(String(offset)))
  }
  let offset = 0
  const ms = await time(async () => {
    for (let c = 0; c < COMMITS; c++) {
      offset += STORES * BATCH_SIZE
      const batches = stores.map(batch)
      if (layout === 'task-one-txn') {
        const env = envs[0] as RootDatabase
        await env.transaction(() => stores.forEach((store, s) => apply(store, batches[s] ?? [], offset)))
      } else {
        // What the runtime does today: commit each store (one transaction each), concurrently.
        await Promise.all(
          stores.map((store, s) => store.env.transaction(() => apply(store, batches[s] ?? [], offset))),
        )
      }
    }
  })
  await Promise.all(envs.map((env) => env.close()))
  return {
    'task commits (8 stores x 1,000 puts) /s': perSecond(COMMITS, ms),
    'ms per task commit': (ms / COMMITS).toFixed(1),
    'puts /s': perSecond(COMMITS * STORES * BATCH_SIZE, ms),
  }
}

// ---- driver ----

const child = async (engine: string): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), `tributary-bench-${engine}-`))
  const rssBefore = process.memoryUsage().rss
  try {
    const row =
      engine === 'lmdb'
        ? await benchLmdb(dir)
        : engine === 'rocksdb'
          ? await benchRocks(dir, false)
          : engine === 'rocksdb-sync'
            ? await benchRocks(dir, true)
            : await benchLayout(dir, engine.slice('layout-'.length) as Layout)
    const peak = process.resourceUsage().maxRSS * 1024
    row['peak RSS MiB'] = (peak / 2 ** 20).toFixed(0)
    row['RSS growth MiB'] = ((peak - rssBefore) / 2 ** 20).toFixed(0)
    process.stdout.write(`${JSON.stringify(row)}\n`)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const runChild = (engine: string): Row => {
  const out = execFileSync(
    process.execPath,
    [...process.execArgv, fileURLToPath(import.meta.url), '--engine', engine, ...process.argv.slice(2)],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  return JSON.parse(out.trim().split('\n').at(-1) as string) as Row
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

const ratio = (a: Row, b: Row, metric: string): string => {
  const x = parseFloat(String(a[metric]))
  const y = parseFloat(String(b[metric]))
  return Number.isFinite(x) && Number.isFinite(y) ? `${(x / y).toFixed(2)}x` : '-'
}

const engineAt = process.argv.indexOf('--engine')
if (engineAt !== -1) {
  await child(process.argv[engineAt + 1] as string)
} else {
  console.log(
    `node ${process.version}; ${KEY_SPACE} key space, ${BATCHES} commits of ${BATCH_SIZE} puts, ${GETS} gets, ${SCANS} scans of ${SCAN_LENGTH}; ${VALUE_SIZE}-byte values\n`,
  )
  const rows = {
    lmdb: runChild('lmdb'),
    rocksdb: runChild('rocksdb'),
    'rocksdb sync:true': runChild('rocksdb-sync'),
  }
  table(rows)
  const lmdb = rows.lmdb
  const rocks = rows.rocksdb
  console.log('\nlmdb / rocksdb (sync:false):')
  for (const m of ['put (commits of 1,000) /s', 'get sync /s', 'scan x100 /s', 'peak RSS MiB', 'disk MiB']) {
    console.log(`  ${m.padEnd(28)} ${ratio(lmdb, rocks, m)}`)
  }
  console.log(
    `  ${'get: lmdb sync / rocksdb awaited'.padEnd(28)} ${(parseFloat(String(lmdb['get sync /s'])) / parseFloat(String(rocks['get awaited /s']))).toFixed(2)}x`,
  )
  console.log(
    `  ${'scan: lmdb sync / rocks awaited'.padEnd(28)} ${(parseFloat(String(lmdb['scan x100 /s'])) / parseFloat(String(rocks['scan x100 awaited /s']))).toFixed(2)}x`,
  )
  console.log('\nlmdb layout:')
  table({
    'env per task, txn per store': runChild('layout-task-txn-per-store'),
    'env per task, one txn': runChild('layout-task-one-txn'),
    'env per store': runChild('layout-store'),
  })
}
