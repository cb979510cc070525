import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { Consumer, ConsumerRecord } from '../../src/log/log.ts'
import { tpKey, type TopicPartition } from '../../src/record.ts'
import { EventTimeAligner } from '../../src/runtime/event-time-aligner.ts'
import { InputBackpressure } from '../../src/runtime/input-backpressure.ts'
import { InputPauses } from '../../src/runtime/input-pauses.ts'
import { PartitionGroup } from '../../src/runtime/partition-group.ts'
import type { Task } from '../../src/runtime/task.ts'

const SECOND = 1000
const settings = { maxEventTimeDriftMs: 5 * SECOND, idleTimeoutMs: 10 * SECOND }

/** A task of sub-topology 0 over one input partition that processes what it is allowed to. */
function task(partition: number): Task & { add(...times: number[]): void } {
  const tp = { topic: 'in', partition }
  const inputs = new PartitionGroup()
  inputs.add(tp)
  let offset = 0
  return {
    subTopology: { id: 0 },
    inputs,
    process(_max: number, _now: number, until = Infinity) {
      let n = 0
      while (inputs.next(until) !== undefined) n++
      return n
    },
    add(...times: number[]) {
      for (const timestamp of times)
        inputs.push(tp, { raw: { ...tp, offset: offset++, timestamp } as ConsumerRecord, timestamp })
    },
  } as unknown as Task & { add(...times: number[]): void }
}

/** A consumer that only keeps what is paused (by key, as the real ones do) and counts calls. */
function consumer() {
  const paused = new Set<string>()
  const calls = { pause: 0, resume: 0 }
  const c = {
    pause: (tps: readonly TopicPartition[]) => (calls.pause++, tps.forEach((tp) => paused.add(tpKey(tp)))),
    resume: (tps: readonly TopicPartition[]) => (
      calls.resume++,
      tps.forEach((tp) => paused.delete(tpKey(tp)))
    ),
  } as unknown as Consumer
  return { c, paused, calls }
}

const seconds = (from: number, to: number) =>
  Array.from({ length: to - from + 1 }, (_, i) => (from + i) * SECOND)

/** An aligner whose inputs count as lagging (data in the log not fetched yet) while `lagging` says so. */
function setup(lagging: (tp: TopicPartition) => boolean, backpressureLimit = 1000) {
  const aligner = new EventTimeAligner(settings, lagging)
  const pauses = new InputPauses([new InputBackpressure(backpressureLimit), aligner])
  const { c, paused, calls } = consumer()
  const turn = (tasks: Task[], now = 0) => {
    const n = aligner.process(tasks, now)
    pauses.update(c, tasks)
    return n
  }
  return { turn, paused, calls, pauses }
}

