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
} from 'tributary'
import { TopologyTestDriver } from 'tributary/testing'

const str = Serdes.string()
const num = Serdes.number()

const counterStore = (name = 'x') =>
  Stores.keyValueStoreBuilder(Stores.inMemoryKeyValueStore(name), Serdes.string(), Serdes.number())

/** Stream `in` → `process(supplier, { stores })` → `out`, in a driver. */
function processDriver<VR>(
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
  const driver = new TopologyTestDriver(builder.build(), { applicationId: 'proc-app' })
  return {
    driver,
    input: driver.createInputTopic('in', str, num),
    output: driver.createOutputTopic('out', str, outValue),
  }
}

describe('the processor API through KStream.process()', () => {
  it('runs a processor with a connected store: it reads and writes the store and forwards', () => {
    const { driver, input, output } = processDriver<number>(
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
    input.pipeKeyValueList([
      ['a', 1],
      ['b', 10],
      ['a', 2],
    ])
    assert.deepEqual(output.readKeyValuesToList(), [
      ['a', 1],
      ['b', 10],
      ['a', 3],
    ])
    const store = driver.getKeyValueStore<string, number>('x')
    assert.equal(store.get('a'), 3)
    assert.equal(store.get('b'), 10)
    driver.close()
  })

  it('puts the processor and its store in the description', () => {
    const builder = new StreamsBuilder()
    builder.addStateStore(counterStore())
    builder
      .stream('in', { key: str, value: num })
      .process(() => ({ process() {} }), { stores: ['x'], name: 'p' })
    assert.match(builder.build().describe(), /Processor: p \(stores: \[x\]\)/)
  })

  it('refuses to connect a store that was never added', () => {
    const builder = new StreamsBuilder()
    assert.throws(
      () =>
        builder
          .stream('in', { key: str, value: num })
          .process(() => ({ process() {} }), { stores: ['missing'] }),
      (err) => isTributaryError(err, 'TOPOLOGY') && /missing/.test(err.message),
    )
  })

  it('refuses a store that is not connected to the processor with a STATE error naming it', () => {
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
    const driver = new TopologyTestDriver(builder.build())
    assert.equal(errors.length, 2)
    for (const [i, name] of ['other', 'nowhere'].entries()) {
      const err = errors[i]
      assert.ok(isTributaryError(err, 'STATE'), String(err))
      assert.match(err.message, new RegExp(`\\bp\\b.*\\b${name}\\b`))
    }
    driver.close()
  })

  it('exposes the application id, task id, stream time and wall-clock time', () => {
    const seen: unknown[] = []
    const { driver, input } = processDriver(() => {
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
    input.pipeInput('a', 1, 100)
    input.pipeInput('b', 1, 50) // out of order: stream time stays at the max
    driver.advanceWallClockTime(7)
    input.pipeInput('c', 1, 300)
    assert.deepEqual(seen, [
      ['init', 'proc-app', '0_0', -Infinity, 0],
      ['a', 100, 0],
      ['b', 100, 0],
      ['c', 300, 7],
    ])
    driver.close()
  })

  it('reports the origin of the record being processed', () => {
    const origins: Array<RecordOrigin | undefined> = []
    const { driver, input } = processDriver(() => {
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
    input.pipeInput('a', 1)
    input.pipeInput('b', 2)
    assert.deepEqual(origins, [
      undefined,
      { topic: 'in', partition: 0, offset: 0 },
      { topic: 'in', partition: 0, offset: 1 },
    ])
    driver.close()
  })

  it('reports the physical repartition topic as the origin after a repartition', () => {
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
    const driver = new TopologyTestDriver(builder.build(), { applicationId: 'app' })
    driver.createInputTopic('in', str, num).pipeInput('a', 1)
    assert.deepEqual(origins, [{ topic: 'app-r-repartition', partition: 0, offset: 0 }])
    driver.close()
  })

  it('accepts a commit request without throwing', () => {
    const { driver, input, output } = processDriver<number>(
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
    input.pipeInput('a', 1)
    assert.deepEqual(output.readKeyValuesToList(), [['a', 1]])
    driver.close()
  })

  it('lets a processor forward records with a new timestamp and headers, or several per input', () => {
    const { driver, input, output } = processDriver<number>(
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
    input.pipeInput('a', 3, 100)
    const out = output.readRecordsToList()
    assert.deepEqual(
      out.map((r) => [r.key, r.value, r.timestamp, Object.keys(r.headers)]),
      [
        ['a', 3, 101, ['n']],
        ['a!', -3, 5, []],
      ],
    )
    driver.close()
  })

  it('closes processors when the driver closes', () => {
    let closed = 0
    const { driver } = processDriver(() => ({
      process() {},
      close() {
        closed++
      },
    }))
    driver.close()
    driver.close()
    assert.equal(closed, 1)
  })
})

describe('forwarding in a hand-built Topology', () => {
  /** in → router → (upper → out-upper, double → out-double) */
  function routed(route: (value: string) => string | undefined) {
    const topology = new Topology()
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
    const driver = new TopologyTestDriver(topology, { processingErrors: 'fail' })
    return {
      topology,
      driver,
      input: driver.createInputTopic('in', str, str),
      upper: driver.createOutputTopic('out-upper', str, str),
      double: driver.createOutputTopic('out-double', str, str),
    }
  }

  it('forwards to every child when no child is named', () => {
    const { driver, input, upper, double } = routed(() => undefined)
    input.pipeInput('k', 'ab')
    assert.deepEqual(upper.readValuesToList(), ['AB'])
    assert.deepEqual(double.readValuesToList(), ['abab'])
    driver.close()
  })

  it('forwards only to the named child', () => {
    const { driver, input, upper, double } = routed((v) => (v.startsWith('u') ? 'upper' : 'double'))
    input.pipeInput('k', 'up')
    input.pipeInput('k', 'do')
    assert.deepEqual(upper.readValuesToList(), ['UP'])
    assert.deepEqual(double.readValuesToList(), ['dodo'])
    driver.close()
  })

  it('fails with a TOPOLOGY error when the named child does not exist', () => {
    const { driver, input, upper, double } = routed(() => 'nobody')
    assert.throws(
      () => input.pipeInput('k', 'x'),
      (err) =>
        isTributaryError(err) &&
        isTributaryError((err as Error).cause, 'TOPOLOGY') &&
        /router has no child named nobody/.test(String((err as Error).cause)),
    )
    assert.ok(upper.isEmpty() && double.isEmpty())
    driver.close()
  })

  it('describes the hand-built graph', () => {
    const { topology, driver } = routed(() => undefined)
    assert.equal(
      topology.describe(),
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: src (topics: [in])',
        '      --> router',
        '    Processor: router (stores: [])',
        '      --> upper, double',
        '      <-- src',
        '    Processor: upper (stores: [])',
        '      --> upper-sink',
        '      <-- router',
        '    Processor: double (stores: [])',
        '      --> double-sink',
        '      <-- router',
        '    Sink: upper-sink (topic: out-upper)',
        '      <-- upper',
        '    Sink: double-sink (topic: out-double)',
        '      <-- double',
        '',
      ].join('\n'),
    )
    driver.close()
  })

  it('lets a processor with two parents receive records from both', () => {
    const seen: string[] = []
    const topology = new Topology()
      .addSource('a', 'in-a', { key: str, value: str })
      .addSource('b', 'in-b', { key: str, value: str })
      .addProcessor('both', () => ({ process: (r: { value: string }) => void seen.push(r.value) }), 'a', 'b')
    const driver = new TopologyTestDriver(topology)
    driver.createInputTopic('in-a', str, str).pipeInput('k', 'from-a')
    driver.createInputTopic('in-b', str, str).pipeInput('k', 'from-b')
    assert.deepEqual(seen, ['from-a', 'from-b'])
    driver.close()
  })
})

describe('building a Topology by hand', () => {
  const noop = () => ({ process() {} })

  it('refuses a processor whose parent does not exist', () => {
    assert.throws(
      () => new Topology().addProcessor('p', noop, 'ghost'),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses a node without a parent', () => {
    assert.throws(
      () => new Topology().addProcessor('p', noop),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses two nodes with the same name', () => {
    const t = new Topology().addSource('s', 'in', { key: str, value: str })
    assert.throws(
      () => t.addProcessor('s', noop, 's'),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses a child under a sink', () => {
    const t = new Topology()
      .addSource('s', 'in', { key: str, value: str })
      .addSink('out', 'out', { key: str, value: str }, 's')
    assert.throws(
      () => t.addProcessor('p', noop, 'out'),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses a topic read by two sources', () => {
    const t = new Topology().addSource('s1', 'in', { key: str, value: str })
    assert.throws(
      () => t.addSource('s2', ['other', 'in'], { key: str, value: str }),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })

  it('refuses a store registered twice and a store attached to a source', () => {
    const t = new Topology().addSource('s', 'in', { key: str, value: str }).addProcessor('p', noop, 's')
    t.addStateStore(counterStore(), 'p')
    assert.throws(
      () => t.addStateStore(counterStore()),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
    assert.throws(
      () => t.connectProcessorAndStateStores(['s'], ['x']),
      (err) => isTributaryError(err, 'TOPOLOGY'),
    )
  })
})

describe('punctuation', () => {
  /** A processor that schedules in init and records each punctuation's timestamp. */
  function scheduled(type: 'stream-time' | 'wall-clock', intervalMs: number, cancelAfter = Infinity) {
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
    const driver = new TopologyTestDriver(builder.build(), { initialWallClockTimeMs: 1000 })
    return {
      driver,
      fired,
      origins,
      input: driver.createInputTopic('in', str, num),
      ticks: driver.createOutputTopic('ticks', str, num),
    }
  }

  it('fires stream-time punctuations as input timestamps advance, once per call however far time jumps', () => {
    const { driver, fired, input } = scheduled('stream-time', 10)
    assert.deepEqual(fired, [])
    input.pipeInput('a', 0, 0) // first record: fires at stream time 0
    input.pipeInput('a', 0, 9)
    input.pipeInput('a', 0, 10) // due at 10
    input.pipeInput('a', 0, 5) // out of order: stream time stays 10
    input.pipeInput('a', 0, 19)
    input.pipeInput('a', 0, 47) // missed 20, 30, 40: fires once, next due at 50
    input.pipeInput('a', 0, 49)
    input.pipeInput('a', 0, 50)
    assert.deepEqual(fired, [0, 10, 47, 50])
    driver.close()
  })

  it('does not fire stream-time punctuations when only the wall clock moves', () => {
    const { driver, fired } = scheduled('stream-time', 10)
    driver.advanceWallClockTime(1_000_000)
    assert.deepEqual(fired, [])
    driver.close()
  })

  it('forwards records from a punctuation, with no record origin', () => {
    const { driver, input, ticks, origins } = scheduled('stream-time', 10)
    input.pipeInput('a', 0, 0)
    input.pipeInput('a', 0, 10)
    assert.deepEqual(ticks.readKeyValuesToList(), [
      ['tick', 0],
      ['tick', 10],
    ])
    assert.deepEqual(origins, [undefined, undefined])
    driver.close()
  })

  it('aligns stream-time punctuations to multiples of the interval, as Kafka Streams does', () => {
    const { driver, fired, input } = scheduled('stream-time', 10)
    input.pipeInput('a', 0, 3) // fires at 3; Kafka Streams then schedules the next at 10
    input.pipeInput('a', 0, 12)
    assert.deepEqual(fired, [3, 12])
    driver.close()
  })

  it('fires wall-clock punctuations on advanceWallClockTime, one interval after scheduling', () => {
    const { driver, fired } = scheduled('wall-clock', 100)
    driver.advanceWallClockTime(99)
    assert.deepEqual(fired, [])
    driver.advanceWallClockTime(1)
    assert.deepEqual(fired, [1100])
    driver.advanceWallClockTime(250) // 1350: missed 1200 and 1300, fires once, next due at 1400
    assert.deepEqual(fired, [1100, 1350])
    driver.advanceWallClockTime(49)
    assert.deepEqual(fired, [1100, 1350])
    driver.advanceWallClockTime(1)
    assert.deepEqual(fired, [1100, 1350, 1400])
    driver.close()
  })

  it('does not fire wall-clock punctuations when only stream time moves', () => {
    const { driver, fired, input } = scheduled('wall-clock', 100)
    input.pipeInput('a', 0, 1_000_000)
    assert.deepEqual(fired, [])
    driver.close()
  })

  it('forwards records from a wall-clock punctuation downstream', () => {
    const { driver, ticks } = scheduled('wall-clock', 100)
    driver.advanceWallClockTime(100)
    assert.deepEqual(ticks.readKeyValuesToList(), [['tick', 1100]])
    driver.close()
  })

  it('stops firing once cancelled', () => {
    const wall = scheduled('wall-clock', 10, 2)
    for (let i = 0; i < 5; i++) wall.driver.advanceWallClockTime(10)
    assert.deepEqual(wall.fired, [1010, 1020])
    wall.driver.close()

    const stream = scheduled('stream-time', 10, 1)
    for (const ts of [0, 10, 20, 30]) stream.input.pipeInput('a', 0, ts)
    assert.deepEqual(stream.fired, [0])
    stream.driver.close()
  })

  it('refuses an interval below 1 ms', () => {
    const builder = new StreamsBuilder()
    builder.stream('in', { key: str, value: num }).process(() => ({
      init(context) {
        context.schedule(0, 'wall-clock', () => {})
      },
      process() {},
    }))
    assert.throws(() => new TopologyTestDriver(builder.build()), RangeError)
  })
})
