import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RunTimer } from '../../src/runtime/run-timer.ts'

type Run = [topic: string, records: number]

function runsOf(topics: string[], eachRecord: boolean): Run[] {
  const runs: Run[] = []
  const timer = new RunTimer((topic, records, ms) => {
    assert.ok(ms >= 0)
    runs.push([topic, records])
  }, eachRecord)
  for (const topic of topics) timer.next(topic)
  timer.flush()
  timer.flush() // nothing open: nothing reported
  return runs
}

describe('RunTimer', () => {
  it('reports runs of consecutive records of one topic with their counts', () => {
    assert.deepEqual(runsOf(['a', 'a', 'a', 'b', 'a', 'a'], false), [
      ['a', 3],
      ['b', 1],
      ['a', 2],
    ])
  })

  it('reports every record on its own when timing each record', () => {
    assert.deepEqual(runsOf(['a', 'a', 'b'], true), [
      ['a', 1],
      ['a', 1],
      ['b', 1],
    ])
  })

  it('reports nothing when no record was processed', () => {
    assert.deepEqual(runsOf([], false), [])
  })
})
