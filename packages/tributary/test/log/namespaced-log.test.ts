import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { EmbeddedLog, namespacedLog } from 'tributary-streams'

const buf = (s: string) => Buffer.from(s)

describe('namespacedLog', () => {
  it('keeps topics, groups and transactions of two namespaces on one log apart, names shown bare', async () => {
    const base = await EmbeddedLog.open()
    const [a, b] = [namespacedLog(base, 'a.'), namespacedLog(base, 'b.')]
    await a.admin.createTopics([{ name: 'orders', partitions: 2 }])
    await b.admin.createTopics([{ name: 'orders', partitions: 1 }])
    assert.deepEqual((await base.admin.listTopics()).sort(), ['a.orders', 'b.orders'])
    assert.deepEqual(await a.admin.listTopics(), ['orders'])
    assert.deepEqual(
      (await b.admin.describeTopics(['orders'])).map((d) => [d.name, d.partitions]),
      [['orders', 1]],
    )

    const producer = await a.producer({ transactionalId: 'tx' })
    await producer.beginTransaction()
    const [sent] = await producer.send([{ topic: 'orders', partition: 1, key: buf('k'), value: buf('v') }])
    assert.deepEqual([sent!.topic, sent!.partition], ['orders', 1])
    await producer.commitTransaction()
    // The same transactional id in the other namespace is another producer: it fences nothing.
    const other = await b.producer({ transactionalId: 'tx' })
    await other.beginTransaction()
    await other.send([{ topic: 'orders', key: buf('k2'), value: buf('w') }])
    await other.commitTransaction()
    await producer.beginTransaction()
    await producer.abortTransaction()

    const consumer = await a.consumer({ groupId: 'g', isolation: 'read_committed' })
    let assigned: string[] = []
    await consumer.subscribe(['orders'], {
      listener: {
        onAssigned: async (tps) => void (assigned = tps.map((tp) => `${tp.topic}-${tp.partition}`)),
        onRevoked: async () => {},
      },
    })
    const records = []
    for (let i = 0; i < 20 && records.length === 0; i++)
      records.push(...(await consumer.poll({ timeoutMs: 50 })))
    assert.deepEqual(assigned.sort(), ['orders-0', 'orders-1'])
    assert.deepEqual(
      consumer.assignment().map((tp) => tp.topic),
      ['orders', 'orders'],
    )
    assert.deepEqual(
      records.map((r) => [r.topic, r.partition, r.value!.toString()]),
      [['orders', 1, 'v']],
    )
    await consumer.commit([{ topic: 'orders', partition: 1, offset: records[0]!.offset + 1 }])
    assert.deepEqual(await a.admin.committedOffsets('g', [{ topic: 'orders', partition: 1 }]), [
      { topic: 'orders', partition: 1, offset: records[0]!.offset + 1 },
    ])
    assert.deepEqual(await base.admin.committedOffsets('a.g', [{ topic: 'a.orders', partition: 1 }]), [
      { topic: 'a.orders', partition: 1, offset: records[0]!.offset + 1 },
    ])
    assert.deepEqual(await b.admin.committedOffsets('g', [{ topic: 'orders', partition: 0 }]), [])
    await Promise.all([consumer.close(), producer.close(), other.close()])
    await base.close()
  })
})
