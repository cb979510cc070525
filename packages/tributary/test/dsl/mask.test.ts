import assert from 'node:assert/strict'
import { createHmac } from 'node:crypto'
import { describe, it } from 'node:test'
import { StreamsBuilder } from '../../src/dsl/streams-builder.ts'
import { Serdes } from '../../src/serde/serdes.ts'
import { TopologyTestDriver } from '../../src/testing/index.ts'

interface User {
  id: string
  email: string
  name: string
}

describe('KStream.mask', () => {
  it('hashes and redacts the named fields of every value, and passes tombstones through', () => {
    const key = 'mask-test-key-0123456789'
    const builder = new StreamsBuilder()
    builder
      .stream('users', { key: Serdes.string(), value: Serdes.json<User | null>() })
      .mask({ hmac: ['email'], redact: ['name'], key }, { name: 'mask-users' })
      .to('users-masked', { key: Serdes.string(), value: Serdes.json<User | null>() })
    const topology = builder.build()
    assert.match(topology.describe().toString(), /mask-users/)
    const driver = new TopologyTestDriver(topology)
    const input = driver.createInputTopic('users', Serdes.string(), Serdes.json<User | null>())
    const output = driver.createOutputTopic('users-masked', Serdes.string(), Serdes.json<User | null>())
    input.pipeInput('u-1', { id: 'u-1', email: 'ada@example.com', name: 'Ada' })
    input.pipeInput('u-2', null)
    assert.deepEqual(output.readKeyValuesToList(), [
      [
        'u-1',
        {
          id: 'u-1',
          email: createHmac('sha256', key).update('ada@example.com').digest('hex'),
          name: '[redacted]',
        },
      ],
      ['u-2', null],
    ])
    driver.close()
  })
})
