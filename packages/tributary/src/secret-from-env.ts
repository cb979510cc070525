import { readFileSync } from 'node:fs'
import { TributaryError } from './errors.ts'

type Env = Readonly<Record<string, string | undefined>>

/**
 * A secret setting: `<NAME>_FILE` (a path; the file's content, one trailing newline dropped, as
 * Docker and Kubernetes secrets are mounted) or else `<NAME>` itself; undefined when neither is set.
 * Setting both is refused, so it is never a guess which one applies. Errors name the variable and
 * the path, never the value.
 */
export function secretFromEnv(env: Env, name: string): string | undefined {
  const path = env[`${name}_FILE`]
  const value = env[name]
  if (path !== undefined && path !== '') {
    if (value !== undefined && value !== '')
      throw new TributaryError('CONFIG', `set ${name} or ${name}_FILE, not both`)
    try {
      return readFileSync(path, 'utf8').replace(/\r?\n$/, '')
    } catch (err) {
      const reason = (err as NodeJS.ErrnoException).code ?? 'unreadable'
      throw new TributaryError('CONFIG', `${name}_FILE: cannot read '${path}' (${reason})`)
    }
  }
  return value === '' ? undefined : value
}
