import { execFileSync } from 'node:child_process'
import { join } from 'node:path'

export interface CaseResult {
  readonly recordsPerSec: number
  readonly peakRssMb: number
}

/** Runs one bench case script in a fresh Node process (so its peak RSS is its own); returns its JSON line. */
export function runCase(script: string, args: readonly string[]): CaseResult {
  const out = execFileSync(
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, script), ...args],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  )
  return JSON.parse(out.trim().split('\n').pop()!) as CaseResult
}
