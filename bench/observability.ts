// The cost of metrics (each recording level) and of tracing (sampled and unsampled) on the
// stateless and windowed topologies, as ratios to no observer. Each variant runs at the same time
// as a run without observer (two processes on the two cores), so both see the same load from the
// rest of the machine: on a shared machine, runs one after the other differed by up to 40% in CPU
// per record, the pair's runs far less. Every round runs every variant so (its pairs in a
// rotating order); a ratio is the median over rounds of variant / no observer within the pair,
// with the middle half of the per-round ratios in [brackets]. Figures are from each case's steady
// state (observability-case.ts): CPU time per record of the whole process (with the garbage
// collector's and compiler's threads; the primary figure), of the main thread alone, and the rate.
// `off2` is no observer again: its row (A/A) is the noise a ratio cannot be told from.
// Usage: npx tsx bench/observability.ts [records=1000000] [rounds=5] [variants=off2,info,debug,traced,unsampled] [kinds=stateless,windowed]
import { execFile } from 'node:child_process'
import { loadavg } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import type { CaseResult } from './run-case.ts'

const records = process.argv[2] ?? '1000000'
const rounds = Number(process.argv[3] ?? 5)
const variants = (process.argv[4] ?? 'off2,info,debug,traced,unsampled').split(',').filter((v) => v !== 'off')
const kinds = (process.argv[5] ?? 'stateless,windowed').split(',')
type Figures = CaseResult & { cpuMicrosPerRecord: number; mainCpuMicrosPerRecord: number }
const FIGURES = [
  ['CPU µs/record', (r: Figures) => r.cpuMicrosPerRecord, 2],
  ['main thread', (r: Figures) => r.mainCpuMicrosPerRecord, 2],
  ['rec/s', (r: Figures) => r.recordsPerSec, 0],
] as const

/** One case in its own Node process; its JSON line. */
async function runCase(kind: string, variant: string): Promise<Figures> {
  const script = join(import.meta.dirname, 'observability-case.ts')
  const { stdout } = await promisify(execFile)(process.execPath, [
    '--import',
    'tsx',
    script,
    kind,
    variant,
    records,
  ])
  return JSON.parse(stdout.trim().split('\n').pop()!) as Figures
}

/** The value at `q` (0..1) of `xs`, interpolated. */
const quantile = (xs: readonly number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b)
  const i = (s.length - 1) * q
  return s[Math.floor(i)]! + (s[Math.ceil(i)]! - s[Math.floor(i)]!) * (i - Math.floor(i))
}
const load = () => loadavg()[0]!.toFixed(1)

console.log(
  `records per case: ${records} (figures from the steady state); ${rounds} rounds; each variant ` +
    `paired with no observer, run at the same time; 4 partitions; embedded log (fsync never); ` +
    `load average ${load()} at start`,
)
for (const kind of kinds) {
  const pairs = new Map<string, Array<[off: Figures, variant: Figures]>>(variants.map((v) => [v, []]))
  for (let round = 0; round < rounds; round++) {
    const shift = round % variants.length
    for (const v of [...variants.slice(shift), ...variants.slice(0, shift)])
      pairs.get(v)!.push(await Promise.all([runCase(kind, 'off'), runCase(kind, v)]))
    console.error(`${kind}: round ${round + 1} of ${rounds} done, load average ${load()}`)
  }
  const offs = [...pairs.values()].flat().map(([off]) => off)
  console.log(`\n${kind} (load average ${load()} at its end)`)
  console.log(`| variant | ${FIGURES.map(([name]) => name).join(' | ')} |`)
  console.log(`| --- | ${FIGURES.map(() => '---').join(' | ')} |`)
  console.log(
    `| off | ${FIGURES.map(([, f, digits]) => quantile(offs.map(f), 0.5).toFixed(digits)).join(' | ')} |`,
  )
  for (const v of variants) {
    const cells = FIGURES.map(([, figure]) => {
      const ratios = pairs.get(v)!.map(([off, x]) => figure(x) / figure(off))
      const [q1, median, q3] = [0.25, 0.5, 0.75].map((q) => quantile(ratios, q).toFixed(3))
      return `${median} [${q1}-${q3}]`
    })
    console.log(`| ${v === 'off2' ? 'off (A/A)' : v} | ${cells.join(' | ')} |`)
  }
  for (const v of variants)
    console.log(
      `${kind} ${v}, CPU µs/record per round (off/${v}): ` +
        pairs
          .get(v)!
          .map(([off, x]) => `${FIGURES[0][1](off)}/${FIGURES[0][1](x)}`)
          .join(', '),
    )
}
