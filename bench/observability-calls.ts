// The direct cost of the `info` metrics: the observer calls the runtime makes per record, in a
// loop of their own (no processing around them), in ns of CPU per record. Per input record: one
// `recordSent` per record written (the windowed benchmark writes 2: its output and the store's
// changelog; the stateless one 2/3: the filter drops a third), and one `recordsProcessed` with two
// clock reads per run of records (`run`, the records of one batch of one task). Compare with the
// CPU per record of processing (bench/observability.ts) to bound what `info` can add; what this
// loop cannot show (cache misses, code layout, the garbage collector) is the end-to-end bench's.
// Usage: npx tsx bench/observability-calls.ts [records=5000000] [run=500]
import { Registry } from 'prom-client'
import type { RuntimeObserver } from 'tributary-streams'
import { runtimeMetrics } from 'tributary-streams/observe'

const records = Number(process.argv[2] ?? 5_000_000)
const run = Number(process.argv[3] ?? 500)
const none: RuntimeObserver = { recordSent: () => {}, recordsProcessed: () => {} }

/** CPU ns per record of the calls for `sentPerRecord` records written per record read. */
function nsPerRecord(observer: RuntimeObserver, sentPerRecord: number): number {
  const topics = ['out', 'app-per-minute-changelog']
  const before = process.threadCpuUsage()
  let started = 0
  let owed = 0
  for (let i = 0; i < records; i++) {
    if (i % run === 0) started = performance.now()
    for (owed += sentPerRecord; owed >= 1; owed--) observer.recordSent!(topics[owed > 1 ? 1 : 0]!, i * 10)
    if (i % run === run - 1) observer.recordsProcessed!('0_1', 'in', run, performance.now() - started)
  }
  const used = process.threadCpuUsage(before)
  return ((used.user + used.system) * 1000) / records
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
for (const [name, sent] of [
  ['stateless', 2 / 3],
  ['windowed', 2],
] as const) {
  const info = runtimeMetrics({ registry: new Registry(), level: 'info' })!
  const cost: number[] = []
  for (let i = 0; i < 7; i++) cost.push(nsPerRecord(info, sent) - nsPerRecord(none, sent))
  console.log(
    `${name}: info adds ${median(cost).toFixed(0)} ns CPU per record (median of 7; ${cost.map((c) => c.toFixed(0)).join(', ')})`,
  )
}
