/** A value on orders-dlq (UTF-8 JSON): why a raw record was rejected and where it came from. */
export interface DlqRecord {
  readonly reason: string
  readonly topic: string
  readonly partition: number
  readonly offset: number
  /** The raw key as UTF-8 text; null for a null key. */
  readonly key: string | null
  /** The raw value as UTF-8 text; null for a null value. */
  readonly value: string | null
}
