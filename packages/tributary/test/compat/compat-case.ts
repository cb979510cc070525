import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

/** [topic, key, value, timestamp] piped in, or wall-clock time advanced by `advance` ms. */
export type CaseStep = readonly [string, string | null, string | null, number] | { readonly advance: number }

/** A named input sequence for a named topology (cases/*.json; read by both runners). */
export interface CompatCase {
  readonly name: string
  readonly topology: string
  readonly steps: readonly CaseStep[]
}

/**
 * A record written to "out", read after step `step`; or the step that threw (`error`: a
 * description, compared only for presence).
 */
export type CaseOutput =
  | { readonly step: number; readonly key: string | null; readonly value: string | null; readonly ts: number }
  | { readonly step: number; readonly error: string }

export const casesDir = join(import.meta.dirname, 'cases')

export function loadCases(): CompatCase[] {
  return readdirSync(casesDir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .flatMap((f) => JSON.parse(readFileSync(join(casesDir, f), 'utf8')) as CompatCase[])
}
