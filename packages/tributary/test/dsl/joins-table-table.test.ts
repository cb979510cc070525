import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder } from 'tributary-streams'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { joinsTableTableCases } from './cases/joins-table-table.cases.ts'

const str = Serdes.string()
const num = Serdes.number()
const joiner = (a: number | null, b: string | null): string => `${a}/${b}`

for (const kind of [topologyTestDriver, embeddedLogDriver]) joinsTableTableCases(kind)

describe('KTable-KTable join', () => {
  it('records both tables as co-partitioned and merges their sub-topologies', () => {
    const builder = new StreamsBuilder()
    const l = builder.table('l', { key: str, value: num })
    const r = builder.table('r', { key: str, value: str })
    l.join(r, joiner)
    const topology = builder.build()
    assert.deepEqual(topology.copartitionGroups, [['l', 'r']])
    assert.equal(topology.subTopologies().length, 1)
  })
})
