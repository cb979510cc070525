// Merges the results of several harness runs into one table: a matrix run in parts (a scenario or a
// round per invocation, so that every part is committed as soon as it ends) reads as one run.
// Every run and latency run is kept as measured, with the part it came from; the runs of one
// scenario × system × guarantee are numbered rounds 1, 2, ... in the order the parts are given, and
// its row is recomputed (median and min–max over them). Parts must come from one machine with the
// same versions and settings, and give a row's latency at one offered rate; otherwise nothing is
// written and the one-line error names what differs.
//   npm run bench:merge -- --out DIR PART_DIR...   (writes DIR/results.json, results.md, chart.png)
import { mkdirSync, readFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { LatencyRecord } from './harness/latency.ts'
import { toMarkdown } from './harness/markdown.ts'
import { keyOf as key, toRows, writeResults, type Gap, type Row } from './harness/report.ts'
import type { RunRecord } from './harness/run-streaming.ts'

interface Part {
  readonly machine: Record<string, unknown>
  readonly date: string
  readonly settings: Record<string, unknown>
  readonly results: readonly Row[]
  readonly runs: readonly RunRecord[]
  readonly latency_runs?: readonly LatencyRecord[]
  /** Rows no run produced and runs that failed; older parts have only their rows' notes. */
  readonly gaps?: readonly Gap[]
}

const USAGE = 'npm run bench:merge -- --out DIR PART_DIR... (each PART_DIR holds a results.json)'

function fail(message: string): never {
  console.error(`bench:merge: ${message}`)
  process.exit(2)
}

// results.json writes what a run did not measure (NaN) as null; the rows expect NaN back.
const read = (dir: string): Part => {
  const file = join(dir, 'results.json')
  try {
    return JSON.parse(readFileSync(file, 'utf8'), (_k, v: unknown) => (v === null ? NaN : v)) as Part
  } catch (err) {
    return fail(`cannot read ${file}: ${(err as Error).message}`)
  }
}

const { values, positionals } = parseArgs({ options: { out: { type: 'string' } }, allowPositionals: true })
if (values.out === undefined || positionals.length === 0) fail(`give --out and at least one part; ${USAGE}`)
const outDir = resolve(values.out)
const dirs = positionals.map((d) => resolve(d))
for (const [i, d] of dirs.entries()) {
  if (d === outDir) fail(`--out ${values.out} is also a part: give another directory`)
  if (dirs.indexOf(d) !== i) fail(`${positionals[i]} is given twice: each part counts once`)
}
const parts = dirs.map((dir) => ({ name: basename(dir), part: read(dir) }))
for (const [i, { name, part }] of parts.entries()) {
  const twin = parts.findIndex((p) => p.part.date === part.date)
  if (twin !== i) fail(`${name} and ${parts[twin]!.name} are one run (same date): each part counts once`)
}

// One machine, one set of versions and settings: else the medians would mix unlike runs.
const same = (what: string, of: (p: Part) => unknown, among = parts): void => {
  const first = among[0]
  for (const p of among.slice(1))
    if (JSON.stringify(of(p.part)) !== JSON.stringify(of(first!.part)))
      fail(`${p.name} and ${first!.name} differ in ${what}: merge only parts of one machine and settings`)
}
for (const field of ['cpus', 'cpu_model', 'memory_gb', 'kernel', 'versions'])
  same(`machine.${field}`, (p) => p.machine[field])
for (const field of ['records', 'commit_interval_ms', 'partitions']) same(field, (p) => p.settings[field])
const withOrders = parts.filter(({ part }) => part.runs.some((r) => r.scenario === 'order-analytics'))
for (const field of ['order_analytics_grace_ms', 'order_analytics_users_first'])
  same(field, (p) => p.settings[field], withOrders)

// Rounds numbered across parts; a latency run keeps the round of the run it followed.
const count = new Map<string, number>()
const renumbered = new Map<string, number>()
const runs = parts.flatMap(({ name, part }) =>
  part.runs.map((r) => {
    const round = (count.get(key(r)) ?? 0) + 1
    count.set(key(r), round)
    renumbered.set(`${name}|${key(r)}|${r.round}`, round)
    return { ...r, round, part: name }
  }),
)
const rates = new Map<string, number>()
const latencies = parts.flatMap(({ name, part }) =>
  (part.latency_runs ?? []).map((l) => {
    const rate = rates.get(key(l)) ?? l.rate_rps
    if (rate !== l.rate_rps)
      fail(
        `${name} measured ${key(l)} latency at ${l.rate_rps}/s, another part at ${rate}/s: one rate per row`,
      )
    rates.set(key(l), rate)
    return { ...l, round: renumbered.get(`${name}|${key(l)}|${l.round}`) ?? l.round, part: name }
  }),
)
const gaps: Gap[] = parts.flatMap(({ part }) =>
  (part.gaps ?? part.results.filter((r) => r.rounds === 0)).map(
    ({ scenario, system, variant, guarantee, note }) => ({ scenario, system, variant, guarantee, note }),
  ),
)

// Loads belong to their part; `shared` was a constant of older harnesses, not a measurement.
const {
  shared: _constant,
  load_avg_1m_at_start: _start,
  load_avg_1m_at_end: _end,
  ...machine
} = parts[0]!.part.machine
const scenarios = [...new Set(runs.map((r) => r.scenario))]
const dates = parts.map(({ part }) => part.date).sort()
const results = {
  machine,
  date: dates.length === 1 ? dates[0]! : `${dates[0]} to ${dates.at(-1)}`,
  settings: {
    parts: parts.map(({ name, part }) => ({
      dir: name,
      date: part.date,
      load_avg_1m_at_start: part.machine['load_avg_1m_at_start'],
      load_avg_1m_at_end: part.machine['load_avg_1m_at_end'],
      ...part.settings,
    })),
  },
  // Rows by scenario (in the order the parts first ran them), then in the order their runs came.
  results: toRows(
    runs.toSorted((a, b) => scenarios.indexOf(a.scenario) - scenarios.indexOf(b.scenario)),
    gaps,
    latencies,
  ),
  runs,
  latency_runs: latencies,
  gaps,
}
mkdirSync(outDir, { recursive: true })
writeResults(outDir, results, toMarkdown(results), true)
console.error(
  `bench:merge: ${runs.length} runs from ${parts.length} parts into ${join(outDir, 'results.md')}`,
)
