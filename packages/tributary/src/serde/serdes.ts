import { TributaryError } from '../errors.ts'
import type { Serde } from './serde.ts'

const fail = (what: string, bytes: Buffer, cause?: unknown): never => {
  throw new TributaryError('SERDE', `cannot read ${what} from ${bytes.length} bytes`, { cause })
}

const string: Serde<string> = {
  serialize: (value) => Buffer.from(value, 'utf8'),
  deserialize: (bytes) => bytes.toString('utf8'),
}

/** IEEE-754 double, 8 bytes big-endian. Exact for integers up to 2^53. */
const number: Serde<number> = {
  serialize: (value) => {
    const out = Buffer.allocUnsafe(8)
    out.writeDoubleBE(value)
    return out
  },
  deserialize: (bytes) => (bytes.length === 8 ? bytes.readDoubleBE(0) : fail('a double', bytes)),
}

/** Signed 64-bit integer, big-endian: the wire format of Kafka's LongSerializer. */
const long: Serde<bigint> = {
  serialize: (value) => {
    const out = Buffer.allocUnsafe(8)
    out.writeBigInt64BE(value)
    return out
  },
  deserialize: (bytes) => (bytes.length === 8 ? bytes.readBigInt64BE(0) : fail('a long', bytes)),
}

const bytes: Serde<Buffer> = {
  serialize: (value) => value,
  deserialize: (value) => value,
}

/** UTF-8 JSON. The type parameter is trusted, not checked: use a schema serde to validate. */
const json = <T>(): Serde<T> => ({
  serialize: (value) => Buffer.from(JSON.stringify(value), 'utf8'),
  deserialize: (raw) => {
    try {
      return JSON.parse(raw.toString('utf8')) as T
    } catch (err) {
      return fail('JSON', raw, err)
    }
  },
})

export const Serdes = {
  string: (): Serde<string> => string,
  number: (): Serde<number> => number,
  long: (): Serde<bigint> => long,
  bytes: (): Serde<Buffer> => bytes,
  json,
}
