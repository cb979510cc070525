import { TributaryError, isTributaryError, type ErrorCode } from '../../errors.ts'
import { accessProblem } from './kafka-access-errors.ts'

/** Kafka protocol error ids (as @platformatic/kafka names them) that mean "a newer producer took over". */
const FENCED_IDS = ['PRODUCER_FENCED', 'INVALID_PRODUCER_EPOCH']
/** Protocol error ids of a transaction used out of order or aborted by the coordinator. */
const TRANSACTION_IDS = ['INVALID_TXN_STATE', 'TRANSACTION_ABORTABLE', 'INVALID_PRODUCER_ID_MAPPING']

/**
 * The Kafka protocol error ids (`UNKNOWN_TOPIC_OR_PARTITION`, `PRODUCER_FENCED`, ...) found anywhere
 * in an error from @platformatic/kafka: its `apiId`, nested `errors` and `cause` chain.
 */
export function protocolErrorIds(err: unknown): Set<string> {
  const ids = new Set<string>()
  const seen = new Set<unknown>()
  const visit = (e: unknown): void => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return
    seen.add(e)
    const apiId = (e as { apiId?: unknown }).apiId
    if (typeof apiId === 'string') ids.add(apiId)
    const nested = (e as { errors?: unknown }).errors
    if (Array.isArray(nested)) nested.forEach(visit)
    visit((e as { cause?: unknown }).cause)
  }
  visit(err)
  return ids
}

export const hasProtocolError = (err: unknown, ...ids: string[]): boolean => {
  const found = protocolErrorIds(err)
  return ids.some((id) => found.has(id))
}

/** The most specific message in the chain: the broker's, else the deepest cause's. */
function describe(err: unknown): string {
  const parts: string[] = []
  const seen = new Set<unknown>()
  const visit = (e: unknown): void => {
    if (e === null || typeof e !== 'object' || seen.has(e)) return
    seen.add(e)
    const message = (e as { message?: unknown }).message
    const server = (e as { serverErrorMessage?: unknown }).serverErrorMessage
    const apiId = (e as { apiId?: unknown }).apiId
    if (typeof apiId === 'string')
      parts.push(typeof server === 'string' && server ? `${apiId}: ${server}` : apiId)
    else if (typeof message === 'string' && parts.length === 0) parts.push(message)
    const nested = (e as { errors?: unknown }).errors
    if (Array.isArray(nested)) nested.forEach(visit)
    visit((e as { cause?: unknown }).cause)
  }
  visit(err)
  return [...new Set(parts)].join('; ') || String(err)
}

/**
 * Turns an error from @platformatic/kafka into a TributaryError: AUTH for a refused certificate,
 * login or ACL (the message says what to fix or grant: see accessProblem), FENCED for a fenced
 * producer, TRANSACTION for a transaction in a wrong state, otherwise `fallback` (LOG). `what` says which
 * operation failed (and names the topic where one is involved, so callers can see it). A
 * TributaryError passes through unchanged.
 */
export function toTributaryError(err: unknown, what: string, fallback: ErrorCode = 'LOG'): TributaryError {
  if (isTributaryError(err)) return err
  const access = accessProblem(err)
  if (access !== undefined) return new TributaryError('AUTH', `${what}: ${access}`, { cause: err })
  const ids = protocolErrorIds(err)
  const code: ErrorCode = FENCED_IDS.some((id) => ids.has(id))
    ? 'FENCED'
    : TRANSACTION_IDS.some((id) => ids.has(id))
      ? 'TRANSACTION'
      : fallback
  return new TributaryError(code, `${what}: ${describe(err)}`, { cause: err })
}

/** Runs `fn`, rethrowing its failure as a TributaryError (see toTributaryError). */
export async function mapErrors<T>(
  what: string,
  fn: () => Promise<T>,
  fallback: ErrorCode = 'LOG',
): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    throw toTributaryError(err, what, fallback)
  }
}
