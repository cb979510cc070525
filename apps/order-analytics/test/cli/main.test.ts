import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/order-analytics.js', import.meta.url))
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version

/** Runs the real bin in `cwd` with only PATH and `env` set (no KAFKA_BROKERS etc. from the caller). */
function orderAnalytics(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd, timeout: 60_000, env: { PATH: process.env['PATH'] ?? '', ...env } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    )
  })
}

describe('the order-analytics command line', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'order-analytics-cli-'))
  after(() => rmSync(cwd, { recursive: true, force: true }))

  it('prints the help of the command asked about, with examples, and starts nothing', async () => {
    const global = await orderAnalytics(['--help'], cwd)
    assert.equal(global.code, 0)
    assert.match(global.stdout, /^Usage: order-analytics \[options\] \[command\]/)
    assert.match(global.stdout, /Environment:\n {2}KAFKA_BROKERS/)
    for (const args of [
      ['producer', '--help'],
      ['dashboard', '-h'],
      ['help', 'replay'],
    ]) {
      const r = await orderAnalytics(args, cwd)
      const command = args[0] === 'help' ? args[1] : args[0]
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
      assert.match(r.stdout, new RegExp(`^Usage: order-analytics ${command} `))
      assert.match(r.stdout, new RegExp(`Examples:\\n {2}\\$ .*order-analytics ${command}`))
      assert.doesNotMatch(r.stdout, /Environment:/, 'not the global screen')
    }
    assert.deepEqual(readdirSync(cwd), [], 'no data directory, no log, no database')
  })

  it('prints its version', async () => {
    assert.deepEqual(await orderAnalytics(['-V'], cwd), { code: 0, stdout: `${VERSION}\n`, stderr: '' })
  })

  it('reports a usage error in one line with exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['stream'], /^order-analytics: unknown command 'stream' \(Did you mean streams\?\)/],
      [
        ['producer', '--rat', '5'],
        /^order-analytics producer: unknown option '--rat' \(Did you mean --rate\?\)/,
      ],
      [
        ['all', '--rate', 'fast'],
        /^order-analytics all: option .*--rate.* 'fast' is invalid\. expected a number > 0/,
      ],
      [
        ['generate', '--users', '10'],
        /^order-analytics generate: required option '--out-dir <dir>' not specified/,
      ],
    ]
    for (const [args, line] of cases) {
      const r = await orderAnalytics(args, cwd)
      assert.equal(r.code, 2, args.join(' '))
      assert.equal(r.stdout, '')
      assert.match(r.stderr, line)
      assert.match(r.stderr, /\(see 'order-analytics [a-z ]*--help'\)\n$/)
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`)
    }
    assert.deepEqual(readdirSync(cwd), [])
  })

  it('reports a configuration error in one line naming the variable, with exit code 1', async () => {
    const r = await orderAnalytics(['init'], cwd, { ORDERS_PARTITIONS: 'four' })
    assert.deepEqual(r, {
      code: 1,
      stdout: '',
      stderr: "order-analytics init: ORDERS_PARTITIONS must be an integer >= 1, got 'four'\n",
    })
    assert.deepEqual(readdirSync(cwd), [], 'checked before anything was opened')
    const extra = await orderAnalytics(['init'], cwd, {
      TRIBUTARY_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS: '-1',
    })
    assert.deepEqual(extra, {
      code: 1,
      stdout: '',
      stderr:
        "order-analytics init: TRIBUTARY_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS must be an integer >= 0, got '-1'\n",
    })
  })
})
