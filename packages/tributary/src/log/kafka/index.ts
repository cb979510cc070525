// The public surface of `tributary-streams/kafka`: the Log on Apache Kafka. The Kafka client is an
// optional peer dependency: importing this subpath without it fails with one CONFIG line.
import { importPeer } from '../../optional-peer.ts'
import type { KafkaLog as KafkaLogClass } from './kafka-log.ts'

export const { KafkaLog } = await importPeer(
  '@platformatic/kafka',
  'tributary-streams/kafka',
  () => import('./kafka-log.ts'),
)
export type KafkaLog = KafkaLogClass
export type { KafkaLogOptions } from './client-settings.ts'
export type { KafkaSasl, KafkaTls, Secret } from './kafka-security.ts'
// Reads no Kafka client code: usable to check settings before connecting.
export { kafkaOptionsFromEnv } from './kafka-options-from-env.ts'
