import type { Serde } from 'tributary-streams'
import type { AppAvroSerdes } from '../contract/avro/registry.ts'
import type { RawValue } from '../contract/parse-json.ts'
import type { RawValueSerdes } from './options.ts'

/**
 * Reads a raw value as Avro in the registry wire format (ORDERS_FORMAT=avro), in place of JSON
 * parsing: the decoded record becomes `json`, which the validators check as they check parsed JSON.
 * Never throws: bytes the Avro serde refuses (wrong magic byte, unknown schema id, truncated or
 * trailing bytes, a writer schema the reader cannot resolve) give `error: 'invalid-avro: <why>'`,
 * so the record reaches orders-dlq with its reason, topic, partition and offset instead of the
 * library's deserialization handler. `text` is the raw bytes in base64 (the DLQ's `value`).
 */
export function avroRawValueSerde(serde: Serde<unknown>): Serde<RawValue> {
  return {
    serialize: (value, topic) =>
      value.parsed
        ? serde.serialize(value.json, topic)
        : Buffer.from(value.text ?? '', value.encoding === 'base64' ? 'base64' : 'utf8'),
    deserialize(bytes, topic) {
      const text = bytes.toString('base64')
      try {
        return { text, encoding: 'base64', parsed: true, json: serde.deserialize(bytes, topic) }
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err)
        return { text, encoding: 'base64', parsed: false, json: undefined, error: `invalid-avro: ${why}` }
      }
    },
  }
}

/** The topology's `rawValues` for ORDERS_FORMAT=avro. */
export const avroRawValueSerdes = (serdes: AppAvroSerdes): RawValueSerdes => ({
  users: avroRawValueSerde(serdes.users as Serde<unknown>),
  orders: avroRawValueSerde(serdes.orders as Serde<unknown>),
})
