// The tracing test of tracing.test.ts on a real Kafka broker (KAFKA_BROKERS; fails, never skips,
// without one): the trace context travels in record headers through Kafka's repartition topics.
import { after, before, describe, it } from 'node:test'
import { KafkaLog } from 'tributary-streams/kafka'
import { appFixture, type AppFixture } from '../sink/app-fixture.ts'
import { traceReachesTheSink } from './trace-chain.ts'

const brokers = process.env['KAFKA_BROKERS'] ?? ''
const runId = `oa-trace-${Date.now().toString(36)}-${process.pid}`

describe('tracing through the order-analytics pipeline (Kafka)', () => {
  let fixture: AppFixture
  before(async () => {
    if (brokers === '') throw new Error('KAFKA_BROKERS is not set: run `npm run kafka:start` and set it')
    const log = await KafkaLog.connect({ brokers: brokers.split(',').map((b) => b.trim()), clientId: runId })
    fixture = await appFixture({ log, prefix: `${runId}-`, applicationId: runId })
  })
  after(() => fixture?.cleanup())

  it('carries the trace of a produced order through the repartitions, the users join and the window to the sink, with links to what built each result', () =>
    traceReachesTheSink(fixture))
})
