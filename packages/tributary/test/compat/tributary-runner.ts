import { StreamsBuilder } from 'tributary-streams'
import { TopologyTestDriver, type TestInputTopic } from 'tributary-streams/testing'
import type { CaseOutput, CompatCase } from './compat-case.ts'
import { str } from './topologies/helpers.ts'
import { topologies } from './topologies/topologies.ts'

const quiet = { debug() {}, info() {}, warn() {}, error() {} }

/** Runs a case through Tributary's TopologyTestDriver, as the Java runner does through Kafka Streams'. */
export function runOnTributary(c: CompatCase): CaseOutput[] {
  const define = topologies.get(c.topology)
  if (define === undefined) throw new Error(`no topology named ${c.topology}`)
  const builder = new StreamsBuilder()
  define(builder)
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'compat', logger: quiet })
  const outputs: CaseOutput[] = []
  try {
    const out = driver.createOutputTopic('out', str, str)
    const inputs = new Map<string, TestInputTopic<string, string>>()
    const drain = (step: number) => {
      for (const r of out.readRecordsToList())
        outputs.push({ step, key: r.key, value: r.value, ts: r.timestamp })
    }
    for (const [i, step] of c.steps.entries()) {
      try {
        if ('advance' in step) driver.advanceWallClockTime(step.advance)
        else {
          const [topic, key, value, ts] = step
          let input = inputs.get(topic)
          if (input === undefined) inputs.set(topic, (input = driver.createInputTopic(topic, str, str)))
          input.pipeInput(key, value, ts)
        }
      } catch (e) {
        drain(i)
        outputs.push({ step: i, error: e instanceof Error ? e.message : String(e) })
        return outputs
      }
      drain(i)
    }
  } finally {
    driver.close()
  }
  return outputs
}
