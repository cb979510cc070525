/** Counters one task keeps; the runtime sums them across tasks. */
export interface TaskMetrics {
  processed: number
  skippedDeserialization: number
  skippedProcessing: number
  deadLettered: number
  invalidTimestamps: number
  lateRecords: number
  /** Records skipped for a null key or value (Kafka Streams' dropped-records, with the late,
   *  invalid-timestamp and error-policy skips counted above). */
  nullDropped: number
  punctuations: number
}

export const newTaskMetrics = (): TaskMetrics => ({
  processed: 0,
  skippedDeserialization: 0,
  skippedProcessing: 0,
  deadLettered: 0,
  invalidTimestamps: 0,
  lateRecords: 0,
  nullDropped: 0,
  punctuations: 0,
})

export function sumTaskMetrics(all: Iterable<TaskMetrics>): TaskMetrics {
  const sum = newTaskMetrics()
  for (const m of all) for (const key of Object.keys(sum) as Array<keyof TaskMetrics>) sum[key] += m[key]
  return sum
}
