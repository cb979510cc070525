/**
 * Counters the topology keeps as it processes, for the dashboard and /metrics (the library's own
 * counters, e.g. late records, are in `StreamsApp.metrics()`). They count processing, not commits:
 * after a crash the records reprocessed since the last commit are counted again.
 */
export class PipelineMetrics {
  ordersAccepted = 0
  /** OrderPlaced records ignored because their order_id was already accepted. */
  duplicates = 0
  /** Accepted orders whose user was not in the users table when they were joined. */
  unknownUsers = 0
  usersAccepted = 0
  /** Records written to orders-dlq, in total and per reason code (`missing-field`, ...). */
  deadLettered = 0
  readonly deadLetteredByReason: Record<string, number> = {}
  windowsClosed = 0
  anomalies = 0

  recordDeadLetter(reason: string): void {
    this.deadLettered++
    const code = reason.split(':', 1)[0]!
    this.deadLetteredByReason[code] = (this.deadLetteredByReason[code] ?? 0) + 1
  }

  snapshot(): Readonly<Omit<PipelineMetrics, 'recordDeadLetter' | 'snapshot'>> {
    return { ...this, deadLetteredByReason: { ...this.deadLetteredByReason } }
  }
}
