/** A time window [start, end): start inclusive, end exclusive, ms since epoch. Session windows are
 *  [start, end] with both ends inclusive (the first and last record times), as in Kafka Streams. */
export interface TimeWindow {
  readonly start: number
  readonly end: number
}

/** The key of a windowed aggregate: the grouping key and its window. */
export interface Windowed<K> {
  readonly key: K
  readonly window: TimeWindow
}
