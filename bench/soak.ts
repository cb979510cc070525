// Soak run (not a test, not in CI): `order-analytics all` on the embedded log at a fixed order
// rate for a wall-clock duration, sampling every interval the disk use of its data directory, the
// process' RSS and the pipeline's lags (from /api/summary); writes the samples as CSV.
//
//   npx tsx bench/soak.ts [--rate 1000] [--minutes 60] [--every 60] [--out bench/results/soak.csv]
//                         [--retention-ms N] [--segment-bytes N]
//                         [--dedupe-retention-ms N] [--changelog-additional-retention-ms N]
//
// --retention-ms and --segment-bytes set the embedded log's defaults for the app's topics
// (TRIBUTARY_LOG_RETENTION_MS, TRIBUTARY_LOG_SEGMENT_BYTES); --dedupe-retention-ms the app's
// dedupe window (ORDERS_DEDUPE_RETENTION_MS, default 24 h) and --changelog-additional-retention-ms
// how much longer windowed changelogs keep records (TRIBUTARY_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS,
// default 1 day); unset, the app's and library's defaults.
//
// Each sample: disk use, RSS and its anonymous and file-backed parts (/proc/<pid>/status), the
// resident part of the files it maps from the data directory (lmdb) and their size (smaps), V8 heap
// and external memory (the app's /metrics), the lags and rate (/api/summary) and the 1-minute load.
// Beside it, `<out>-files.csv`: per sample and mapped file, its maps, their resident pages and size.
//
// Uses PORT (default 3000) and a fresh TRIBUTARY_DATA_DIR under the OS temp directory (kept,
// printed). See docs/soak.md for the figures of a run.
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { execFileSync } from 'node:child_process'

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    minutes: { type: 'string', default: '60' },
    every: { type: 'string', default: '60' },
    out: { type: 'string', default: 'bench/results/soak.csv' },
    'retention-ms': { type: 'string' },
    'segment-bytes': { type: 'string' },
    'dedupe-retention-ms': { type: 'string' },
    'changelog-additional-retention-ms': { type: 'string' },
  },
})
const rate = Number(values.rate)
const minutes = Number(values.minutes)
const everyMs = Number(values.every) * 1000
const port = process.env['PORT'] ?? '3000'
const envFlags: Record<string, string> = {
  'retention-ms': 'TRIBUTARY_LOG_RETENTION_MS',
  'segment-bytes': 'TRIBUTARY_LOG_SEGMENT_BYTES',
  'dedupe-retention-ms': 'ORDERS_DEDUPE_RETENTION_MS',
  'changelog-additional-retention-ms': 'TRIBUTARY_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS',
}
const flagEnv = Object.fromEntries(
  Object.entries(envFlags).flatMap(([flag, name]) => {
    const value = values[flag as keyof typeof values]
    return typeof value === 'string' ? [[name, value]] : []
  }),
)
const dataDir = mkdtempSync(join(tmpdir(), 'order-analytics-soak-'))

const child = spawn(
  process.execPath,
  ['apps/order-analytics/bin/order-analytics.js', 'all', '--rate', String(rate)],
  {
    env: {
      ...process.env,
      TRIBUTARY_DATA_DIR: dataDir,
      PORT: port,
      KAFKA_BROKERS: '',
      DATABASE_URL: '',
      ...flagEnv,
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  },
)
let stderrTail = ''
child.stderr.on('data', (c: Buffer) => (stderrTail = (stderrTail + c.toString()).slice(-4000)))
child.on('exit', (code, signal) => console.error(`order-analytics exited: ${code ?? signal}\n${stderrTail}`))

const diskBytes = (): number => Number(execFileSync('du', ['-sb', dataDir]).toString().split('\t')[0])
const statusBytes = (field: string): number => {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8')
  return Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN) * 1024
}
/** Values of the app's Prometheus gauges named in `names` (NaN when absent or unreachable). */
async function gauges(names: readonly string[]): Promise<number[]> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()
    return names.map((name) =>
      Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN),
    )
  } catch {
    return names.map(() => NaN)
  }
}
interface Mapped {
  maps: number
  residentBytes: number
  fileBytes: number
}
/** Per file the app maps from the data directory (the lmdb stores' data.mdb): its maps, their
 *  resident bytes and the file's size. One file's resident bytes above its size are pages resident
 *  in more than one map of it. */
