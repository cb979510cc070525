import { TributaryError } from '../errors.ts'
import type { Serde } from '../serde/serde.ts'
import type { BufferedKeyValueStore } from './buffered-store.ts'
import type { KeyValue, KeyValueStore } from './key-value-store.ts'

/**
 * The store processors use: typed keys and values over a task's buffered byte store.
 *
 * Serdes get the store name as their `topic` argument and never see null: as in Kafka Streams,
 * `put(key, null)` deletes, and a null or undefined key is refused. Iteration order is that of the
 * serialized keys. A value the serde cannot read throws the serde's (SERDE) error.
 */
export class TypedKeyValueStore<K, V> implements KeyValueStore<K, V> {
  readonly name: string
  readonly #bytes: BufferedKeyValueStore
  readonly #keySerde: Serde<K>
  readonly #valueSerde: Serde<V>

  constructor(bytes: BufferedKeyValueStore, keySerde: Serde<K>, valueSerde: Serde<V>) {
    this.name = bytes.name
    this.#bytes = bytes
    this.#keySerde = keySerde
    this.#valueSerde = valueSerde
  }

  get(key: K): V | undefined {
    return this.#value(this.#bytes.get(this.#key(key)))
  }

  *range(from?: K, to?: K): Generator<KeyValue<K, V>> {
    const fromBytes = from === undefined ? undefined : this.#key(from)
    const toBytes = to === undefined ? undefined : this.#key(to)
    for (const [key, value] of this.#bytes.range(fromBytes, toBytes)) {
      yield {
        key: this.#keySerde.deserialize(key, this.name),
        value: this.#valueSerde.deserialize(value, this.name),
      }
    }
  }

  all(): Generator<KeyValue<K, V>> {
    return this.range()
  }

  approximateNumEntries(): number {
    return this.#bytes.count()
  }

  put(key: K, value: V): void {
    const bytes = value === null || value === undefined ? null : this.#valueSerde.serialize(value, this.name)
    this.#bytes.put(this.#key(key), bytes)
  }

  putIfAbsent(key: K, value: V): V | undefined {
    const keyBytes = this.#key(key)
    const previous = this.#value(this.#bytes.get(keyBytes))
    if (previous === undefined && value !== null && value !== undefined) {
      this.#bytes.put(keyBytes, this.#valueSerde.serialize(value, this.name))
    }
    return previous
  }

  delete(key: K): V | undefined {
    const keyBytes = this.#key(key)
    const previous = this.#value(this.#bytes.get(keyBytes))
    if (previous !== undefined) this.#bytes.put(keyBytes, null)
    return previous
  }

  #key(key: K): Buffer {
    if (key === null || key === undefined) {
      throw new TributaryError('STATE', `store ${this.name} does not accept a null key`)
    }
    return this.#keySerde.serialize(key, this.name)
  }

  #value(bytes: Buffer | undefined): V | undefined {
    return bytes === undefined ? undefined : this.#valueSerde.deserialize(bytes, this.name)
  }
}
