import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { describe, it } from 'node:test'
import type { TopicConfig } from 'tributary-streams'
import { pipelineEnv } from '../../src/cli/context-from-env.ts'
import { ORDER_IDS_STORE } from '../../src/topology/index.ts'
import { startStreams } from '../../src/cli/start-streams.ts'
import { appFixture } from '../sink/app-fixture.ts'

describe('pipelineEnv', () => {
  it('reads the address space of each state store, refusing less than 1 MiB in one line naming the variable', () => {
    assert.equal(pipelineEnv({ TRIBUTARY_LMDB_MAP_SIZE_BYTES: '67108864' }).lmdbMapSizeBytes, 67_108_864)
    assert.equal(pipelineEnv({}).lmdbMapSizeBytes, undefined, "unset: the library's")
    assert.throws(
      () => pipelineEnv({ TRIBUTARY_LMDB_MAP_SIZE_BYTES: '64M' }),
      /^TributaryError: TRIBUTARY_LMDB_MAP_SIZE_BYTES must be an integer >= 1048576, got '64M'$/,
    )
  })
})

describe('startStreams', () => {
  it("creates the dedupe store's changelog with its retention plus the configured additional retention, and maps each store's configured address space", async () => {
    const env = pipelineEnv({
      ORDERS_DEDUPE_RETENTION_MS: '600000',
      TRIBUTARY_WINDOW_CHANGELOG_ADDITIONAL_RETENTION_MS: '0',
    })
    assert.equal(env.windowChangelogAdditionalRetentionMs, 0)
    assert.equal(pipelineEnv({}).windowChangelogAdditionalRetentionMs, undefined, "unset: the library's")
    const f = await appFixture()
    const created: TopicConfig[] = []
    const createTopics = f.ctx.log.admin.createTopics.bind(f.ctx.log.admin)
    f.ctx.log.admin.createTopics = async (topics) => {
      created.push(...topics)
      return createTopics(topics)
    }
    const streams = await startStreams(f.ctx, { ...env, lmdbMapSizeBytes: 64 * 1024 ** 2 })
    try {
      const changelog = created.find((t) => t.name.endsWith(`${ORDER_IDS_STORE}-changelog`))
      assert.equal(changelog?.cleanupPolicy, 'compact,delete')
      assert.equal(changelog?.retentionMs, 600_000)
      // Its lmdb stores map the address space configured (Linux: /proc/self/maps).
      const maps = async (): Promise<number[]> => {
        for (let waited = 0; waited < 30_000; waited += 100) {
          const sizes = readFileSync('/proc/self/maps', 'utf8')
            .split('\n')
            .filter((line) => line.includes(f.ctx.dataDir) && line.trimEnd().endsWith('data.mdb'))
            .map((line) =>
              line
                .split(' ')[0]!
                .split('-')
                .map((a) => parseInt(a, 16)),
            )
            .map(([from, to]) => to! - from!)
          if (sizes.length > 0) return sizes
          await new Promise((resolve) => setTimeout(resolve, 100))
        }
        return []
      }
      const sizes = await maps()
      assert.ok(sizes.length > 0, 'the streams job opened its stores')
      assert.deepEqual(new Set(sizes), new Set([64 * 1024 ** 2]))
    } finally {
      await streams.close()
      await f.cleanup()
    }
  })
})
