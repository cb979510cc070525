import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, beforeEach, describe, it } from 'node:test'
import { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import { tempDir } from './helpers.ts'

const holder = fileURLToPath(new URL('./fixtures/hold-child.ts', import.meta.url))
const packageDir = fileURLToPath(new URL('../../../', import.meta.url))

/** Starts a process that holds the log open; resolves once it has opened it. */
function startHolder(dir: string): Promise<{ kill: () => Promise<void> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', holder, dir], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    const exited = new Promise<void>((done) => child.on('exit', () => done()))
    child.on('error', reject)
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) {
        resolve({
          kill: async () => {
            child.kill('SIGKILL')
            await exited
          },
        })
      }
    })
  })
}

describe('the data directory lock', () => {
  let tmp: ReturnType<typeof tempDir>
  beforeEach(() => {
    tmp = tempDir()
  })
  afterEach(() => tmp.remove())

  it('refuses a second process even when the lock file was removed, and frees the directory when the holder dies', async () => {
    const holding = await startHolder(tmp.dir)
    try {
      await assert.rejects(EmbeddedLog.open({ dataDir: tmp.dir }), /already open in process \d+/)
      rmSync(join(tmp.dir, 'LOCK'))
      await assert.rejects(EmbeddedLog.open({ dataDir: tmp.dir }), /already open/)
    } finally {
      await holding.kill()
    }
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.close()
  })

  it('refuses a second log in the same process and frees the directory on close', async () => {
    const first = await EmbeddedLog.open({ dataDir: tmp.dir })
    await assert.rejects(EmbeddedLog.open({ dataDir: tmp.dir }), /already open/)
    await first.close()
    const second = await EmbeddedLog.open({ dataDir: tmp.dir })
    await second.close()
  })

  it('takes over a lock file left by a dead holder, also when it records our own pid (a restarted container)', async () => {
    writeFileSync(join(tmp.dir, 'LOCK'), `${process.pid}\n`)
    const log = await EmbeddedLog.open({ dataDir: tmp.dir })
    await log.close()
    writeFileSync(join(tmp.dir, 'LOCK'), '999999999\n')
    const again = await EmbeddedLog.open({ dataDir: tmp.dir })
    await again.close()
  })
})
