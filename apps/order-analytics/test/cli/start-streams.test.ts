import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { TopicConfig } from 'tributary-streams'
import { pipelineEnv } from '../../src/cli/context-from-env.ts'
import { ORDER_IDS_STORE } from '../../src/topology/index.ts'
import { startStreams } from '../../src/cli/start-streams.ts'
import { appFixture } from '../sink/app-fixture.ts'

describe('startStreams', () => {
  it("creates the dedupe store's changelog with its retention plus the configured additional retention", async () => {
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
    const streams = await startStreams(f.ctx, env)
    try {
      const changelog = created.find((t) => t.name.endsWith(`${ORDER_IDS_STORE}-changelog`))
      assert.equal(changelog?.cleanupPolicy, 'compact,delete')
      assert.equal(changelog?.retentionMs, 600_000)
    } finally {
      await streams.close()
      await f.cleanup()
    }
  })
})
