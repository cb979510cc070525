/** Structured logger the library writes to. Pass your own (e.g. a pino instance) to the runtime. */
export interface Logger {
  debug(fields: object, message: string): void
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

const ignore = (): void => undefined

/**
 * What the library logs to when it is given no logger: nothing. The library never prints on its
 * own; an application passes its logger (metrics still count what would have been logged, e.g.
 * late and skipped records).
 */
export const silentLogger: Logger = { debug: ignore, info: ignore, warn: ignore, error: ignore }
