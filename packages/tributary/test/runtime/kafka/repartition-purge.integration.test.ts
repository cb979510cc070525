import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, describe, it } from 'node:test'
import { Serdes, StreamsApp, StreamsBuilder } from 'tributary-streams'
import type { KafkaAdmin } from '../../../src/log/kafka/kafka-admin.ts'
import { connectKafka, readTopic, silent, unique, until } from './kafka-helpers.ts'

const str = Serdes.string()
const num = Serdes.number()
const TOPIC_RESOURCE = 2

describe('repartition topics on Kafka', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-kafka-purge-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  it('keep records of any event time until consumed (retention.ms -1), then the app deletes them', async () => {
    const log = await connectKafka()
    const id = unique('purge')
    const [input, output] = [`${id}-in`, `${id}-out`]
    const repartition = `${id}-by-first-letter-repartition`
    try {
      await log.admin.createTopics([
        { name: input, partitions: 2 },
        { name: output, partitions: 2 },
      ])
      const builder = new StreamsBuilder()
      builder
        .stream(input, { key: str, value: num })
        .groupBy((k) => k.charAt(0), { key: str, value: num, name: 'by-first-letter' })
        .count({ name: 'counts' })
        .toStream()
        .to(output, { key: str, value: num })
      const app = new StreamsApp(builder.build(), {
        applicationId: id,
        dataDir: dir,
        log,
        processingGuarantee: 'exactly-once',
        commitIntervalMs: 50,
        repartitionPurgeIntervalMs: 0,
        logger: silent,
      })
      await app.start()
      const producer = await log.producer()
      // Event times in 1970: a repartition topic with the broker's 7-day retention may drop them.
      const keys = ['a1', 'a2', 'b1', 'a3', 'b2', 'c1']
      await producer.send(
        keys.map((k, i) => ({
          topic: input,
          key: str.serialize(k, ''),
          value: num.serialize(i, ''),
          timestamp: 1_000 + i,
        })),
      )
      await producer.close()
      const counts = async () => {
        const last = new Map<string, number>()
        for (const r of await readTopic(log, output)) last.set(r.key!.toString(), r.value!.readDoubleBE(0))
        return last
      }
      await until(async () => (await counts()).get('a') === 3, 'the counts', 30_000)
      assert.deepEqual(
        await counts(),
        new Map([
          ['a', 3],
          ['b', 2],
          ['c', 1],
        ]),
      )

      const partitions = [0, 1].map((partition) => ({ topic: repartition, partition }))
      await until(
        async () => {
          const [begin, end] = [
            await log.admin.beginningOffsets(partitions),
            await log.admin.endOffsets(partitions),
          ]
          // Purged up to the committed offset: at most the last commit marker is left.
          return (
            begin.every((b, i) => b.offset > 0 || end[i]!.offset === 0) && begin.some((b) => b.offset > 0)
          )
        },
        'consumed repartition records to be deleted',
        30_000,
      )
      // Idle, the app has committed its inputs to their ends, past the commit markers that
      // follow its own transactional writes to the repartition topic: no lag of 1 when idle.
      const inputs = [0, 1].map((partition) => ({ topic: input, partition }))
      await until(
        async () => {
          const tps = [...partitions, ...inputs]
          const ends = await log.admin.endOffsets(tps, 'read_committed')
          const committed = await log.admin.committedOffsets(id, tps)
          const at = (e: (typeof ends)[number]) =>
            committed.find((c) => c.topic === e.topic && c.partition === e.partition)?.offset
          return ends.every((e) => at(e) === e.offset || e.offset === 0) // empty: nothing to commit
        },
        'committed offsets at the ends',
        30_000,
      )
      await app.close()

      const [described] = await (log.admin as KafkaAdmin).client.describeConfigs({
        resources: [
          { resourceType: TOPIC_RESOURCE, resourceName: repartition, configurationKeys: ['retention.ms'] },
        ],
      })
      assert.equal(described!.configs.find((c) => c.name === 'retention.ms')?.value, '-1')
    } finally {
      await log.close()
    }
  })
})
