/** Counters one task keeps; the runtime sums them across tasks. */
export interface TaskMetrics {
  processed: number
  skippedDeserialization: number
  skippedProcessing: number
  deadLettered: number
  invalidTimestamps: number
  punctuations: number
}

export const newTaskMetrics = (): TaskMetrics => ({
  processed: 0,
  skippedDeserialization: 0,
  skippedProcessing: 0,
  deadLettered: 0,
  invalidTimestamps: 0,
  punctuations: 0,
})
