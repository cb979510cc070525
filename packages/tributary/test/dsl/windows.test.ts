import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { Serdes, StreamsBuilder, Suppressed, WindowedSerdes } from 'tributary-streams'
import { embeddedLogDriver, topologyTestDriver } from '../drivers/driver-kinds.ts'
import { windowsCases } from './cases/windows.cases.ts'

const str = Serdes.string()
const num = Serdes.number()

for (const kind of [topologyTestDriver, embeddedLogDriver]) windowsCases(kind)

describe('suppress', () => {
  // build-time error: no driver involved
  it('refuses untilWindowCloses on a table that is not windowed', () => {
    const builder = new StreamsBuilder()
    const table = builder.table('t', { key: str, value: num })
    assert.throws(() => table.suppress(Suppressed.untilWindowCloses()), /needs a windowed table/)
  })
})

describe('windowed serdes', () => {
  // serde round trip: no driver involved
  it('round-trip time and session windowed keys in Kafka Streams layout', () => {
    const time = WindowedSerdes.timeWindowed(str, 60_000)
    const key = { key: 'k', window: { start: 1_700_000_000_000, end: 1_700_000_060_000 } }
    const bytes = time.serialize(key, 't')
    assert.equal(bytes.length, 1 + 8)
    assert.deepEqual(time.deserialize(bytes, 't'), key)
    const session = WindowedSerdes.sessionWindowed(str)
    const s = { key: 'k', window: { start: 5, end: 9 } }
    assert.deepEqual(session.deserialize(session.serialize(s, 't'), 't'), s)
  })
})
