import { TributaryError } from '../../errors.ts'
import type { StorageProblemKind, StorageProblems } from '../../storage-problems.ts'
import type { StorageFs } from './storage-fs.ts'

/** What the files of a durable log need besides their path: I/O, and where to report damage. */
export interface StorageContext {
  readonly fs: StorageFs
  readonly problems: StorageProblems
  readonly warn: (message: string) => void
  /** The data directory, named in the repair command of every refusal. */
  readonly dataDir: string
}

/** Reports a problem an operator must see: to `problems` (health endpoints) and as a warning. */
export function reportProblem(
  ctx: StorageContext,
  kind: StorageProblemKind,
  path: string,
  message: string,
): void {
  ctx.problems.report(kind, path, message)
  ctx.warn(`tributary: ${message}`)
}

export const repairCommand = (dataDir: string): string => `tributary log repair --data-dir ${dataDir}`

/** The error recovery fails with when opening would lose data: names the file, the damage and the fix. */
export function refusal(ctx: StorageContext, path: string, damage: string): TributaryError {
  return new TributaryError(
    'CORRUPT',
    `${path}: ${damage}. The embedded log refuses to start rather than lose data; ` +
      `\`tributary log check --data-dir ${ctx.dataDir}\` lists the damage and ` +
      `\`${repairCommand(ctx.dataDir)}\` sets damaged bytes aside, keeps every intact record and reports what was lost`,
  )
}
