import { after, before, describe, it } from 'node:test'
import { appFixture, type AppFixture } from '../sink/app-fixture.ts'
import { traceReachesTheSink } from './trace-chain.ts'

describe('tracing through the order-analytics pipeline (embedded log)', () => {
  let fixture: AppFixture
  before(async () => {
    fixture = await appFixture()
  })
  after(() => fixture.cleanup())

  it('carries the trace of a produced order through the repartitions, the users join and the window to the sink, with links to what built each result', () =>
    traceReachesTheSink(fixture))
})
