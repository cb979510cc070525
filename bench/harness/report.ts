// Turns the runs into rows (median and min–max over rounds per scenario × system × guarantee) and
// writes results.json, results.md and the chart (matplotlib in the bench venv).
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LatencyRecord } from './latency.ts'
import type { RunRecord } from './run-streaming.ts'
import { PYTHON } from './systems.ts'

export interface Row {
  readonly scenario: string
  readonly system: string
  readonly variant: string
  readonly guarantee: string
  readonly records: number | null
  readonly throughput_rps: number | null
  readonly throughput_min: number | null
  readonly throughput_max: number | null
  readonly p50_ms: number | null
  readonly p99_ms: number | null
  readonly cpu_s_per_million: number | null
  /** Median over runs of CPU per record × records/s: the cores kept busy while timed. */
  readonly cores_busy: number | null
  readonly peak_rss_mb: number | null
  readonly startup_s: number | null
  readonly close_s: number | null
  readonly restore_rps: number | null
  readonly verified: boolean
  readonly rounds: number
  readonly note: string
}

/** A row no run produced: the system cannot express the scenario, or every run failed. */
export type Gap = Pick<Row, 'scenario' | 'system' | 'variant' | 'guarantee' | 'note'>

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2
}

/** What identifies a row: its runs, gaps and latency runs share it. */
export const keyOf = (r: Pick<Row, 'scenario' | 'system' | 'variant' | 'guarantee'>): string =>
  [r.scenario, r.system, r.variant, r.guarantee].join('|')

export function toRows(
  runs: readonly RunRecord[],
  gaps: readonly Gap[],
  latencies: readonly LatencyRecord[] = [],
): Row[] {
  // Latency runs' medians go on the rows of their scenario, system and guarantee.
  const latency = (r: RunRecord, f: (l: LatencyRecord) => number): number | null => {
    const xs = latencies.filter((l) => keyOf(l) === keyOf(r)).map(f)
    return xs.length === 0 ? null : Math.round(median(xs) * 10) / 10
  }
  const groups = new Map<string, RunRecord[]>()
  for (const r of runs) {
    const key = keyOf(r)
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  const rows: Row[] = [...groups.values()].map((rs) => {
    const ok = rs.filter((r) => r.verified)
    const use = ok.length > 0 ? ok : rs
    const med = (f: (r: RunRecord) => number | undefined): number | null => {
      const xs = use.map(f).filter((x): x is number => x !== undefined)
      return xs.length === 0 ? null : Math.round(median(xs) * 1000) / 1000
    }
    const tps = use.map((r) => r.throughput_rps)
    const problems = [...new Set(rs.flatMap((r) => r.problems))]
    const restoreNotes = [
      ...new Set(use.flatMap((r) => (r.restore_note === undefined ? [] : [r.restore_note]))),
    ]
    return {
      scenario: rs[0]!.scenario,
      system: rs[0]!.system,
      variant: rs[0]!.variant,
      guarantee: rs[0]!.guarantee,
      records: med((r) => r.records),
      throughput_rps: med((r) => r.throughput_rps),
      throughput_min: Math.min(...tps),
      throughput_max: Math.max(...tps),
      p50_ms: latency(rs[0]!, (l) => l.p50_ms),
      p99_ms: latency(rs[0]!, (l) => l.p99_ms),
      cpu_s_per_million: med((r) => r.cpu_s_per_million),
      // Not for the ceiling rows: the bare loop's CPU covers its whole process, start-up included.
      cores_busy:
        rs[0]!.scenario === 'ceiling' ? null : med((r) => (r.cpu_s_per_million * r.throughput_rps) / 1e6),
      peak_rss_mb: med((r) => r.peak_rss_mb),
      startup_s: med((r) => r.startup_s),
      close_s: med((r) => r.close_s),
      restore_rps: med((r) => r.restore_rps),
      verified: ok.length === rs.length,
      rounds: rs.length,
      note: [
        ...(ok.length === rs.length ? [] : [`NOT VERIFIED: ${problems.join('; ')}`]),
        ...restoreNotes,
      ].join('; '),
    }
  })
  for (const g of gaps) {
    // A run that failed beside runs that did not: the row says so.
    const i = rows.findIndex((r) => keyOf(r) === keyOf(g))
    if (i >= 0) {
      const note = rows[i]!.note
      rows[i] = { ...rows[i]!, note: `${note}${note === '' ? '' : '; '}also ${g.note}` }
      continue
    }
    rows.push({
      ...g,
      records: null,
      throughput_rps: null,
      throughput_min: null,
      throughput_max: null,
      p50_ms: null,
      p99_ms: null,
      cpu_s_per_million: null,
      cores_busy: null,
      peak_rss_mb: null,
      startup_s: null,
      close_s: null,
      restore_rps: null,
      verified: false,
      rounds: 0,
    })
  }
  return rows
}

export interface Results {
  readonly machine: Record<string, unknown>
  readonly date: string
  readonly settings: Record<string, unknown>
  readonly results: readonly Row[]
  readonly runs: readonly unknown[]
}

export function writeResults(dir: string, results: Results, markdown: string, chart: boolean): void {
  writeFileSync(join(dir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`)
  writeFileSync(join(dir, 'results.md'), markdown)
  if (chart)
    execFileSync(
      PYTHON,
      [join(import.meta.dirname, 'chart.py'), join(dir, 'results.json'), join(dir, 'chart.png')],
      {
        stdio: 'inherit',
      },
    )
}
