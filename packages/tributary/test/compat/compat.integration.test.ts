import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { casesDir, loadCases, type CaseOutput } from './compat-case.ts'
import { runOnKafkaStreams } from './kafka-streams-runner.ts'
import { knownDifferences } from './known-differences.ts'
import { runOnTributary } from './tributary-runner.ts'

/** An error is compared by where it happened, not by its message (the two languages word them differently). */
const comparable = (outputs: readonly CaseOutput[]) =>
  outputs.map((o) => ('error' in o ? { step: o.step, error: true } : o))

/**
 * The differential suite: every case in cases/*.json runs through Kafka Streams' own
 * TopologyTestDriver (Java, caching off) and through Tributary's; the records written to "out"
 * must be equal one by one: key, value, timestamp, and the input step after which each appeared.
 */
describe('Kafka Streams compatibility (differential against Kafka Streams 4.1)', () => {
  let expected: Record<string, CaseOutput[]> = {}
  before(() => {
    expected = runOnKafkaStreams(casesDir)
  })

  for (const c of loadCases()) {
    const todo = knownDifferences.get(c.name)
    it(c.name, todo === undefined ? {} : { todo }, () => {
      const kafkaStreams = expected[c.name]
      assert.ok(kafkaStreams, `Kafka Streams returned no result for ${c.name}`)
      assert.deepEqual(comparable(runOnTributary(c)), comparable(kafkaStreams))
    })
  }
})
