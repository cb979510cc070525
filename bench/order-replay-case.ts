// One case of bench/order-replay.ts, in its own process: prints {recordsPerSec, peakRssMb, seconds}.
// Usage: tsx bench/order-replay-case.ts plain|replay|replay-no-sink DIR
import { join } from 'node:path'
import { replay } from '../apps/order-analytics/src/replay/replay.ts'
import { plainReplay } from './order-replay-plain.ts'

const [kind, dir] = process.argv.slice(2) as [string, string]
const users = join(dir, 'users.jsonl')
const orders = join(dir, 'orders.jsonl')
const out = join(dir, `${kind}.csv`)
const started = performance.now()
let lines: number
if (kind === 'plain') lines = await plainReplay(users, orders, out)
else lines = (await replay({ users, orders, out, noSink: kind === 'replay-no-sink' })).orderLines
const seconds = (performance.now() - started) / 1000
console.log(
  JSON.stringify({
    recordsPerSec: Math.round(lines / seconds),
    peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024),
    seconds: Math.round(seconds * 10) / 10,
  }),
)