describe('InputPauses with event-time alignment and backpressure', () => {
  it('pauses a partition fetched far ahead of the frontier and resumes it when the frontier catches up', () => {
    const { turn, paused } = setup(() => true)
    const [ahead, behind] = [task(0), task(1)]
    ahead.add(...seconds(0, 30))
    behind.add(...seconds(0, 2))
    assert.equal(turn([ahead, behind]), 3 + 8, 'behind drained; ahead up to 2 s + 5 s drift')
    assert.deepEqual([...paused], ['in-0'], 'only the partition ahead; the empty one is fetched')
    behind.add(...seconds(3, 20))
    turn([ahead, behind])
    assert.deepEqual(
      [...paused],
      ['in-0'],
      'still ahead: behind drained at 20 s, bound 25 s, ahead holds to 30 s',
    )
    behind.add(...seconds(21, 40))
    turn([ahead, behind])
    assert.deepEqual([...paused], ['in-1'], 'ahead drained: resumed; now the other is past the bound')
  })

  it('does not let an empty, caught-up partition stall the others beyond idleTimeoutMs', () => {
    const { turn, paused } = setup(() => false) // everything fetched: no input lags
    const [busy, idle] = [task(0), task(1)]
    busy.add(...seconds(0, 30))
    idle.add(0)
    assert.equal(turn([busy, idle], 0), 1 + 6, 'idle at 0 s holds busy to 5 s while within idleTimeoutMs')
    assert.deepEqual([...paused], ['in-0'])
    assert.equal(turn([busy, idle], settings.idleTimeoutMs - 1), 0)
    assert.deepEqual([...paused], ['in-0'], 'the idle partition itself is never paused')
    assert.equal(turn([busy, idle], settings.idleTimeoutMs), 25, 'idle: ignored, busy goes on')
    assert.deepEqual([...paused], [], 'busy drained and resumed')
  })

  it('never pauses an input with nothing buffered: what it brings next may be the frontier', () => {
    const { turn, paused } = setup(() => false)
    const [early, late] = [task(0), task(1)]
    late.add(...seconds(0, 30))
    assert.equal(turn([early, late]), 31, 'early has no data and nothing to fetch: ignored')
    early.add(...seconds(0, 2))
    turn([early, late])
    assert.deepEqual([...paused], [], 'late was fetched to 30 s, past the bound of 7 s, but holds nothing')
  })

  it('resumes a partition only once no rule wants it paused, and asks every rule every turn', () => {
    const wants = [new Set<number>(), new Set<number>()]
    const asked = [0, 0]
    const rules = wants.map((set, i) => ({
      paused: (_task: Task, tp: TopicPartition) => (asked[i]!++, set.has(tp.partition)),
    }))
    const pauses = new InputPauses(rules)
    const { c, paused, calls } = consumer()
    const tasks = [task(0), task(1)]
    wants[0]!.add(0)
    pauses.update(c, tasks)
    assert.deepEqual([...paused], ['in-0'])
    wants[1]!.add(0).add(1)
    pauses.update(c, tasks)
    assert.deepEqual([...paused].sort(), ['in-0', 'in-1'])
    wants[0]!.delete(0)
    pauses.update(c, tasks)
    assert.deepEqual([...paused].sort(), ['in-0', 'in-1'], 'the second rule still holds in-0')
    assert.equal(calls.resume, 0)
    wants[1]!.delete(0)
    pauses.update(c, tasks)
    assert.deepEqual([...paused], ['in-1'])
    assert.deepEqual(asked, [8, 8], 'both rules, both partitions, four turns')
  })

  it('pauses by backpressure alone a partition whose task holds its records for another reason', () => {
    const { turn, paused } = setup(() => true, 10)
    const [blocked, other] = [task(0), task(1)]
    let held = true
    const process = blocked.process.bind(blocked)
    blocked.process = (max, now, until) => (held ? 0 : process(max, now, until))
    blocked.add(...Array.from({ length: 12 }, (_, i) => i * 400)) // 0 to 4.4 s: all within the bound
    other.add(0)
    turn([blocked, other])
    assert.deepEqual([...paused], ['in-0'], '12 buffered, limit 10: paused though within the drift')
    held = false
    turn([blocked, other])
    assert.deepEqual([...paused], [], 'processed: resumed')
  })

  it('pauses again what the consumer forgot after an assignment change', () => {
    const { turn, paused, pauses } = setup(() => true)
    const [ahead, behind] = [task(0), task(1)]
    ahead.add(...seconds(0, 30))
    behind.add(0)
    turn([ahead, behind])
    assert.deepEqual([...paused], ['in-0'])
    paused.clear() // a rebalance: the consumer forgets pauses of partitions it gave up or gained
    pauses.reset()
    turn([ahead, behind])
    assert.deepEqual([...paused], ['in-0'])
  })

  it('resumes after an assignment change a kept partition whose pause is no longer wanted', () => {
    const { turn, paused, pauses } = setup(() => false)
    const [ahead, behind] = [task(0), task(1)]
    ahead.add(...seconds(0, 30))
    behind.add(0)
    turn([ahead, behind])
    assert.deepEqual([...paused], ['in-0'])
    // a rebalance moves the partition holding the frontier back away; the consumer keeps the
    // pause of the partition it keeps (it forgets only those it gave up or gained)
    paused.delete('in-1')
    pauses.reset()
    turn([ahead])
    assert.deepEqual([...paused], [], 'the kept partition drained: resumed, not left paused for good')
  })
})
