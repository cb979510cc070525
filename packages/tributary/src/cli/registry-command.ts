import { EmbeddedLog } from '../log/embedded/index.ts'
import { EmbeddedSchemaRegistry } from '../schema/embedded-registry.ts'
import { startRegistryServer } from '../schema/registry-server.ts'
import { parseArgs } from './main.ts'

/** `tributary registry`: serves until SIGINT/SIGTERM, then closes the server, registry and log. */
export async function runRegistry(argv: readonly string[]): Promise<number> {
  const { options } = parseArgs(argv)
  const port = Number(options.get('port') ?? 8081)
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be a port number, got ${options.get('port')}`)
  const dataDir = options.get('data-dir') ?? '.tributary/registry'
  const log = await EmbeddedLog.open({ dataDir, fsync: 'always' })
  const registry = await EmbeddedSchemaRegistry.open({ log })
  const server = await startRegistryServer({ registry, port, host: options.get('host') ?? '127.0.0.1' })
  process.stdout.write(`schema registry listening on ${server.url} (data in ${dataDir})\n`)
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve)
    process.once('SIGTERM', resolve)
  })
  await server.close()
  await registry.close()
  await log.close()
  return 0
}
