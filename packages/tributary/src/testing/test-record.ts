import type { Headers } from '../record.ts'

/** A record as tests write and read it. */
export interface TestRecord<K, V> {
  readonly key: K
  readonly value: V
  readonly timestamp: number
  readonly headers: Headers
}
