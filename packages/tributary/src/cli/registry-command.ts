import { Command } from 'commander'
import { httpSecurityFromEnv } from '../http/http-security-from-env.ts'
import { EmbeddedLog } from '../log/embedded/index.ts'
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
    .description('serve a Confluent-compatible schema registry, stored on an embedded log')
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

Stop it with Ctrl-C (SIGINT) or SIGTERM; schemas and ids survive restarts.
With HTTP_AUTH_TOKEN (bearer) or HTTP_BASIC_AUTH=user:password set (or their _FILE), every
request must carry them (see docs/security.md).`,
    )
    .action((options: RegistryOptions) => serveRegistry(options))
}

async function serveRegistry({ port, host, dataDir }: RegistryOptions): Promise<void> {
  const security = httpSecurityFromEnv()
  const log = await EmbeddedLog.open({ dataDir, fsync: 'always' })
  try {
    const registry = await EmbeddedSchemaRegistry.open({ log })
    try {
      const server = await startRegistryServer({ ...security, registry, port, ...(host ? { host } : {}) })
      process.stdout.write(`schema registry listening on ${server.url} (data in ${dataDir})\n`)
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
