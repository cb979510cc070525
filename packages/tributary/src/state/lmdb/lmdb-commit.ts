import { constants } from 'node:os'
import type { RootDatabase } from 'lmdb'
import { TributaryError } from '../../errors.ts'
import { storageAdvice } from '../../storage-error.ts'
import { mapGrowthFailure, type LmdbStoreFile } from './map-size.ts'

/** How long a failed commit waits for lmdb's detailed error before reporting without it. */
const DETAIL_WAIT_MS = 1000

/**
 * Runs `body` as one lmdb write transaction of the store `env` in `store.dir`. A commit that
 * fails (a full, failing or read-only disk) rejects with code STATE naming the directory and the
 * errno; its cause carries `code` and `path` as a node:fs error would (see storageErrorOf), so
 * the runtime stops on it as on any storage error. The store itself is left at its previous commit (lmdb commits all or nothing).
 *
 * Why a wrapper: lmdb rejects the transaction with a generic "Commit failed" error and puts the
 * real one on a second promise (`commitError`) that nobody handles, which would end the process
 * with an unhandled rejection naming nothing. Here it is always handled.
 */
export async function lmdbCommit(store: LmdbStoreFile, env: RootDatabase, body: () => void): Promise<void> {
  const { dir } = store
  try {
    await env.transaction(body)
  } catch (err) {
    const detail = await commitErrorOf(err)
    const code = (detail as { code?: unknown } | undefined)?.code
    const errno =
      typeof code === 'string'
        ? code
        : (Object.entries(constants.errno).find(([, n]) => n === code)?.[0] ?? 'error')
    const message = detail instanceof Error ? detail.message : String(err)
    const cause = Object.assign(new Error(`${errno}: ${message}`, { cause: detail ?? err }), {
      code: errno,
      path: dir,
    })
    throw new TributaryError(
      'STATE',
      `writing the state store in ${dir} failed (${errno}: ${message}); ` +
        `${mapGrowthFailure(store, code) ?? storageAdvice(errno)}, ` +
        `then restart: the store resumes from its last commit and its changelog`,
      { cause },
    )
  }
}

/** lmdb's detailed error behind a failed commit (handled, so it never goes unhandled), if any. */
async function commitErrorOf(err: unknown): Promise<unknown> {
  const pending = (err as { commitError?: unknown } | undefined)?.commitError
  if (!(pending instanceof Promise)) return err
  let timer: NodeJS.Timeout | undefined
  const detail = await Promise.race([
    pending.then(
      () => undefined,
      (e: unknown) => e,
    ),
    new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), DETAIL_WAIT_MS))),
  ])
  clearTimeout(timer)
  return detail ?? err
}
