import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { orderLines, userLines, type DataSetOptions } from '../../src/generator/data-set.ts'
import { replay } from '../../src/replay/replay.ts'
import { expectedTable } from './expected-table.ts'

/** Generates a data set, replays it through the pipeline and compares with the independent table. */
export async function checkReplay(options: DataSetOptions, withSink = true): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'oa-replay-test-'))
  try {
    const users = [...userLines(options)]
    const orders = [...orderLines(options)]
    assert.ok(orders.length >= options.orders)
    writeFileSync(join(dir, 'users.jsonl'), users.join('\n') + '\n')
    writeFileSync(join(dir, 'orders.jsonl'), orders.join('\n') + '\n')
    const started = Date.now()
    const summary = await replay({
      users: join(dir, 'users.jsonl'),
      orders: join(dir, 'orders.jsonl'),
      out: join(dir, 'out.csv'),
      dlq: join(dir, 'dlq.jsonl'),
      graceMs: 30_000,
      noSink: !withSink,
    })
    const replaySeconds = (Date.now() - started) / 1000
    const expected = expectedTable(users, orders, 30_000)
    const actual = readFileSync(join(dir, 'out.csv'), 'utf8')
    assert.ok(
      expected.late > 0 && expected.duplicates > 0 && expected.rejected > 0,
      'the data set exercises every rule',
    )
    assert.equal(actual.split('\n').length, expected.csv.split('\n').length, 'row count')
    assert.equal(actual, expected.csv)
    const dlq = readFileSync(join(dir, 'dlq.jsonl'), 'utf8').trim().split('\n')
    assert.equal(dlq.length, expected.rejected)
    for (const line of dlq) assert.ok(typeof JSON.parse(line).reason === 'string')
    assert.equal(summary.duplicates, expected.duplicates)
    assert.equal(summary.late, expected.late)
    console.log(
      `# replay of ${orders.length} order lines: ${replaySeconds.toFixed(1)} s, ${summary.rows} rows, ` +
        `${expected.late} late, ${expected.duplicates} duplicates, ${expected.rejected} rejected`,
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
