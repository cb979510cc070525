/** Structured logger the library writes to. Pass your own (e.g. a pino instance) to the runtime. */
export interface Logger {
  debug(fields: object, message: string): void
  info(fields: object, message: string): void
  warn(fields: object, message: string): void
  error(fields: object, message: string): void
}

const levels = ['debug', 'info', 'warn', 'error', 'silent'] as const
type Level = (typeof levels)[number]

/** JSON lines on stderr at `TRIBUTARY_LOG_LEVEL` (default warn). */
export function consoleLogger(
  level: Level = (process.env['TRIBUTARY_LOG_LEVEL'] as Level | undefined) ?? 'warn',
): Logger {
  const min = levels.indexOf(level)
  const at =
    (name: Level) =>
    (fields: object, message: string): void => {
      if (levels.indexOf(name) >= min)
        process.stderr.write(JSON.stringify({ level: name, time: Date.now(), message, ...fields }) + '\n')
    }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}
