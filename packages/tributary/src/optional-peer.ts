import { TributaryError } from './errors.ts'

/**
 * Optional peer dependencies: the heavy integrations (the Kafka client, pg, PGlite, avsc, ajv)
 * are installed by the apps that use them, not with the library. A module that needs one loads
 * it through here, so a missing package becomes one line that names it, not a resolver trace.
 */

/** The package a Node resolution error says it cannot find is `name` (or a file inside it). */
const isMissing = (err: unknown, name: string): boolean =>
  (err as { code?: unknown } | null)?.code === 'ERR_MODULE_NOT_FOUND' &&
  String((err as Error).message).includes(`'${name}`)

const missingError = (name: string, usedBy: string, cause: unknown): TributaryError =>
  new TributaryError('CONFIG', `${usedBy} needs the package ${name}: npm install ${name}`, { cause })

/** Runs `load` (an `import()` whose module graph needs `name`); fails with CONFIG when it is missing. */
export async function importPeer<T>(name: string, usedBy: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load()
  } catch (err) {
    throw isMissing(err, name) ? missingError(name, usedBy, err) : err
  }
}

/**
 * As importPeer, for a module that works without the package until a feature needs it: resolves
 * with a getter that returns the module, or throws the CONFIG error when called.
 */
export async function optionalPeer<T>(
  name: string,
  usedBy: string,
  load: () => Promise<T>,
): Promise<() => T> {
  try {
    const loaded = await load()
    return () => loaded
  } catch (err) {
    if (!isMissing(err, name)) throw err
    return () => {
      throw missingError(name, usedBy, err)
    }
  }
}
