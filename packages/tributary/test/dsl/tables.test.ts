import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder } from 'tributary-streams'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { tablesCases } from './cases/tables.cases.ts'

const str = Serdes.string()
const num = Serdes.number()

for (const kind of [topologyTestDriver, embeddedLogDriver]) tablesCases(kind)

describe('KTable', () => {
  describe('builder.table()', () => {
    // Inspects the built topology and its describe() without running it: needs no driver.
    it('gets a generated store name when none is given, visible in describe()', () => {
      const builder = new StreamsBuilder()
      const table = builder.table('t', { key: str, value: num })
      assert.match(table.queryableStoreName ?? '', /^KSTREAM-TOTABLE-STATE-STORE-\d{10}$/)
      assert.match(builder.build().describe(), new RegExp(`stores: \\[${table.queryableStoreName}\\]`))
    })
  })

  describe('filter and filterNot', () => {
    // Checks the built table without running it: needs no driver.
    it('leaves the table unmaterialized when no Materialized is given', () => {
      const builder = new StreamsBuilder()
      const filtered = builder.table('t', { key: str, value: num }).filter(() => true)
      assert.equal(filtered.queryableStoreName, undefined)
    })
  })
})
