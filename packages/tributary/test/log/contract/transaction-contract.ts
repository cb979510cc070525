import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buf, collect, drain, rejectsWith, str, tp, type ContractContext } from './harness.ts'

export function transactionContract(ctx: ContractContext): void {
  describe('transactions', () => {
    it('shows transactional records to read_committed consumers only after commit', async () => {
      const name = await ctx.topic(1)
      const producer = await ctx.log.producer({ transactionalId: ctx.unique('txn') })
      const committed = await ctx.log.consumer({ groupId: ctx.unique('group'), isolation: 'read_committed' })
      const uncommitted = await ctx.log.consumer({
        groupId: ctx.unique('group'),
        isolation: 'read_uncommitted',
      })
      await committed.assign([tp(name)])
      await uncommitted.assign([tp(name)])
      await producer.beginTransaction()
      await producer.send(['a', 'b'].map((v) => ({ topic: name, partition: 0, key: null, value: buf(v) })))
      assert.deepEqual(
        (await collect(uncommitted, 2)).map((r) => str(r.value)),
        ['a', 'b'],
      )
      assert.deepEqual(await drain(committed), [])
      const [lsoBefore] = await ctx.log.admin.endOffsets([tp(name)], 'read_committed')
      const [hwBefore] = await ctx.log.admin.endOffsets([tp(name)], 'read_uncommitted')
      assert.ok(lsoBefore!.offset < hwBefore!.offset, 'the last stable offset stops at the open transaction')
      await producer.commitTransaction()
      assert.deepEqual(
        (await collect(committed, 2)).map((r) => str(r.value)),
        ['a', 'b'],
      )
      const [lsoAfter] = await ctx.log.admin.endOffsets([tp(name)], 'read_committed')
      const [hwAfter] = await ctx.log.admin.endOffsets([tp(name)], 'read_uncommitted')
      assert.equal(lsoAfter!.offset, hwAfter!.offset)
      await Promise.all([producer.close(), committed.close(), uncommitted.close()])
    })

    it('never shows aborted records to read_committed consumers', async () => {
      const name = await ctx.topic(1)
      const producer = await ctx.log.producer({ transactionalId: ctx.unique('txn') })
      await producer.beginTransaction()
      await producer.send([{ topic: name, partition: 0, key: null, value: buf('aborted') }])
      await producer.abortTransaction()
      await producer.beginTransaction()
      await producer.send([{ topic: name, partition: 0, key: null, value: buf('kept') }])
      await producer.commitTransaction()
      const committed = await ctx.log.consumer({ groupId: ctx.unique('group'), isolation: 'read_committed' })
      await committed.assign([tp(name)])
      assert.deepEqual(
        (await collect(committed, 1)).map((r) => str(r.value)),
        ['kept'],
      )
      assert.deepEqual(await drain(committed, 300), [])
      const uncommitted = await ctx.log.consumer({ groupId: ctx.unique('group') })
      await uncommitted.assign([tp(name)])
      assert.deepEqual(
        (await collect(uncommitted, 2)).map((r) => str(r.value)),
        ['aborted', 'kept'],
      )
      await Promise.all([producer.close(), committed.close(), uncommitted.close()])
    })

    it('blocks read_committed consumers at an open transaction while read_uncommitted read past it', async () => {
      const name = await ctx.topic(1)
      const txnProducer = await ctx.log.producer({ transactionalId: ctx.unique('txn') })
      const plain = await ctx.log.producer()
      await txnProducer.beginTransaction()
      await txnProducer.send([{ topic: name, partition: 0, key: null, value: buf('in-txn') }])
      await plain.send([{ topic: name, partition: 0, key: null, value: buf('after') }])
      const committed = await ctx.log.consumer({ groupId: ctx.unique('group'), isolation: 'read_committed' })
      const uncommitted = await ctx.log.consumer({ groupId: ctx.unique('group') })
      await committed.assign([tp(name)])
      await uncommitted.assign([tp(name)])
      assert.deepEqual(
        (await collect(uncommitted, 2)).map((r) => str(r.value)),
        ['in-txn', 'after'],
      )
      assert.deepEqual(await drain(committed), [], 'the later plain record waits behind the open transaction')
      await txnProducer.commitTransaction()
      assert.deepEqual(
        (await collect(committed, 2)).map((r) => str(r.value)),
        ['in-txn', 'after'],
      )
      await Promise.all([txnProducer.close(), plain.close(), committed.close(), uncommitted.close()])
    })

    it('commits offsets sent in a transaction only when it commits', async () => {
      const name = await ctx.topic(1)
      const group = ctx.unique('group')
      const producer = await ctx.log.producer({ transactionalId: ctx.unique('txn') })
      await producer.beginTransaction()
      await producer.send([{ topic: name, partition: 0, key: null, value: buf('out') }])
      await producer.sendOffsets(group, [{ ...tp(name), offset: 5 }])
      assert.deepEqual(await ctx.log.admin.committedOffsets(group, [tp(name)]), [])
      await producer.abortTransaction()
      assert.deepEqual(await ctx.log.admin.committedOffsets(group, [tp(name)]), [])
      await producer.beginTransaction()
      await producer.sendOffsets(group, [{ ...tp(name), offset: 7 }])
      await producer.send([{ topic: name, partition: 0, key: null, value: buf('out') }])
      await producer.commitTransaction()
      assert.deepEqual(await ctx.log.admin.committedOffsets(group, [tp(name)]), [{ ...tp(name), offset: 7 }])
      await producer.close()
    })

    it('keeps the metadata of offsets committed by a transaction or by a consumer', async () => {
      const name = await ctx.topic(2)
      const group = ctx.unique('group')
      const [p0, p1] = [0, 1].map((partition) => ({ topic: name, partition }))
      const producer = await ctx.log.producer({ transactionalId: ctx.unique('txn') })
      await producer.beginTransaction()
      await producer.send([{ topic: name, partition: 0, key: null, value: buf('out') }])
      await producer.sendOffsets(group, [
        { ...p0!, offset: 1, metadata: 'st=123' },
        { ...p1!, offset: 0 },
      ])
      await producer.commitTransaction()
      assert.deepEqual(await ctx.log.admin.committedOffsets(group, [p0!, p1!]), [
        { ...p0!, offset: 1, metadata: 'st=123' },
        { ...p1!, offset: 0 },
      ])
      const consumer = await ctx.log.consumer({ groupId: group })
      await consumer.assign([p1!])
      await consumer.commit([{ ...p1!, offset: 0, metadata: 'st=7' }])
      assert.deepEqual(await consumer.committed([p1!]), [{ ...p1!, offset: 0, metadata: 'st=7' }])
      await Promise.all([producer.close(), consumer.close()])
    })

    it('makes a transaction across partitions visible all at once', async () => {
      const name = await ctx.topic(3)
      const producer = await ctx.log.producer({ transactionalId: ctx.unique('txn') })
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group'), isolation: 'read_committed' })
      await consumer.assign([0, 1, 2].map((partition) => ({ topic: name, partition })))
      await producer.beginTransaction()
      await producer.send(
        [0, 1, 2].map((partition) => ({ topic: name, partition, key: null, value: buf(`p${partition}`) })),
      )
      assert.deepEqual(await drain(consumer, 300), [])
      await producer.commitTransaction()
      assert.deepEqual((await collect(consumer, 3)).map((r) => str(r.value)).sort(), ['p0', 'p1', 'p2'])
      await Promise.all([producer.close(), consumer.close()])
    })

    it('fences a zombie producer and aborts its open transaction', async () => {
      const name = await ctx.topic(1)
      const id = ctx.unique('txn')
      const zombie = await ctx.log.producer({ transactionalId: id })
      await zombie.beginTransaction()
      await zombie.send([{ topic: name, partition: 0, key: null, value: buf('zombie') }])
      const successor = await ctx.log.producer({ transactionalId: id })
      await rejectsWith(zombie.send([{ topic: name, partition: 0, key: null, value: buf('late') }]), 'FENCED')
      await rejectsWith(zombie.commitTransaction(), 'FENCED')
      await successor.beginTransaction()
      await successor.send([{ topic: name, partition: 0, key: null, value: buf('successor') }])
      await successor.commitTransaction()
      const consumer = await ctx.log.consumer({ groupId: ctx.unique('group'), isolation: 'read_committed' })
      await consumer.assign([tp(name)])
      assert.deepEqual(
        (await collect(consumer, 1)).map((r) => str(r.value)),
        ['successor'],
      )
      assert.deepEqual(await drain(consumer, 300), [])
      await zombie.close().catch(() => undefined)
      await Promise.all([successor.close(), consumer.close()])
    })

    it('rejects transaction calls out of order with code TRANSACTION', async () => {
      const name = await ctx.topic(1)
      const producer = await ctx.log.producer({ transactionalId: ctx.unique('txn') })
      await rejectsWith(producer.commitTransaction(), 'TRANSACTION')
      await rejectsWith(producer.send([{ topic: name, key: null, value: buf('x') }]), 'TRANSACTION')
      await producer.beginTransaction()
      await rejectsWith(producer.beginTransaction(), 'TRANSACTION')
      await producer.abortTransaction()
      await producer.close()
    })
  })
}
