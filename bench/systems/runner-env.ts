// What the harness tells every system's runner, as environment variables (the Java and Python
// peers read the same names; see bench/peers/README.md).

export type Topology = 'stateless' | 'count' | 'windowed' | 'join' | 'order-analytics'
export type Guarantee = 'at-least-once' | 'exactly-once'

export interface RunnerEnv {
  readonly brokers: string
  readonly topology: Topology
  readonly guarantee: Guarantee
  readonly applicationId: string
  readonly stateDir: string
  readonly commitIntervalMs: number
  readonly input: string
  /** The join's table topic; order-analytics' users topic. */
  readonly table: string
  readonly output: string
  /** order-analytics' window grace when not the app's 30 s (BENCH_GRACE_MS; --order-grace-ms). */
  readonly graceMs?: number
}

export function runnerEnv(env: NodeJS.ProcessEnv = process.env): RunnerEnv {
  const get = (name: string): string => {
    const value = env[name]
    if (value === undefined || value === '') throw new Error(`${name} is not set (the harness sets it)`)
    return value
  }
  return {
    brokers: get('BENCH_BROKERS'),
    topology: get('BENCH_TOPOLOGY') as Topology,
    guarantee: get('BENCH_GUARANTEE') as Guarantee,
    applicationId: get('BENCH_APP_ID'),
    stateDir: get('BENCH_STATE_DIR'),
    commitIntervalMs: Number(get('BENCH_COMMIT_INTERVAL_MS')),
    input: get('BENCH_INPUT'),
    table: env['BENCH_TABLE'] ?? '',
    output: get('BENCH_OUTPUT'),
    ...(env['BENCH_GRACE_MS'] ? { graceMs: Number(env['BENCH_GRACE_MS']) } : {}),
  }
}

export function toEnv(r: RunnerEnv): Record<string, string> {
  return {
    BENCH_BROKERS: r.brokers,
    BENCH_TOPOLOGY: r.topology,
    BENCH_GUARANTEE: r.guarantee,
    BENCH_APP_ID: r.applicationId,
    BENCH_STATE_DIR: r.stateDir,
    BENCH_COMMIT_INTERVAL_MS: String(r.commitIntervalMs),
    BENCH_INPUT: r.input,
    BENCH_TABLE: r.table,
    BENCH_OUTPUT: r.output,
    ...(r.graceMs === undefined ? {} : { BENCH_GRACE_MS: String(r.graceMs) }),
  }
}
