// Exits 0 once a Kafka broker at the given bootstrap address answers a metadata request with at
// least one registered broker, else 1 after the deadline. Used by scripts/kafka-start.sh and
// scripts/test-all.sh; plain ESM so it runs without tsx.
//   node scripts/kafka/wait-ready.mjs <host:port> [timeoutSeconds]
// For a secured listener (scripts/kafka-secure-start.sh): WAIT_TLS_CA (PEM file) turns TLS on,
// WAIT_SASL_USERNAME / WAIT_SASL_PASSWORD add SCRAM-SHA-512.
import { readFileSync } from 'node:fs'
import { Admin } from '@platformatic/kafka'

const bootstrap = process.argv[2] ?? '127.0.0.1:9092'
const timeoutMs = Number(process.argv[3] ?? 60) * 1000
const deadline = Date.now() + timeoutMs
let lastError = 'no answer yet'

while (Date.now() < deadline) {
  const admin = new Admin({
    clientId: 'tributary-wait-ready',
    bootstrapBrokers: [bootstrap],
    retries: 0,
    timeout: 2000,
    connectTimeout: 1000,
    ...security(),
  })
  try {
    const metadata = await admin.metadata({ topics: [], forceUpdate: true })
    if (metadata.brokers.size > 0) {
      await admin.close().catch(() => undefined)
      process.exit(0)
    }
    lastError = 'metadata lists no broker yet'
  } catch (err) {
    lastError = err instanceof Error ? err.message : String(err)
  }
  await admin.close().catch(() => undefined)
  await new Promise((resolve) => setTimeout(resolve, 500))
}
console.error(`kafka at ${bootstrap} not ready after ${timeoutMs / 1000}s: ${lastError}`)
process.exit(1)

function security() {
  const ca = process.env.WAIT_TLS_CA
  const username = process.env.WAIT_SASL_USERNAME
  return {
    ...(ca ? { tls: { ca: readFileSync(ca, 'utf8') } } : {}),
    ...(username
      ? { sasl: { mechanism: 'SCRAM-SHA-512', username, password: process.env.WAIT_SASL_PASSWORD ?? '' } }
      : {}),
  }
}
