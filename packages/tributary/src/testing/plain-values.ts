import { TimestampedKeyValueStore } from '../state/timestamped-key-value-store.ts'
import { TimestampedWindowStore } from '../state/window/timestamped-window-store.ts'

/** What `getKeyValueStore` and `getWindowStore` hand out: a timestamped store as its plain values,
 *  any other store as it is. */
export const plainValues = (store: unknown): unknown =>
  store instanceof TimestampedKeyValueStore || store instanceof TimestampedWindowStore
    ? store.plainValues()
    : store
