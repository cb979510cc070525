import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { TopologyTestDriver } from 'tributary-streams/testing'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { joinTopology, joinsStreamTableCases } from './cases/joins-stream-table.cases.ts'

for (const kind of [topologyTestDriver, embeddedLogDriver]) joinsStreamTableCases(kind)

describe('KStream-KTable join', () => {
  // TTD-only: inspects the built topology without running anything.
  it('without a key change joins in place and records the source topics as co-partitioned', () => {
    const topology = joinTopology((s, t) => s.join(t, (v, n) => `${v}:${n}`))
    const driver = new TopologyTestDriver(topology)
    assert.equal(topology.internalTopics.size, 0)
    assert.deepEqual(topology.copartitionGroups, [['s', 't']])
    assert.equal(topology.subTopologies().length, 1)
    driver.close()
  })
})
