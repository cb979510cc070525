import { TimestampedKeyValueStore } from '../state/timestamped-key-value-store.ts'

/** What `getKeyValueStore` hands out: a timestamped store as its plain values, any other store as it is. */
export const plainValues = (store: unknown): unknown =>
  store instanceof TimestampedKeyValueStore ? store.plainValues() : store
