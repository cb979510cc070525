// results.md: the settings and machine, one table per guarantee, and Tributary's ratios.
import type { Results, Row } from './report.ts'

const num = (x: number | null, digits = 0): string =>
  x === null || Number.isNaN(x) ? '–' : x.toLocaleString('en-US', { maximumFractionDigits: digits })

const label = (r: Row): string => (r.variant === '' ? r.system : `${r.system} (${r.variant})`)

function table(rows: readonly Row[]): string[] {
  const lines = [
    '| scenario | system | records | records/s (median) | min–max | CPU s / M records | cores busy | peak RSS MB | start-up s | close s | restore keys/s | p50 ms | p99 ms | verified | note |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|---|',
  ]
  for (const r of rows)
    lines.push(
      `| ${r.scenario} | ${label(r)} | ${num(r.records)} | ${num(r.throughput_rps)} | ${num(r.throughput_min)}–${num(r.throughput_max)} | ${num(r.cpu_s_per_million, 1)} | ${num(r.cores_busy, 2)} | ${num(r.peak_rss_mb)} | ${num(r.startup_s, 1)} | ${num(r.close_s, 1)} | ${num(r.restore_rps)} | ${num(r.p50_ms, 1)} | ${num(r.p99_ms, 1)} | ${r.rounds === 0 ? '–' : r.verified ? 'yes' : 'NO'} | ${r.note} |`,
    )
  return lines
}

/** Tributary's median throughput divided by each verified peer row's, per scenario and guarantee. */
export function ratios(rows: readonly Row[]): string[] {
  const lines = [
    '| scenario | guarantee | peer | Tributary ÷ peer (records/s) | restore ÷ peer |',
    '|---|---|---|--:|--:|',
  ]
  for (const t of rows.filter((r) => r.system === 'tributary' && r.verified && r.throughput_rps !== null)) {
    for (const p of rows) {
      if (p.system === 'tributary' || p.scenario !== t.scenario || p.guarantee !== t.guarantee) continue
      if (!p.verified || p.throughput_rps === null) continue
      const restore =
        t.restore_rps !== null && p.restore_rps !== null ? (t.restore_rps / p.restore_rps).toFixed(2) : '–'
      lines.push(
        `| ${t.scenario} | ${t.guarantee} | ${label(p)} | ${(t.throughput_rps! / p.throughput_rps).toFixed(2)} | ${restore} |`,
      )
    }
  }
  return lines
}

export function toMarkdown(results: Results): string {
  const rows = results.results
  const streaming = rows.filter((r) => r.scenario !== 'ceiling')
  return [
    `# Benchmark results (${results.date})`,
    '',
    '```json',
    JSON.stringify({ machine: results.machine, settings: results.settings }, null, 2),
    '```',
    '',
    '## Ceiling (the broker and bare clients; no stream processing)',
    '',
    ...table(rows.filter((r) => r.scenario === 'ceiling')),
    '',
    ...(['at-least-once', 'exactly-once'] as const).flatMap((g) => [
      `## ${g}`,
      '',
      ...table(streaming.filter((r) => r.guarantee === g)),
      '',
    ]),
    '## Ratios (above 1: Tributary is faster; below 1: Tributary is behind)',
    '',
    ...ratios(streaming),
    '',
  ].join('\n')
}
