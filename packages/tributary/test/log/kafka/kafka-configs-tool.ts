import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)
const ROOT = resolve(import.meta.dirname, '../../../../..')

/**
 * A topic's configs as Kafka's own `kafka-configs.sh --describe` reports them (its class,
 * kafka.admin.ConfigCommand, from the jars `scripts/kafka-start.sh` fetched), so a test checks
 * what the broker holds rather than what our client reads back. Only the topic's own (dynamic)
 * configs are listed, not the broker's defaults.
 */
export async function describeTopicConfigs(
  brokers: readonly string[],
  topic: string,
): Promise<Map<string, string>> {
  const libs = join(process.env['KAFKA_DIR'] ?? join(ROOT, '.kafka'), 'libs')
  if (!existsSync(libs))
    throw new Error(`no Kafka jars in ${libs}: run \`npm run kafka:start\` (or set KAFKA_DIR)`)
  const args = ['-cp', `${libs}/*`, 'kafka.admin.ConfigCommand', '--bootstrap-server', brokers.join(',')]
  const { stdout } = await run('java', [
    ...args,
    '--entity-type',
    'topics',
    '--entity-name',
    topic,
    '--describe',
  ])
  const configs = new Map<string, string>()
  for (const match of stdout.matchAll(/^\s+([a-z.]+)=(\S*) sensitive=/gm)) configs.set(match[1]!, match[2]!)
  return configs
}
