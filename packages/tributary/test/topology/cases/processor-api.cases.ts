import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  Serdes,
  Stores,
  StreamsBuilder,
  Topology,
  isTributaryError,
  type Cancellable,
  type KeyValueStore,
  type Processor,
  type ProcessorContext,
  type RecordOrigin,
} from 'tributary-streams'
import type { DriverKind } from '../../drivers/driver-kinds.ts'

const str = Serdes.string()
const num = Serdes.number()

const counterStore = (name = 'x') =>
  Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.string(), Serdes.number())

/** Stream `in` → `process(supplier, { stores })` → `out`, in a driver. */
async function processDriver<VR>(
  kind: DriverKind,
  supplier: () => Processor<string, number, string, VR>,
  stores: string[] = [],
  outValue = Serdes.json<VR>(),
) {
  const builder = new StreamsBuilder()
  if (stores.length > 0) builder.addStateStore(counterStore(stores[0]))
  builder
    .stream('in', { key: str, value: num })
    .process(supplier, { stores, name: 'user-processor' })
    .to('out', { key: str, value: outValue })
  const driver = await kind.make(builder.build(), { applicationId: 'proc-app' })
  return {
    driver,
    input: driver.createInputTopic('in', str, num),
    output: driver.createOutputTopic('out', str, outValue),
  }
}

/** in → router → (upper → out-upper, double → out-double); `route` names the router's child, or none. */
export function routedTopology(route: (value: string) => string | undefined): Topology {
  return new Topology()
    .addSource('src', 'in', { key: str, value: str })
    .addProcessor(
      'router',
      () => {
        let ctx: ProcessorContext<string, string>
        return {
          init(context: ProcessorContext<string, string>) {
            ctx = context
          },
          process(record: {
            key: string
            value: string
            timestamp: number
            headers: Record<string, Buffer>
          }) {
            const child = route(record.value)
            if (child === undefined) ctx.forward(record)
            else ctx.forward(record, child)
          },
        }
      },
      'src',
    )
    .addProcessor(
      'upper',
      () => {
        let ctx: ProcessorContext<string, string>
        return {
          init(context: ProcessorContext<string, string>) {
            ctx = context
          },
          process(record: {
            key: string
            value: string
            timestamp: number
            headers: Record<string, Buffer>
          }) {
            ctx.forward({ ...record, value: record.value.toUpperCase() })
          },
        }
      },
      'router',
    )
    .addProcessor(
      'double',
      () => {
        let ctx: ProcessorContext<string, string>
        return {
          init(context: ProcessorContext<string, string>) {
            ctx = context
          },
          process(record: {
            key: string
            value: string
            timestamp: number
            headers: Record<string, Buffer>
          }) {
            ctx.forward({ ...record, value: record.value + record.value })
          },
        }
      },
      'router',
    )
    .addSink('upper-sink', 'out-upper', { key: str, value: str }, 'upper')
    .addSink('double-sink', 'out-double', { key: str, value: str }, 'double')
}

async function routed(kind: DriverKind, route: (value: string) => string | undefined) {
  const topology = routedTopology(route)
  const driver = await kind.make(topology, { processingErrors: 'fail' })
  return {
    topology,
    driver,
    input: driver.createInputTopic('in', str, str),
    upper: driver.createOutputTopic('out-upper', str, str),
    double: driver.createOutputTopic('out-double', str, str),
  }
}

/** A processor that schedules in init and records each punctuation's timestamp. */
async function scheduled(
  kind: DriverKind,
  type: 'stream-time' | 'wall-clock',
  intervalMs: number,
  cancelAfter = Infinity,
) {
  const fired: number[] = []
  const origins: Array<RecordOrigin | undefined> = []
  const builder = new StreamsBuilder()
  builder
    .stream('in', { key: str, value: num })
    .process<string, number>(() => {
      let ctx: ProcessorContext<string, number>
      let handle: Cancellable
      return {
        init(context) {
          ctx = context
          handle = context.schedule(intervalMs, type, (ts) => {
            fired.push(ts)
            origins.push(ctx.recordOrigin())
            ctx.forward({ key: 'tick', value: ts, timestamp: ts, headers: {} })
            if (fired.length >= cancelAfter) handle.cancel()
          })
        },
        process() {},
      }
    })
    .to('ticks', { key: str, value: num })
  const driver = await kind.make(builder.build(), { initialWallClockTimeMs: 1000 })
  return {
    driver,
    fired,
    origins,
    input: driver.createInputTopic('in', str, num),
    ticks: driver.createOutputTopic('ticks', str, num),
  }
}

