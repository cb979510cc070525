/** The closed list of failure kinds. Callers branch on `code`, never on message text. */
export type ErrorCode =
  | 'CONFIG' // a setting is missing or invalid; the message names the key and the fix
  | 'SERDE' // bytes could not be (de)serialized
  | 'LOG' // the log refused an operation (unknown topic, bad partition, closed client)
  | 'AUTH' // the broker refused who we are (TLS, SASL) or what we asked (an ACL); the message names the fix
  | 'CORRUPT' // stored data failed its checksum
  | 'FENCED' // a newer producer with the same transactional id took over
  | 'TRANSACTION' // a transaction call out of order, or a transaction aborted
  | 'STATE' // a state store failed or was used outside its task
  | 'TOPOLOGY' // the topology is invalid (detected when it is built)
  | 'PROCESSING' // user code threw while processing a record
  | 'CLOSED' // the component was already closed

export class TributaryError extends Error {
  readonly code: ErrorCode

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TributaryError'
    this.code = code
  }
}

export const isTributaryError = (err: unknown, code?: ErrorCode): err is TributaryError =>
  err instanceof TributaryError && (code === undefined || err.code === code)
