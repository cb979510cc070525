// What the results were measured on: the machine, the load it was under, and each system's version.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { cpus, release, totalmem } from 'node:os'
import { join } from 'node:path'
import { loadAverage } from './process-meter.ts'
import { BENCH, PYTHON, ROOT } from './systems.ts'

const quiet = (command: string, args: readonly string[]): string => {
  try {
    return execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim()
  } catch {
    return 'unavailable'
  }
}
const version = (file: string): string =>
  (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version

export function machine(): Record<string, unknown> {
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model ?? 'unknown',
    memory_gb: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    load_avg_1m_at_start: loadAverage(),
  }
}

export function versions(): Record<string, string> {
  const pom = readFileSync(join(BENCH, 'peers', 'kafka-streams', 'pom.xml'), 'utf8')
  return {
    node: process.version,
    java: quiet('sh', ['-c', 'java -version 2>&1']).split('\n')[0] ?? '',
    'tributary-streams': version(join(ROOT, 'packages', 'tributary', 'package.json')),
    '@platformatic/kafka': version(join(ROOT, 'node_modules', '@platformatic', 'kafka', 'package.json')),
    'kafka broker':
      /<kafka.version>([^<]+)/.exec(readFileSync(join(ROOT, 'scripts', 'kafka', 'pom.xml'), 'utf8'))?.[1] ??
      '',
    'kafka-streams': /<kafka.version>([^<]+)/.exec(pom)?.[1] ?? '',
    python: quiet(PYTHON, ['--version']),
    quixstreams: quiet(PYTHON, ['-c', 'import quixstreams; print(quixstreams.__version__)']),
    '@kafkats/flow': quiet(process.execPath, [
      '-e',
      `console.log(require(${JSON.stringify(join(BENCH, 'peers', 'kafkats-flow', 'node_modules', '@kafkats', 'flow', 'package.json'))}).version)`,
    ]),
  }
}
