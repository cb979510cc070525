import { spawn } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { EmbeddedLog } from '../../../src/log/embedded/index.ts'
import type { Isolation } from '../../../src/log/log.ts'

export function tempDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-embedded-'))
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) }
}

/** Values of every readable record of a partition, as strings (null stays null). */
export function values(
  log: EmbeddedLog,
  topic: string,
  partition = 0,
  isolation: Isolation = 'read_uncommitted',
): (string | null)[] {
  return log.sync.read({ topic, partition }, 0, 1_000_000, isolation).map((r) => r.value?.toString() ?? null)
}

export const buf = (s: string): Buffer => Buffer.from(s)

const childPath = fileURLToPath(new URL('./fixtures/crash-child.ts', import.meta.url))
const packageDir = fileURLToPath(new URL('../../../', import.meta.url))

/**
 * Runs fixtures/crash-child.ts on `dir` with `scenario`. Resolves with how the child ended:
 * children that print "ready" are SIGKILLed by us; others kill themselves.
 */
export function runCrashChild(dir: string, scenario: string): Promise<NodeJS.Signals | number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', childPath, dir, scenario], {
      cwd: packageDir,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (out.includes('ready')) child.kill('SIGKILL')
    })
    child.on('error', reject)
    child.on('exit', (code, signal) => resolve(signal ?? code))
  })
}

/** File name of a partition's first segment (base offset 0). */
export const FIRST_SEGMENT = '00000000000000000000.log'
