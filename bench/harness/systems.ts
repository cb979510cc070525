// The systems under comparison: how each is built (once per harness run) and started. Every
// runner reads the variables of bench/systems/runner-env.ts and runs until SIGTERM.
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Topology } from '../systems/runner-env.ts'

export const BENCH = join(import.meta.dirname, '..')
export const ROOT = join(BENCH, '..')
const PEERS = join(BENCH, 'peers')
const VENV = join(BENCH, '.venv')
export const PYTHON = join(VENV, 'bin', 'python')

export type SystemName = 'tributary' | 'kafka-streams' | 'quix-streams' | 'kafkats-flow'

export interface System {
  readonly system: SystemName
  /** Settings that distinguish rows of one system (record caches, threads). */
  readonly variant: string
  /** Topologies this system cannot run, with the reason the row shows. */
  readonly cannot: Partial<Record<Topology, string>>
  /** Keeps state only in memory: every start restores it from the changelogs, warm or not. */
  readonly restoresAtEveryStart?: true
  readonly command: string
  readonly args: readonly string[]
  readonly cwd: string
  readonly env: Record<string, string>
}

const run = (command: string, args: readonly string[], cwd: string): string =>
  execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })

/** The bench virtual environment: Quix Streams (the Python peer) and matplotlib (the chart). */
export function prepareVenv(): void {
  if (!existsSync(PYTHON)) run('python3', ['-m', 'venv', VENV], BENCH)
  const requirements = ['peers/quix-streams/requirements.txt', 'harness/chart-requirements.txt']
  const stamp = join(VENV, '.installed')
  const want = requirements.map((r) => readFileSync(join(BENCH, r), 'utf8')).join('\n')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return
  console.error('bench: installing Quix Streams and matplotlib into bench/.venv (pip) ...')
  run(PYTHON, ['-m', 'pip', 'install', '-q', ...requirements.flatMap((r) => ['-r', r])], BENCH)
  execFileSync('sh', ['-c', `cat > '${stamp}'`], { input: want })
}

export function prepare(names: readonly SystemName[]): void {
  if (names.includes('kafka-streams')) {
    console.error('bench: building the Kafka Streams peer (mvn package) ...')
    run('mvn', ['-q', '-B', 'package'], join(PEERS, 'kafka-streams'))
  }
  if (names.includes('kafkats-flow') && !existsSync(join(PEERS, 'kafkats-flow', 'node_modules'))) {
    console.error('bench: installing @kafkats/flow (npm ci) ...')
    run('npm', ['ci', '--no-audit', '--no-fund'], join(PEERS, 'kafkats-flow'))
  }
}

const ksClasspath = ['target/lib/*', 'target/peer.jar'].join(':')
const kafkaStreams = (variant: string, cache: 'off' | 'default'): System => ({
  system: 'kafka-streams',
  variant,
  cannot: {},
  command: 'java',
  args: ['-Xmx1g', '-cp', ksClasspath, 'bench.Main'],
  cwd: join(PEERS, 'kafka-streams'),
  env: { BENCH_CACHE: cache },
})

/** Every system row, in the order rounds run them. */
export const SYSTEMS: readonly System[] = [
  {
    system: 'tributary',
    variant: 'no record cache',
    cannot: {},
    command: process.execPath,
    args: ['--import', 'tsx', join(BENCH, 'systems', 'tributary-app.ts')],
    cwd: ROOT,
    env: {},
  },
  kafkaStreams('1 thread, cache off', 'off'),
  kafkaStreams('defaults (1 thread, 10 MB cache)', 'default'),
  {
    system: 'quix-streams',
    variant: 'defaults',
    cannot: {},
    command: PYTHON,
    args: ['app.py'],
    cwd: join(PEERS, 'quix-streams'),
    env: { PYTHONUNBUFFERED: '1' },
  },
  {
    system: 'kafkats-flow',
    variant: 'in-memory stores',
    restoresAtEveryStart: true,
    cannot: {
      windowed: '@kafkats/flow 0.12 has no suppress: it cannot emit final-only window results',
      'order-analytics':
        '@kafkats/flow 0.12 has no suppress: it cannot emit the final result of a window (orders-processed final rows, WindowClosed, anomalies)',
    },
    command: process.execPath,
    args: ['app.mjs'],
    cwd: join(PEERS, 'kafkats-flow'),
    env: {},
  },
]