export function processorApiCases(kind: DriverKind): void {
  describe(`the processor API through KStream.process() (${kind.name})`, () => {
    it('runs a processor with a connected store: it reads and writes the store and forwards', async () => {
      const { driver, input, output } = await processDriver<number>(
        kind,
        () => {
          let ctx: ProcessorContext<string, number>
          let store: KeyValueStore<string, number>
          return {
            init(context) {
              ctx = context
              store = context.getStateStore('x')
            },
            process(record) {
              const total = (store.get(record.key) ?? 0) + record.value
              store.put(record.key, total)
              ctx.forward({ ...record, value: total })
            },
          }
        },
        ['x'],
        num,
      )
      await input.pipeKeyValueList([
        ['a', 1],
        ['b', 10],
        ['a', 2],
      ])
      assert.deepEqual(await output.readKeyValuesToList(), [
        ['a', 1],
        ['b', 10],
        ['a', 3],
      ])
      const store = driver.getKeyValueStore<string, number>('x')
      assert.equal(store.get('a'), 3)
      assert.equal(store.get('b'), 10)
      await driver.close()
    })

    it('refuses a store that is not connected to the processor with a STATE error naming it', async () => {
      const errors: unknown[] = []
      const builder = new StreamsBuilder()
      builder.addStateStore(counterStore('connected'))
      builder.addStateStore(counterStore('other'))
      const s = builder.stream('in', { key: str, value: num })
      s.process(() => ({ process() {} }), { stores: ['other'] })
      s.process(
        () => ({
          init(context) {
            for (const name of ['other', 'nowhere']) {
              try {
                context.getStateStore(name)
              } catch (err) {
                errors.push(err)
              }
            }
            context.getStateStore('connected') // connected: does not throw
          },
          process() {},
        }),
        { stores: ['connected'], name: 'p' },
      )
      const driver = await kind.make(builder.build())
      assert.equal(errors.length, 2)
      for (const [i, name] of ['other', 'nowhere'].entries()) {
        const err = errors[i]
        assert.ok(isTributaryError(err, 'STATE'), String(err))
        assert.match(err.message, new RegExp(`\\bp\\b.*\\b${name}\\b`))
      }
      await driver.close()
    })

    it('exposes the application id, task id, stream time and wall-clock time', async () => {
      const seen: unknown[] = []
      const { driver, input } = await processDriver(kind, () => {
        let ctx: ProcessorContext<string, number>
        return {
          init(context) {
            ctx = context
            seen.push([
              'init',
              context.applicationId,
              context.taskId,
              context.currentStreamTimeMs(),
              context.currentSystemTimeMs(),
            ])
          },
          process(record) {
            seen.push([record.key, ctx.currentStreamTimeMs(), ctx.currentSystemTimeMs()])
          },
        }
      })
      await input.pipeInput('a', 1, 100)
      await input.pipeInput('b', 1, 50) // out of order: stream time stays at the max
      await driver.advanceWallClockTime(7)
      await input.pipeInput('c', 1, 300)
      assert.deepEqual(seen, [
        ['init', 'proc-app', '0_0', -Infinity, 0],
        ['a', 100, 0],
        ['b', 100, 0],
        ['c', 300, 7],
      ])
      await driver.close()
    })

    it('reports the origin of the record being processed', async () => {
      const origins: Array<RecordOrigin | undefined> = []
      const { driver, input } = await processDriver(kind, () => {
        let ctx: ProcessorContext<string, number>
        return {
          init(context) {
            ctx = context
            origins.push(context.recordOrigin())
          },
          process() {
            origins.push(ctx.recordOrigin())
          },
        }
      })
      await input.pipeInput('a', 1)
      await input.pipeInput('b', 2)
      assert.deepEqual(origins, [
        undefined,
        { topic: 'in', partition: 0, offset: 0 },
        { topic: 'in', partition: 0, offset: 1 },
      ])
      await driver.close()
    })

    it('reports the physical repartition topic as the origin after a repartition', async () => {
      const origins: Array<RecordOrigin | undefined> = []
      const builder = new StreamsBuilder()
      builder
        .stream('in', { key: str, value: num })
        .repartition({ name: 'r' })
        .process(() => {
          let ctx: ProcessorContext
          return {
            init(context) {
              ctx = context
            },
            process() {
              origins.push(ctx.recordOrigin())
            },
          }
        })
      const driver = await kind.make(builder.build(), { applicationId: 'app' })
      await driver.createInputTopic('in', str, num).pipeInput('a', 1)
      assert.deepEqual(origins, [{ topic: 'app-r-repartition', partition: 0, offset: 0 }])
      await driver.close()
    })

    it('accepts a commit request without throwing', async () => {
      const { driver, input, output } = await processDriver<number>(
        kind,
        () => {
          let ctx: ProcessorContext<string, number>
          return {
            init(context) {
              ctx = context
              context.commit()
            },
            process(record) {
              ctx.commit()
              ctx.forward(record)
            },
          }
        },
        [],
        num,
      )
      await input.pipeInput('a', 1)
      assert.deepEqual(await output.readKeyValuesToList(), [['a', 1]])
      await driver.close()
    })

    it('lets a processor forward records with a new timestamp and headers, or several per input', async () => {
      const { driver, input, output } = await processDriver<number>(
        kind,
        () => {
          let ctx: ProcessorContext<string, number>
          return {
            init(context) {
              ctx = context
            },
            process(record) {
              ctx.forward({
                key: record.key,
                value: record.value,
                timestamp: record.timestamp + 1,
                headers: { n: Buffer.from('1') },
              })
              ctx.forward({ key: `${record.key}!`, value: -record.value, timestamp: 5, headers: {} })
            },
          }
        },
        [],
        num,
      )
      await input.pipeInput('a', 3, 100)
      const out = await output.readRecordsToList()
      assert.deepEqual(
        out.map((r) => [r.key, r.value, r.timestamp, Object.keys(r.headers)]),
        [
          ['a', 3, 101, ['n']],
          ['a!', -3, 5, []],
        ],
      )
      await driver.close()
    })

    it('closes processors when the driver closes', async () => {
      let closed = 0
      const { driver } = await processDriver(kind, () => ({
        process() {},
        close() {
          closed++
        },
      }))
      await driver.close()
      await driver.close()
      assert.equal(closed, 1)
    })
  })

  describe(`forwarding in a hand-built Topology (${kind.name})`, () => {
    it('forwards to every child when no child is named', async () => {
      const { driver, input, upper, double } = await routed(kind, () => undefined)
      await input.pipeInput('k', 'ab')
      assert.deepEqual(await upper.readValuesToList(), ['AB'])
      assert.deepEqual(await double.readValuesToList(), ['abab'])
      await driver.close()
    })

    it('forwards only to the named child', async () => {
      const { driver, input, upper, double } = await routed(kind, (v) =>
        v.startsWith('u') ? 'upper' : 'double',
      )
      await input.pipeInput('k', 'up')
      await input.pipeInput('k', 'do')
      assert.deepEqual(await upper.readValuesToList(), ['UP'])
      assert.deepEqual(await double.readValuesToList(), ['dodo'])
      await driver.close()
    })

    it('lets a processor with two parents receive records from both', async () => {
      const seen: string[] = []
      const topology = new Topology()
        .addSource('a', 'in-a', { key: str, value: str })
        .addSource('b', 'in-b', { key: str, value: str })
        .addProcessor(
          'both',
          () => ({ process: (r: { value: string }) => void seen.push(r.value) }),
          'a',
          'b',
        )
      const driver = await kind.make(topology)
      const inA = driver.createInputTopic('in-a', str, str)
      const inB = driver.createInputTopic('in-b', str, str)
      await inA.pipeInput('k', 'from-a')
      await inB.pipeInput('k', 'from-b')
      assert.deepEqual(seen, ['from-a', 'from-b'])
      await driver.close()
    })
  })

  describe(`punctuation (${kind.name})`, () => {
    it('fires stream-time punctuations as input timestamps advance, once per call however far time jumps', async () => {
      const { driver, fired, input } = await scheduled(kind, 'stream-time', 10)
      assert.deepEqual(fired, [])
      await input.pipeInput('a', 0, 0) // first record: fires at stream time 0
      await input.pipeInput('a', 0, 9)
      await input.pipeInput('a', 0, 10) // due at 10
      await input.pipeInput('a', 0, 5) // out of order: stream time stays 10
      await input.pipeInput('a', 0, 19)
      await input.pipeInput('a', 0, 47) // missed 20, 30, 40: fires once, next due at 50
      await input.pipeInput('a', 0, 49)
      await input.pipeInput('a', 0, 50)
      assert.deepEqual(fired, [0, 10, 47, 50])
      await driver.close()
    })

    it('does not fire stream-time punctuations when only the wall clock moves', async () => {
      const { driver, fired } = await scheduled(kind, 'stream-time', 10)
      await driver.advanceWallClockTime(1_000_000)
      assert.deepEqual(fired, [])
      await driver.close()
    })

    it('forwards records from a punctuation, with no record origin', async () => {
      const { driver, input, ticks, origins } = await scheduled(kind, 'stream-time', 10)
      await input.pipeInput('a', 0, 0)
      await input.pipeInput('a', 0, 10)
      assert.deepEqual(await ticks.readKeyValuesToList(), [
        ['tick', 0],
        ['tick', 10],
      ])
      assert.deepEqual(origins, [undefined, undefined])
      await driver.close()
    })

    it('aligns stream-time punctuations to multiples of the interval, as Kafka Streams does', async () => {
      const { driver, fired, input } = await scheduled(kind, 'stream-time', 10)
      await input.pipeInput('a', 0, 3) // fires at 3; Kafka Streams then schedules the next at 10
      await input.pipeInput('a', 0, 12)
      assert.deepEqual(fired, [3, 12])
      await driver.close()
    })

    it('fires wall-clock punctuations on advanceWallClockTime, one interval after scheduling', async () => {
      const { driver, fired } = await scheduled(kind, 'wall-clock', 100)
      await driver.advanceWallClockTime(99)
      assert.deepEqual(fired, [])
      await driver.advanceWallClockTime(1)
      assert.deepEqual(fired, [1100])
      await driver.advanceWallClockTime(250) // 1350: missed 1200 and 1300, fires once, next due at 1400
      assert.deepEqual(fired, [1100, 1350])
      await driver.advanceWallClockTime(49)
      assert.deepEqual(fired, [1100, 1350])
      await driver.advanceWallClockTime(1)
      assert.deepEqual(fired, [1100, 1350, 1400])
      await driver.close()
    })

    it('does not fire wall-clock punctuations when only stream time moves', async () => {
      const { driver, fired, input } = await scheduled(kind, 'wall-clock', 100)
      await input.pipeInput('a', 0, 1_000_000)
      assert.deepEqual(fired, [])
      await driver.close()
    })

    it('forwards records from a wall-clock punctuation downstream', async () => {
      const { driver, ticks } = await scheduled(kind, 'wall-clock', 100)
      await driver.advanceWallClockTime(100)
      assert.deepEqual(await ticks.readKeyValuesToList(), [['tick', 1100]])
      await driver.close()
    })

    it('stops firing once cancelled', async () => {
      const wall = await scheduled(kind, 'wall-clock', 10, 2)
      for (let i = 0; i < 5; i++) await wall.driver.advanceWallClockTime(10)
      assert.deepEqual(wall.fired, [1010, 1020])
      await wall.driver.close()

      const stream = await scheduled(kind, 'stream-time', 10, 1)
      for (const ts of [0, 10, 20, 30]) await stream.input.pipeInput('a', 0, ts)
      assert.deepEqual(stream.fired, [0])
      await stream.driver.close()
    })
  })
}
