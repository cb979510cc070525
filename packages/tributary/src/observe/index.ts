// The public surface of `tributary-streams/observe`: Prometheus exposition (prom-client) and lag.
export { registerStreamsMetrics, type StreamsMetricsSource } from './streams-metrics.ts'
export { registerSinkMetrics } from './sink-metrics.ts'
export { registerLagMetrics, type LagSource } from './lag-metrics.ts'
export { groupLag, type GroupPartitionLag } from './group-lag.ts'
