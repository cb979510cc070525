import type { ScanStop } from './frame.ts'
import { confirmDamage } from './frame-resync.ts'
import { quarantine } from './quarantine.ts'
import { refusal, reportProblem, type StorageContext } from './storage-context.ts'
import { attempt } from './storage-failure.ts'

/** Where scanning a file's frames stopped short of its end (see readFrames). */
export interface DamagedScan {
  readonly validEnd: number
  readonly stop: Exclude<ScanStop, 'end'>
  readonly size: number
}

/** How a file's frames are recognised, and how its owner words the damage. */
export interface FrameKind {
  /** Bodies shorter than this are never taken for intact frames. */
  readonly minBodyBytes: number
  /** Whether a checksummed body is one this file could hold next. */
  readonly probe: (body: Buffer) => boolean
  /** What the file's frames hold, e.g. 'records'. */
  readonly holds: string
  /** What cutting a damaged tail off loses. */
  readonly lost: string
}

/**
 * Cuts off what follows the intact frames of a file being opened (`validEnd`, descriptor `fd`
 * open for writing), once two reads agree on it (confirmDamage): a torn tail silently, a damaged
 * tail into quarantine with a `recovered-with-loss` report. Damage followed by intact frames
 * refuses (CORRUPT, naming the file and the repair command), since cutting there would drop
 * acknowledged data. The cut is synced before this returns: the file is appended to next, and
 * an unsynced cut could let a crash bring the damaged bytes back behind the new frames.
 */
export function cutDamage(
  ctx: StorageContext,
  path: string,
  fd: number,
  scan: DamagedScan,
  kind: FrameKind,
): void {
  const { fs } = ctx
  const { validEnd, stop, size } = scan
  const damage = attempt(path, 'read', () =>
    confirmDamage(fs, fd, size, validEnd, stop, kind.minBodyBytes, kind.probe),
  )
  if (damage.kind === 'middle') {
    throw refusal(
      ctx,
      path,
      `bytes ${validEnd}-${damage.next} are damaged (checksum mismatch) and intact ${kind.holds} follow at byte ${damage.next}`,
    )
  }
  if (damage.kind === 'tail') {
    const copy = quarantine(ctx, path, fd, validEnd, size)
    reportProblem(
      ctx,
      'recovered-with-loss',
      path,
      `${path}: ${size - validEnd} damaged bytes at the end (from byte ${validEnd}) were cut off ` +
        `and kept in ${copy}; ${kind.lost}`,
    )
  }
  attempt(path, 'truncate', () => fs.ftruncateSync(fd, validEnd))
  attempt(path, 'fsync', () => fs.fdatasyncSync(fd))
}
