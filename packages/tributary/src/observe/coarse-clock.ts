/**
 * A wall clock for the per-record path that reads `Date.now()` at most once per `reads` calls and
 * never across turns of the event loop: a value is reused only within the synchronous run that
 * read it (a microtask expires it), so it is never older than the processing of `reads` records
 * of one batch. Kafka Streams likewise reads the system time once per loop iteration for its
 * end-to-end latency.
 */
export function coarseClock(reads = 64, now: () => number = Date.now): () => number {
  let cached = 0
  let left = 0
  const expire = (): void => {
    left = 0
  }
  return () => {
    if (left > 0) {
      left--
      return cached
    }
    cached = now()
    left = reads - 1
    queueMicrotask(expire)
    return cached
  }
}
