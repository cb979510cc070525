import { TributaryError } from '../../errors.ts'
import { storageAdvice } from '../../storage-error.ts'

/**
 * A write, sync or read of the data directory failed (ENOSPC, EIO, EROFS, ...). The embedded log
 * stops at the first one (every later call fails with code LOG naming this path), because what
 * reached the disk is then unknown: recovery at the next start decides from what is durable.
 */
export class StorageFailure extends TributaryError {
  constructor(
    readonly path: string,
    readonly operation: string,
    cause: unknown,
  ) {
    const errno = (cause as NodeJS.ErrnoException | undefined)?.code ?? 'error'
    super(
      'LOG',
      `${operation} of ${path} failed (${errno}: ${(cause as Error | undefined)?.message ?? String(cause)}); ` +
        `${storageAdvice(errno)}. The embedded log stopped; once that is fixed, restart: recovery keeps every acknowledged record`,
      { cause },
    )
  }
}

/** Runs one file-system call, turning its failure into a StorageFailure naming `path`. */
export function attempt<T>(path: string, operation: string, call: () => T): T {
  try {
    return call()
  } catch (err) {
    if (err instanceof TributaryError) throw err
    throw new StorageFailure(path, operation, err)
  }
}
