// The public surface of `tributary-streams/kafka`: the Log on Apache Kafka.
export { KafkaLog } from './kafka-log.ts'
export type { KafkaLogOptions } from './client-settings.ts'
