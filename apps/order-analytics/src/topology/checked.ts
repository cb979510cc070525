import type { RawValue } from '../contract/parse-json.ts'
import type { Validation } from '../contract/validate-order.ts'

/** A raw record after validation: its accepted value, or why it was rejected with the raw value. */
export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly reason: string; readonly raw: RawValue }

/**
 * Null values (tombstones) arrive as null and are validated like the text "null" is not: as invalid
 * JSON. A value the source serde could not decode (Avro) is rejected with its decoding error.
 */
export function check<T>(raw: RawValue | null, validate: (raw: RawValue) => Validation<T>): Checked<T> {
  const value: RawValue = raw ?? { text: null, parsed: false, json: undefined }
  if (value.error !== undefined) return { ok: false, reason: value.error, raw: value }
  const result = validate(value)
  return result.ok ? result : { ok: false, reason: result.reason, raw: value }
}
