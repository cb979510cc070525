import type { Log } from '../log/log.ts'

/** The log a StreamsApp uses when none is configured: a durable embedded log in `dir`. */
export async function openDefaultLog(dir: string): Promise<Log> {
  const { EmbeddedLog } = await import('../log/embedded/embedded-log.ts')
  return EmbeddedLog.open({ dataDir: dir })
}
