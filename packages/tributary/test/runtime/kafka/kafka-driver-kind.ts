import { after, before } from 'node:test'
import type { KafkaLog } from 'tributary-streams/kafka'
import { logDriver, type DriverKind } from '../../drivers/driver-kinds.ts'
import { connectKafka } from './kafka-helpers.ts'

/** A StreamsApp (exactly-once) on the test broker, each driver in a namespace of its own, all on
 *  one connection opened before the file's tests and closed after them. */
export function kafkaDriverKind(): DriverKind {
  let log: KafkaLog | undefined
  before(async () => {
    log = await connectKafka()
  })
  after(() => log?.close())
  return logDriver('StreamsApp on Kafka', () => log!)
}
