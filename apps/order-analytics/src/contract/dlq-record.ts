/** A value on orders-dlq (UTF-8 JSON): why a raw record was rejected and where it came from. */
export interface DlqRecord {
  readonly reason: string
  readonly topic: string
  readonly partition: number
  readonly offset: number
  /** The raw key as UTF-8 text; null for a null key. */
  readonly key: string | null
  /** The raw value as UTF-8 text (base64 when `value_encoding` says so); null for a null value. */
  readonly value: string | null
  /** `base64` for a binary raw value (ORDERS_FORMAT=avro); absent for UTF-8 text. */
  readonly value_encoding?: 'base64'
  /** true when `value` is null because the raw value was withheld: an unreadable users-raw record
   *  may hold personal data that cannot be masked (see topology/mask-users.ts). */
  readonly value_withheld?: true
}
