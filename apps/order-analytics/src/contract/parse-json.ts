/**
 * A raw record value as read from a topic: its text, and its JSON when the text parses. Parsing
 * happens once, in the source serde, so that the timestamp extractor and the validators share it.
 */
export interface RawValue {
  /** The value as UTF-8 text; null for a null (tombstone) value. */
  readonly text: string | null
  /** true when `text` is valid JSON; `json` is then its value. */
  readonly parsed: boolean
  readonly json: unknown
  /** Set when `text` is base64 of binary bytes (Avro), not UTF-8 text. */
  readonly encoding?: 'base64'
  /** Why the bytes could not be decoded, as an orders-dlq reason (`invalid-avro: ...`); absent for JSON. */
  readonly error?: string
  /** Set when `text` was dropped because it may hold personal data that cannot be masked. */
  readonly withheld?: true
}

export function parseRaw(text: string | null): RawValue {
  if (text === null) return { text, parsed: false, json: undefined }
  try {
    return { text, parsed: true, json: JSON.parse(text) as unknown }
  } catch {
    return { text, parsed: false, json: undefined }
  }
}

export const isObject = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x)
