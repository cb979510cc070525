import { TributaryError } from '../errors.ts'

/** The transactional id of a producer, or a TRANSACTION error naming `call` when it has none. */
export function requireTransactionalId(transactionalId: string | undefined, call: string): string {
  if (transactionalId === undefined) {
    throw new TributaryError('TRANSACTION', `${call} needs a producer created with a transactionalId`)
  }
  return transactionalId
}

/** The open transaction of producer `id`, or a TRANSACTION error naming `call` when none is open. */
export function requireOpenTransaction<T>(id: string, txn: T | null, call: string): T {
  if (txn === null)
    throw new TributaryError('TRANSACTION', `producer ${id}: ${call} without beginTransaction`)
  return txn
}
