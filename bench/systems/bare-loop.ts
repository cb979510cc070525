// The ceiling's bare client loop: @platformatic/kafka (the client under Tributary's KafkaLog)
// consuming the input, upper-casing each value and producing it, with no framework, no state and
// no transactions (autocommit, acks=1). Prints {records, seconds} once it has seen `records`.
// Usage: node --import tsx bench/systems/bare-loop.ts BROKERS INPUT OUTPUT RECORDS
import { Consumer, MessagesStreamModes, ProduceAcks, Producer } from '@platformatic/kafka'

const [brokers, input, output, count] = process.argv.slice(2) as [string, string, string, string]
const records = Number(count)
const options = { clientId: `bench-bare-${output}`, bootstrapBrokers: [brokers] }
const consumer = new Consumer({ ...options, groupId: `bench-bare-${output}` })
const producer = new Producer(options)
const stream = await consumer.consume({
  topics: [input],
  mode: MessagesStreamModes.EARLIEST,
  autocommit: 1000,
})
let seen = 0
let started = 0
let batch: Array<{ topic: string; key: Buffer; value: Buffer; partition: number }> = []
const flush = async (): Promise<void> => {
  const messages = batch
  batch = []
  if (messages.length > 0) await producer.send({ messages, acks: ProduceAcks.LEADER })
}
for await (const m of stream) {
  if (seen === 0) started = performance.now()
  batch.push({
    topic: output,
    key: m.key as Buffer,
    value: Buffer.from((m.value as Buffer).toString().toUpperCase()),
    partition: m.partition,
  })
  if (++seen % 1000 === 0) await flush()
  if (seen >= records) break
}
await flush()
console.log(JSON.stringify({ records: seen, seconds: (performance.now() - started) / 1000 }))
await stream.close().catch(() => undefined)
await Promise.allSettled([consumer.close(true), producer.close()])
process.exit(0)
