import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { StreamsBuilder, Serdes } from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

export function wordCountCases(kind: DriverKind): void {
  describe(`the word-count example from the README (${kind.name})`, () => {
    it('counts words across lines and exposes the count store', async () => {
      const builder = new StreamsBuilder()
      builder
        .stream('text-lines', { key: Serdes.string(), value: Serdes.string() })
        .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter(Boolean))
        .groupBy((_key, word) => word, { key: Serdes.string(), value: Serdes.string() })
        .count({ name: 'word-counts' })
        .toStream()
        .to('word-counts-out', { key: Serdes.string(), value: Serdes.number() })
      const driver = await kind.make(builder.build())
      const input = driver.createInputTopic('text-lines', Serdes.string(), Serdes.string())
      const output = driver.createOutputTopic('word-counts-out', Serdes.string(), Serdes.number())
      await input.pipeInput('line-1', 'Hello world, hello streams')
      assert.deepEqual(
        await output.readKeyValuesToMap(),
        new Map([
          ['hello', 2],
          ['world', 1],
          ['streams', 1],
        ]),
      )
      assert.equal(driver.getKeyValueStore('word-counts').get('hello'), 2)
      await input.pipeInput('line-2', 'streams of words', 5)
      assert.deepEqual(await output.readKeyValuesToList(), [
        ['streams', 2],
        ['of', 1],
        ['words', 1],
      ])
      await driver.close()
    })
  })
}
