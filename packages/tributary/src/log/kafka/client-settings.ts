import type { BaseOptions } from '@platformatic/kafka'
import { TributaryError } from '../../errors.ts'
import { securityOptions, type KafkaSasl, type KafkaTls } from './kafka-security.ts'

/** Connection settings of a KafkaLog, passed on to every client it makes. */
export interface KafkaLogOptions {
  /** Bootstrap brokers, `host:port`. */
  readonly brokers: readonly string[]
  /** Prefix of the client id each connection reports to the broker; default `tributary`. */
  readonly clientId?: string
  /** TLS to the brokers (SSL / SASL_SSL); absent: plaintext. */
  readonly tls?: KafkaTls
  /** SASL authentication (plain, scram-sha-256, scram-sha-512, oauthbearer); absent: none. */
  readonly sasl?: KafkaSasl
  /** Passed to @platformatic/kafka as is (TLS, SASL, timeouts, retries); see its Base client docs. */
  readonly client?: Omit<Partial<BaseOptions>, 'clientId' | 'bootstrapBrokers'>
  /** Consumer group session timeout; default 10000 (the broker allows 6000 to 300000). */
  readonly sessionTimeoutMs?: number
  /** How long a rebalance waits for members to rejoin; default 30000. */
  readonly rebalanceTimeoutMs?: number
  /** Group heartbeat period; default 1000. */
  readonly heartbeatIntervalMs?: number
  /** Transaction timeout of transactional producers; default 60000. */
  readonly transactionTimeoutMs?: number
}

export interface ClientSettings {
  readonly clientId: string
  readonly base: BaseOptions
  readonly sessionTimeoutMs: number
  readonly rebalanceTimeoutMs: number
  readonly heartbeatIntervalMs: number
  readonly transactionTimeoutMs: number
}

let clientSeq = 0

/** Validates options (CONFIG naming the key on a bad one) and fills in defaults. */
export function toClientSettings(options: KafkaLogOptions): ClientSettings {
  if (!Array.isArray(options.brokers) || options.brokers.length === 0) {
    throw new TributaryError('CONFIG', 'brokers must list at least one host:port, e.g. 127.0.0.1:9092')
  }
  for (const broker of options.brokers) {
    if (!/^[^:\s]+:\d+$/.test(broker))
      throw new TributaryError('CONFIG', `brokers: '${broker}' is not host:port`)
  }
  const positive = (key: keyof KafkaLogOptions, fallback: number): number => {
    const value = options[key] ?? fallback
    if (typeof value !== 'number' || !(value > 0)) {
      throw new TributaryError(
        'CONFIG',
        `${key} must be a positive number of milliseconds, got ${String(value)}`,
      )
    }
    return value
  }
  const clientId = options.clientId ?? 'tributary'
  return {
    clientId,
    base: {
      retries: 5,
      retryDelay: 200,
      timeout: 30_000,
      connectTimeout: 5_000,
      ...options.client,
      ...securityOptions(options.tls, options.sasl),
      clientId,
      bootstrapBrokers: [...options.brokers],
    },
    sessionTimeoutMs: positive('sessionTimeoutMs', 10_000),
    rebalanceTimeoutMs: positive('rebalanceTimeoutMs', 30_000),
    heartbeatIntervalMs: positive('heartbeatIntervalMs', 1_000),
    transactionTimeoutMs: positive('transactionTimeoutMs', 60_000),
  }
}

/** Base options for one client, with a distinct client id (`<prefix>-<role>-<n>`). */
export const clientOptions = (settings: ClientSettings, role: string): BaseOptions => ({
  ...settings.base,
  clientId: `${settings.clientId}-${role}-${++clientSeq}`,
})
