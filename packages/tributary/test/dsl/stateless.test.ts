import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder } from 'tributary-streams'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { statelessCases } from './cases/stateless.cases.ts'

const str = Serdes.string()
const num = Serdes.number()

for (const kind of [topologyTestDriver, embeddedLogDriver]) statelessCases(kind)

describe('stateless KStream operations', () => {
  describe('repartition', () => {
    // Inspects the built topology without running it: needs no driver.
    it('starts a new sub-topology at the repartition topic', () => {
      const builder = new StreamsBuilder()
      builder.stream('in', { key: str, value: num }).repartition({ name: 'r' }).to('out')
      const subs = builder.build().subTopologies()
      assert.equal(subs.length, 2)
      assert.deepEqual(subs[0]!.sourceTopics, ['in'])
      assert.deepEqual(subs[0]!.sinkTopics, ['r-repartition'])
      assert.deepEqual(subs[1]!.sourceTopics, ['r-repartition'])
      assert.deepEqual(subs[1]!.sinkTopics, ['out'])
    })
  })
})
