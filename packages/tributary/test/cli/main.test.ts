import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'

const BIN = fileURLToPath(new URL('../../bin/tributary.js', import.meta.url))
const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version
const SCHEMA = fileURLToPath(
  new URL('../../../../apps/order-analytics/src/schemas/user-created.avsc', import.meta.url),
)

/** Runs the real bin in `cwd` (a fresh empty folder: help must leave it empty). */
function tributary(args: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, timeout: 60_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    )
  })
}

describe('the tributary command line', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'tributary-cli-'))
  after(() => rmSync(cwd, { recursive: true, force: true }))

  it('prints each command’s help with examples, exits 0 and touches nothing', async () => {
    for (const args of [['--help'], ['registry', '--help'], ['codegen', '-h'], ['help', 'registry']]) {
      const r = await tributary(args, cwd)
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`)
      assert.equal(r.stderr, '')
      assert.match(r.stdout, /^Usage: tributary/)
      if (args.length > 1) assert.match(r.stdout, /Examples:\n {2}\$ tributary (registry|codegen)/)
      if (args[0] === 'registry') assert.match(r.stdout, /--data-dir <dir>/)
    }
    assert.deepEqual(readdirSync(cwd), [], 'help started nothing and wrote nothing')
  })

  it('ends with 0 and no stack trace when the reader closes the pipe first (`| head`)', async () => {
    const r = await new Promise<{ codes: string; stderr: string }>((resolve) => {
      const script = `"${process.execPath}" "${BIN}" log --help | true; echo "\${PIPESTATUS[@]}"`
      execFile('bash', ['-c', script], { cwd, timeout: 60_000 }, (_err, stdout, stderr) =>
        resolve({ codes: stdout.trim(), stderr }),
      )
    })
    assert.equal(r.codes, '0 0')
    assert.doesNotMatch(r.stderr, /EPIPE|at /)
  })

  it('prints the package version', async () => {
    assert.deepEqual(await tributary(['--version'], cwd), { code: 0, stdout: `${VERSION}\n`, stderr: '' })
  })

  it('reports a usage error in one line naming the command and the help, with exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['deploy'], /^tributary: unknown command 'deploy' \(see 'tributary --help'\)\n$/],
      [['registry', '--prot', '1'], /^tributary registry: unknown option '--prot' \(Did you mean --port\?\)/],
      [
        ['registry', '--port', 'http'],
        /^tributary registry: option .*--port.* 'http' is invalid\. expected a port/,
      ],
      [['codegen'], /^tributary codegen: missing required argument 'paths'/],
    ]
    for (const [args, line] of cases) {
      const r = await tributary(args, cwd)
      assert.equal(r.code, 2, args.join(' '))
      assert.equal(r.stdout, '')
      assert.equal(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`)
      assert.match(r.stderr, line)
    }
    const bare = await tributary([], cwd)
    assert.equal(bare.code, 2, 'no command is a usage error')
    assert.match(bare.stderr, /^Usage: tributary/)
    assert.deepEqual(readdirSync(cwd), [])
  })

  it('reports a failure at run time in one line with exit code 1, and no stack trace', async () => {
    const r = await tributary(['codegen', 'missing.avsc'], cwd)
    assert.deepEqual(r, {
      code: 1,
      stdout: '',
      stderr: 'tributary codegen: missing.avsc: no such file or directory\n',
    })
  })

  it('codegen --out creates the folder of the file it writes', async () => {
    const out = join(cwd, 'src', 'generated', 'types.ts')
    const r = await tributary(['codegen', SCHEMA, '--out', out], cwd)
    assert.equal(r.code, 0, r.stderr)
    assert.ok(existsSync(out))
    assert.match(readFileSync(out, 'utf8'), /export interface UserCreated/)
  })
})
