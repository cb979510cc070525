import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  EmbeddedLog,
  JoinWindows,
  Serdes,
  SessionWindows,
  Stores,
  StreamsBuilder,
  TimeWindows,
  type Admin,
  type TopicConfig,
} from 'tributary-streams'
import { planTopics, topicNames } from '../../src/runtime/topic-plan.ts'

const str = Serdes.string()
const MINUTE = 60_000
const DAY = 24 * 3600_000

/** One store of each kind, each with a changelog. */
function topology() {
  const builder = new StreamsBuilder()
  const clicks = builder.stream('clicks', { key: str, value: str })
  const grouped = clicks.groupByKey()
  grouped.count({ name: 'totals' })
  grouped.windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 5000)).count({ name: 'per-minute' })
  grouped.windowedBy(TimeWindows.ofSizeWithNoGrace(MINUTE)).count({ name: 'kept-long', retentionMs: 3 * DAY })
  grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(10_000, 2000)).count({ name: 'sessions' })
  clicks.join(clicks, (a, b) => a + b, JoinWindows.ofTimeDifferenceAndGrace(1000, 500), {
    name: 'self',
  })
  const window = Stores.persistentWindowStore('custom', { retentionMs: 7 * MINUTE, windowSizeMs: MINUTE })
  builder.addStateStore(Stores.windowStoreBuilder(window, str, str))
  builder.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore('lookup'), str, str))
  builder.addStateStore(
    Stores.windowStoreBuilder(
      Stores.inMemoryWindowStore('unlogged', { retentionMs: MINUTE, windowSizeMs: MINUTE }),
      str,
      str,
    ).withLoggingDisabled(),
  )
  clicks.process(() => ({ process() {} }), { stores: ['custom', 'lookup', 'unlogged'] })
  return builder.build()
}

/** Plans the topology's topics on an embedded log; returns the changelog configs it created. */
async function plannedChangelogs(additionalRetentionMs: number): Promise<Map<string, TopicConfig>> {
  const log = await EmbeddedLog.open()
  await log.admin.createTopics([{ name: 'clicks', partitions: 2 }])
  const created: TopicConfig[] = []
  const admin: Admin = {
    ...log.admin,
    describeTopics: (names) => log.admin.describeTopics(names),
    listTopics: () => log.admin.listTopics(),
    createTopics: async (topics) => {
      created.push(...topics)
      await log.admin.createTopics(topics)
    },
  }
  const t = topology()
  const stores = new Map([...t.stores].filter(([, s]) => s.loggingEnabled))
  await planTopics(
    admin,
    t,
    topicNames('app', t),
    { loggedStores: stores, additionalRetentionMs, warn() {} },
    [],
  )
  await log.close()
  return new Map(created.filter((c) => c.name.endsWith('-changelog')).map((c) => [c.name, c]))
}

describe('changelog topics', () => {
  it('are compact for key-value stores and compact,delete with the store retention plus one day for windowed and session stores', async () => {
    const changelogs = await plannedChangelogs(DAY)
    const policy = (store: string) => {
      const c = changelogs.get(`app-${store}-changelog`)
      return c === undefined ? 'none' : [c.cleanupPolicy, c.retentionMs]
    }
    assert.deepEqual(policy('totals'), ['compact', undefined])
    assert.deepEqual(policy('lookup'), ['compact', undefined])
    assert.deepEqual(
      policy('per-minute'),
      ['compact,delete', MINUTE + 5000 + DAY],
      'window size + grace + 1 day',
    )
    assert.deepEqual(policy('kept-long'), ['compact,delete', 3 * DAY + DAY], 'the explicit retention + 1 day')
    assert.deepEqual(policy('sessions'), ['compact,delete', 12_000 + DAY], 'gap + grace + 1 day')
    assert.deepEqual(policy('custom'), ['compact,delete', 7 * MINUTE + DAY])
    assert.equal(policy('unlogged'), 'none')
    const joins = [...changelogs.values()].filter((c) => c.name.startsWith('app-self-'))
    assert.equal(joins.length, 2, [...changelogs.keys()].join(', '))
    for (const j of joins)
      assert.deepEqual([j.cleanupPolicy, j.retentionMs], ['compact,delete', 2000 + 500 + DAY])
    for (const c of changelogs.values()) assert.equal(c.partitions, 2)
  })

  it('take the additional retention from the config (windowstore.changelog.additional.retention.ms)', async () => {
    const changelogs = await plannedChangelogs(0)
    assert.equal(changelogs.get('app-per-minute-changelog')?.retentionMs, MINUTE + 5000)
    assert.equal(changelogs.get('app-totals-changelog')?.retentionMs, undefined)
  })
})
