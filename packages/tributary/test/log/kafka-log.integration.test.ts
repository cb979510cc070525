import { after } from 'node:test'
import { KafkaLog } from '../../src/log/kafka/index.ts'
import { forceCompaction } from './kafka/force-compaction.ts'
import { logContract } from './log-contract.ts'

// The Log contract against a real broker: `npm run kafka:start` (or any Kafka 3.5 to 4.1 at
// KAFKA_BROKERS, comma-separated host:port). Unreachable is a failure, never a skip.
const brokers = (process.env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(',').map((b) => b.trim())
let unreachable: Error | undefined
// node:test runs no afterEach for a test that skipped itself (t.skip), so logs are also closed here.
const open = new Set<KafkaLog>()
after(() => Promise.all([...open].map((log) => log.close())))

logContract('kafka', async () => {
  if (unreachable !== undefined) throw unreachable
  let log: KafkaLog
  try {
    log = await KafkaLog.connect({ brokers, clientId: 'tributary-contract', client: { retries: 1 } })
  } catch (err) {
    unreachable = new Error(
      `Kafka is not reachable at ${brokers.join(',')}: start it with \`npm run kafka:start\` ` +
        `(or set KAFKA_BROKERS). ${err instanceof Error ? err.message : String(err)}`,
      { cause: err },
    )
    throw unreachable
  }
  open.add(log)
  return {
    log,
    compact: (topic) => forceCompaction(log, topic),
    cleanup: async () => {
      open.delete(log)
      await log.close()
    },
  }
})
