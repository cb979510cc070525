/**
 * A failed write, sync or read of local storage: a disk that is full (ENOSPC, EDQUOT), failing
 * (EIO) or read-only (EROFS). Retrying such a call at once cannot help and, on the embedded log,
 * cannot even work (it stops at the first one, see StorageFailure): the runtime, the sinks and the
 * app stop on it with the error naming the path, and resume from what is durable after a restart.
 */
export interface StorageError {
  /** The errno code: ENOSPC, EDQUOT, EIO or EROFS. */
  readonly errno: string
  /** The file or directory concerned, when the error names one. */
  readonly path: string | undefined
}

const STORAGE_ERRNOS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EROFS'])

/** The storage error behind `err` (itself or along its `cause` chain), or undefined. */
export function storageErrorOf(err: unknown): StorageError | undefined {
  let path: string | undefined
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 10; depth++) {
    const { code, path: at, cause } = e as { code?: unknown; path?: unknown; cause?: unknown }
    if (path === undefined && typeof at === 'string') path = at
    if (typeof code === 'string' && STORAGE_ERRNOS.has(code)) return { errno: code, path }
    e = cause
  }
  return undefined
}
