// Merges the results of several harness runs into one table: a matrix run in parts (a scenario or a
// round per invocation, so that every part is committed as soon as it ends) reads as one run.
// Every run and latency run is kept as measured; a scenario × system × guarantee measured in n
// parts gets rounds 1..n in the order the parts are given, and its row is recomputed (median and
// min–max over them). Each part's date and settings are kept under `settings.parts`.
//   npm run bench:merge -- --out DIR PART_DIR...   (writes DIR/results.json, results.md, chart.png)
import { mkdirSync, readFileSync } from 'node:fs'
import { basename, join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import type { LatencyRecord } from './harness/latency.ts'
import { toMarkdown } from './harness/markdown.ts'
import { toRows, writeResults, type Gap, type Row } from './harness/report.ts'
import type { RunRecord } from './harness/run-streaming.ts'

interface Part {
  readonly machine: Record<string, unknown>
  readonly date: string
  readonly settings: Record<string, unknown>
  readonly results: readonly Row[]
  readonly runs: readonly RunRecord[]
  readonly latency_runs?: readonly LatencyRecord[]
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
const parts = positionals.map((dir) => ({ dir, part: read(dir) }))

const key = (r: Pick<RunRecord, 'scenario' | 'system' | 'variant' | 'guarantee'>): string =>
  [r.scenario, r.system, r.variant, r.guarantee].join('|')
const seen = new Map<string, number>()
const runs = parts.flatMap(({ part }) =>
  part.runs.map((r) => {
    const round = (seen.get(key(r)) ?? 0) + 1
    seen.set(key(r), round)
    return { ...r, round }
  }),
)
const latencies = parts.flatMap(({ part }) => part.latency_runs ?? [])
// A row no run produced (the system cannot express the scenario, or its runs failed) stays a gap.
const gaps: Gap[] = parts.flatMap(({ part }) =>
  part.results
    .filter((r) => r.rounds === 0)
    .map(({ scenario, system, variant, guarantee, note }) => ({
      scenario,
      system,
      variant,
      guarantee,
      note,
    })),
)
const dates = parts.map(({ part }) => part.date).sort()
// `shared` was a constant of the harness until 3 December 2026 (it said so on a quiet machine
// too), not a measurement: the load averages of every part and run say how busy the machine was.
const { shared: _constant, ...machine } = parts[0]!.part.machine
const results = {
  machine,
  date: dates.length === 1 ? dates[0]! : `${dates[0]} to ${dates.at(-1)}`,
  settings: {
    parts: parts.map(({ dir, part }) => ({
      dir: basename(resolve(dir)),
      date: part.date,
      load_avg_1m_at_end: part.machine['load_avg_1m_at_end'],
      ...part.settings,
    })),
  },
  results: toRows(runs, gaps, latencies),
  runs,
  latency_runs: latencies,
}
mkdirSync(outDir, { recursive: true })
writeResults(outDir, results, toMarkdown(results), true)
console.error(
  `bench:merge: ${runs.length} runs from ${parts.length} parts into ${join(outDir, 'results.md')}`,
)
