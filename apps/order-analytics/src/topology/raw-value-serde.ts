import type { Serde } from 'tributary-streams'
import { parseRaw, type RawValue } from '../contract/parse-json.ts'

/**
 * Reads a raw value as text and parses it as JSON once; never throws, so a bad value reaches the
 * validators (and orders-dlq with its reason) instead of the library's deserialization handler.
 */
export const rawValueSerde: Serde<RawValue> = {
  serialize: (value) => Buffer.from(value.text ?? '', 'utf8'),
  deserialize: (bytes) => parseRaw(bytes.toString('utf8')),
}