function dataDirMappings(): Map<string, Mapped> {
  const files = new Map<string, Mapped>()
  let current: Mapped | undefined
  for (const line of readFileSync(`/proc/${child.pid}/smaps`, 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s+(.*)$/.exec(line)
    if (mapping !== null) {
      const path = mapping[1]!.trim()
      current = undefined
      if (!path.startsWith(dataDir + '/')) continue
      current = files.get(path) ?? { maps: 0, residentBytes: 0, fileBytes: 0 }
      current.maps++
      files.set(path, current)
    } else if (current !== undefined && line.startsWith('Rss:')) {
      current.residentBytes += Number(/(\d+) kB/.exec(line)?.[1] ?? 0) * 1024
    }
  }
  for (const [path, file] of files) file.fileBytes = statSync(path, { throwIfNoEntry: false })?.size ?? 0
  return files
}
const MEMORY_GAUGES = [
  'nodejs_heap_size_used_bytes',
  'nodejs_heap_size_total_bytes',
  'nodejs_external_memory_bytes',
]
async function health(): Promise<Record<string, unknown>> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/summary`)
    return ((await res.json()) as { health: Record<string, unknown> }).health
  } catch {
    return {}
  }
}

const header =
  'minute,disk_mb,rss_mb,streams_lag,sink_lag,records_per_s,rss_anon_mb,heap_used_mb,heap_total_mb,external_mb,load1,rss_file_mb,rss_mapped_data_mb,mapped_data_files_mb\n'
writeFileSync(values.out, header)
/** Beside the samples, per minute and mapped file: its maps, their resident pages and its size. */
const filesOut = values.out.replace(/(\.csv)?$/, '-files.csv')
writeFileSync(filesOut, 'minute,file,maps,resident_mb,file_mb\n')
console.log(
  `soak: ${rate} orders/s for ${minutes} min; ${JSON.stringify(flagEnv)}; data dir ${dataDir}; samples in ${values.out}`,
)
const mb = (bytes: number): string => (bytes / 1e6).toFixed(1)
const started = Date.now()
for (let i = 0; Date.now() - started < minutes * 60_000 && child.exitCode === null; i++) {
  await new Promise((r) => setTimeout(r, Math.max(0, started + (i + 1) * everyMs - Date.now())))
  if (child.exitCode !== null) break
  const h = await health()
  const memory = await gauges(MEMORY_GAUGES)
  const mappings = dataDirMappings()
  const minute = ((Date.now() - started) / 60_000).toFixed(1)
  let residentBytes = 0
  let fileBytes = 0
  for (const [path, file] of mappings) {
    residentBytes += file.residentBytes
    fileBytes += file.fileBytes
    const name = path.slice(dataDir.length + 1)
    appendFileSync(
      filesOut,
      `${minute},${name},${file.maps},${mb(file.residentBytes)},${mb(file.fileBytes)}\n`,
    )
  }
  const row = [
    minute,
    mb(diskBytes()),
    mb(statusBytes('VmRSS')),
    h['streamsLag'] ?? '',
    h['sinkLag'] ?? '',
    typeof h['recordsPerSecond'] === 'number' ? h['recordsPerSecond'].toFixed(0) : '',
    mb(statusBytes('RssAnon')),
    ...memory.map(mb),
    loadavg()[0]!.toFixed(1),
    mb(statusBytes('RssFile')),
    mb(residentBytes),
    mb(fileBytes),
  ].join(',')
  appendFileSync(values.out, row + '\n')
  console.log(row)
}
child.kill('SIGTERM')
