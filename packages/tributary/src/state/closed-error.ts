import { TributaryError } from '../errors.ts'

/** The error every store method throws after `close()`. */
export const closedError = (what: string): TributaryError => new TributaryError('CLOSED', `${what} is closed`)
