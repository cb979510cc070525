// The Tributary runner: one StreamsApp on KafkaLog running a benchmark topology until SIGTERM,
// then a clean close (final commit). Started by the harness with the variables of runner-env.ts.
import { StreamsApp } from 'tributary-streams'
import { KafkaLog } from 'tributary-streams/kafka'
import { runnerEnv } from './runner-env.ts'
import { benchTopology } from './tributary-topologies.ts'

const env = runnerEnv()
const log = await KafkaLog.connect({ brokers: [env.brokers], clientId: env.applicationId })
const silent = { debug() {}, info() {}, warn() {}, error: console.error }
const app = new StreamsApp(benchTopology(env), {
  applicationId: env.applicationId,
  dataDir: env.stateDir,
  log,
  processingGuarantee: env.guarantee,
  commitIntervalMs: env.commitIntervalMs,
  processingErrors: 'fail',
  deserializationErrors: 'fail',
  logger: silent,
})
let closing = false
process.on('SIGTERM', () => {
  if (closing) return
  closing = true
  void app
    .close()
    .then(() => log.close())
    .then(() => process.exit(0))
})
await app.start()
await app.done.catch((err: unknown) => {
  console.error(err)
  process.exit(1)
})
