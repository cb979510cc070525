import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import type { KafkaLog } from '../../../src/log/kafka/index.ts'
import { brokers, connectKafka, unique } from '../../runtime/kafka/kafka-helpers.ts'
import { describeTopicConfigs } from './kafka-configs-tool.ts'

describe('KafkaAdmin.createTopics on a real broker', () => {
  let log: KafkaLog
  before(async () => {
    log = await connectKafka()
  })
  after(() => log.close())

  it('gives the broker every TopicConfig setting (read back with kafka-configs.sh --describe)', async () => {
    const name = unique('configs')
    await log.admin.createTopics([
      {
        name,
        partitions: 2,
        cleanupPolicy: 'compact,delete',
        retentionMs: 90_061_000,
        retentionBytes: 5_000_000,
        segmentBytes: 2 * 1024 * 1024,
        segmentMs: 3_600_000,
        deleteRetentionMs: 7_200_000,
      },
    ])
    assert.deepEqual(Object.fromEntries(await describeTopicConfigs(brokers, name)), {
      'cleanup.policy': 'compact,delete',
      'retention.ms': '90061000',
      'retention.bytes': '5000000',
      'segment.bytes': '2097152',
      'segment.ms': '3600000',
      'delete.retention.ms': '7200000',
    })
    const [described] = await log.admin.describeTopics([name])
    assert.deepEqual(described, { name, partitions: 2, cleanupPolicy: 'compact,delete' })
  })

  it('leaves settings not given to the broker defaults', async () => {
    const name = unique('defaults')
    await log.admin.createTopics([{ name, partitions: 1 }])
    assert.deepEqual(Object.fromEntries(await describeTopicConfigs(brokers, name)), {
      'cleanup.policy': 'delete',
    })
  })
})
