// `order-analytics replay` throughput beside a plain single-pass script over the same files, in one run.
// Usage: npx tsx bench/order-replay.ts [orders=200000] [users=10000]
import { readFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { orderLines, userLines } from '../apps/order-analytics/src/generator/data-set.ts'
import { runCase, type CaseResult } from './run-case.ts'

const orders = Number(process.argv[2] ?? 200_000)
const users = Number(process.argv[3] ?? 10_000)
const dir = mkdtempSync(join(tmpdir(), 'order-replay-bench-'))
try {
  const options = { seed: 42, users, orders }
  writeFileSync(join(dir, 'users.jsonl'), [...userLines(options)].join('\n') + '\n')
  writeFileSync(join(dir, 'orders.jsonl'), [...orderLines(options)].join('\n') + '\n')
  const results: Array<[string, CaseResult & { seconds?: number }]> = []
  for (const kind of ['plain', 'replay-no-sink', 'replay'])
    results.push([kind, runCase('order-replay-case.ts', [kind, dir])])
  const plain = results[0]![1].recordsPerSec
  console.log(`order lines: ${orders}+ (seed 42, ${users} users); files in a temp dir; one process per case`)
  for (const [kind, r] of results)
    console.log(
      `${kind.padEnd(16)} ${String(r.recordsPerSec).padStart(9)} order lines/s  ${String(r.seconds).padStart(6)} s  ${String(r.peakRssMb).padStart(5)} MB  ratio to plain ${(r.recordsPerSec / plain).toFixed(3)}`,
    )
  const csv = (kind: string) => readFileSync(join(dir, `${kind}.csv`), 'utf8')
  const same = csv('plain') === csv('replay') && csv('replay') === csv('replay-no-sink')
  console.log(`same CSV from all three: ${same ? 'yes' : 'NO'}`)
  if (!same) process.exitCode = 1
} finally {
  rmSync(dir, { recursive: true, force: true })
}
