import { Command } from 'commander'
import { httpSecurityFromEnv } from '../http/http-security-from-env.ts'
import { EmbeddedLog } from '../log/embedded/index.ts'
import type { Log } from '../log/log.ts'
import { EmbeddedSchemaRegistry } from '../schema/embedded-registry.ts'
import { startRegistryServer } from '../schema/registry-server.ts'
import { portNumber } from './run-command-line.ts'

interface RegistryOptions {
  readonly port: number
  readonly host?: string
  readonly dataDir: string
}

/** `tributary registry`: serves until SIGINT/SIGTERM, then closes the server, registry and log. */
export function registryCommand(): Command {
  return new Command('registry')
    .description(
      'serve a Confluent-compatible schema registry, stored on an embedded log (or Kafka: KAFKA_BROKERS)',
    )
    .option('-p, --port <number>', 'port to listen on (0: any free port)', portNumber, 8081)
    .option('--host <address>', 'interface to listen on (default: env HOST, else 127.0.0.1)')
    .option('-d, --data-dir <dir>', 'where the registry keeps its log', '.tributary/registry')
    .addHelpText(
      'after',
      `
Examples:
  $ tributary registry
  $ tributary registry --port 18081 --data-dir /var/lib/tributary/registry
  $ tributary registry --host 0.0.0.0   # reachable from other machines

  $ KAFKA_BROKERS=kafka-1:9093 KAFKA_SECURITY_PROTOCOL=SASL_SSL ... tributary registry

Stop it with Ctrl-C (SIGINT) or SIGTERM; schemas and ids survive restarts.
With KAFKA_BROKERS set, schemas live in the topic _schemas of that cluster, reached with the
KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_* and KAFKA_SSL_* settings of docs/security.md.
With HTTP_AUTH_TOKEN (bearer) or HTTP_BASIC_AUTH=user:password set (or their _FILE), every
request must carry them (see docs/security.md).`,
    )
    .action((options: RegistryOptions) => serveRegistry(options))
}

async function serveRegistry({ port, host, dataDir }: RegistryOptions): Promise<void> {
  const security = httpSecurityFromEnv()
  const log = await openLog(dataDir)
  try {
    const registry = await EmbeddedSchemaRegistry.open({ log })
    try {
      const server = await startRegistryServer({ ...security, registry, port, ...(host ? { host } : {}) })
      const where = process.env['KAFKA_BROKERS']
        ? `topic _schemas on ${process.env['KAFKA_BROKERS']}`
        : dataDir
      process.stdout.write(`schema registry listening on ${server.url} (data in ${where})\n`)
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve)
        process.once('SIGTERM', resolve)
      })
      await server.close()
    } finally {
      await registry.close()
    }
  } finally {
    await log.close()
  }
}

/** Kafka when KAFKA_BROKERS is set (TLS and SASL from the environment), else the embedded log. */
async function openLog(dataDir: string): Promise<Log> {
  if (!process.env['KAFKA_BROKERS']) return EmbeddedLog.open({ dataDir, fsync: 'always' })
  // Loaded only when asked for: @platformatic/kafka is an optional peer dependency.
  const { KafkaLog, kafkaOptionsFromEnv } = await import('../log/kafka/index.ts')
  return KafkaLog.connect(kafkaOptionsFromEnv(process.env, 'tributary-registry')!)
}
