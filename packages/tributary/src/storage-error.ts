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

/**
 * What to do about a failed file-system call, by its errno: the one place where storage failure
 * messages (the embedded log's, the state stores') get their advice, so each names its real
 * cause (a full disk is not a missing permission, and too many open files is neither).
 */
export function storageAdvice(errno: string | undefined): string {
  switch (errno) {
    case 'ENOSPC':
      return 'the disk is full: free space'
    case 'EDQUOT':
      return 'the disk quota is used up: free space or raise the quota'
    case 'EIO':
      return 'the disk failed to read or write: check the device (dmesg) and free space (some stores report a full disk as EIO)'
    case 'EROFS':
      return 'the file system is read-only: remount it read-write'
    case 'EMFILE':
      return 'too many open files; raise the limit (ulimit -n)'
    case 'ENFILE':
      return 'too many open files on this system; raise the limit (sysctl fs.file-max) or close other programs'
    case 'EACCES':
    case 'EPERM':
      return 'permission denied: give this user read and write access to the data directory'
    case 'ENOENT':
    case 'ENOTDIR':
      return 'a file or directory is missing: was the data directory moved or deleted?'
    case 'ENOMEM':
      return 'out of memory: give the process more memory'
    default:
      return 'fix the cause'
  }
}
