import { createHmac } from 'node:crypto'
import { TributaryError } from '../errors.ts'

/**
 * Which fields of a value to mask, by path: dot-separated property names (`payload.email`), where
 * `*` stands for every property of an object or every element of an array (`items.*.email`).
 * A path that does not exist in a value is no error: there is nothing to mask.
 */
export interface FieldMask {
  /** Fields replaced by the hex HMAC-SHA256 of their value under `key`: the same value gives the
   *  same digest in every run and process with the same key (so they still join, group and
   *  count), and it cannot be reversed or recomputed without the key. */
  readonly hmac?: readonly string[]
  /** Fields replaced by the string `[redacted]`. */
  readonly redact?: readonly string[]
  /** The HMAC key (at least 16 bytes), e.g. from a secret file; required with `hmac`. */
  readonly key?: string | Uint8Array
}

export const REDACTED = '[redacted]'

/**
 * A function that returns its argument with the fields of `mask` masked. The input is never
 * changed: objects and arrays on a masked path are copied, the rest is shared. Strings are hashed
 * as their UTF-8 text, other values as their JSON; null and undefined stay as they are (there is
 * nothing to hide, and a consumer can still tell a missing field from a present one).
 */
export function fieldMasker(mask: FieldMask): <T>(value: T) => T {
  const hmac = (mask.hmac ?? []).map((p) => parsePath(p, 'hmac'))
  const redact = (mask.redact ?? []).map((p) => parsePath(p, 'redact'))
  const key = hmac.length === 0 ? undefined : checkKey(mask.key)
  const digest = (v: unknown): string =>
    createHmac('sha256', key!)
      .update(typeof v === 'string' ? v : JSON.stringify(v))
      .digest('hex')
  return <T>(value: T): T => {
    let out: unknown = value
    for (const path of hmac) out = replaceAt(out, path, 0, digest)
    for (const path of redact) out = replaceAt(out, path, 0, () => REDACTED)
    return out as T
  }
}

function parsePath(path: string, option: string): readonly string[] {
  const segments = typeof path === 'string' ? path.split('.') : []
  if (segments.length === 0 || segments.some((s) => s === ''))
    throw new TributaryError('CONFIG', `mask.${option}: '${String(path)}' is not a path like payload.email`)
  return segments
}

function checkKey(key: string | Uint8Array | undefined): Uint8Array {
  const bytes = typeof key === 'string' ? Buffer.from(key, 'utf8') : key
  if (bytes === undefined || bytes.length < 16)
    throw new TributaryError(
      'CONFIG',
      'mask.key: hmac needs a secret key of at least 16 bytes (e.g. `openssl rand -hex 32`)',
    )
  return bytes
}

/** `value` with `replace` applied at `path[at...]`, copying only what lies on the path. */
function replaceAt(
  value: unknown,
  path: readonly string[],
  at: number,
  replace: (v: unknown) => unknown,
): unknown {
  if (at === path.length) return value === null || value === undefined ? value : replace(value)
  if (typeof value !== 'object' || value === null) return value
  const segment = path[at]!
  const names = segment === '*' ? Object.keys(value) : Object.hasOwn(value, segment) ? [segment] : []
  let copy: Record<string, unknown> | unknown[] | undefined
  for (const name of names) {
    const before = (value as Record<string, unknown>)[name]
    const after = replaceAt(before, path, at + 1, replace)
    if (after === before) continue
    copy ??= Array.isArray(value) ? [...value] : { ...value }
    ;(copy as Record<string, unknown>)[name] = after
  }
  return copy ?? value
}
