import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, isTributaryError } from 'tributary-streams'
import { TopologyTestDriver } from 'tributary-streams/testing'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { globalTopology, joinsGlobalTableCases } from './cases/joins-global-table.cases.ts'

const str = Serdes.string()

for (const kind of [topologyTestDriver, embeddedLogDriver]) joinsGlobalTableCases(kind)

describe('KStream-GlobalKTable join', () => {
  // TTD-only: inspects the built topology without running anything.
  it('needs no co-partitioning or repartitioning, and keeps the global store out of sub-topologies', () => {
    const topology = globalTopology(false)
    const driver = new TopologyTestDriver(topology)
    assert.deepEqual(topology.copartitionGroups, [])
    assert.equal(topology.internalTopics.size, 0)
    assert.deepEqual(
      topology.subTopologies().map((s) => s.stores),
      [[]],
    )
    assert.ok(topology.globalStores.has('users-store'))
    driver.close()
  })

  it('refuses a global table on a topic a stream already reads', () => {
    const builder = new StreamsBuilder()
    builder.stream('users', { key: str, value: str })
    assert.throws(
      () => builder.globalTable('users', { key: str, value: str }),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })
})
