import { readFileSync } from 'node:fs'
import { TributaryError } from '../../errors.ts'
import { secretFromEnv } from '../../secret-from-env.ts'
import type { KafkaLogOptions } from './client-settings.ts'
import type { KafkaSasl, KafkaTls } from './kafka-security.ts'

type Env = Readonly<Record<string, string | undefined>>

const PROTOCOLS = ['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL'] as const

/**
 * KafkaLog options from the environment, named after the Kafka client's config keys:
 * KAFKA_BROKERS (comma-separated host:port), KAFKA_SECURITY_PROTOCOL (PLAINTEXT, the default, SSL,
 * SASL_PLAINTEXT or SASL_SSL), KAFKA_SASL_MECHANISM (PLAIN, SCRAM-SHA-256, SCRAM-SHA-512,
 * OAUTHBEARER), KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD, KAFKA_SASL_OAUTHBEARER_TOKEN,
 * KAFKA_SSL_CA_LOCATION, KAFKA_SSL_CERTIFICATE_LOCATION, KAFKA_SSL_KEY_LOCATION,
 * KAFKA_SSL_KEY_PASSWORD, KAFKA_SSL_ENABLE_CERTIFICATE_VERIFICATION (default true). Each secret
 * also as `<NAME>_FILE`. Undefined when KAFKA_BROKERS is unset.
 */
export function kafkaOptionsFromEnv(env: Env = process.env, clientId?: string): KafkaLogOptions | undefined {
  const brokers = (env['KAFKA_BROKERS'] ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean)
  if (brokers.length === 0) return undefined
  const protocol = (env['KAFKA_SECURITY_PROTOCOL'] || 'PLAINTEXT').toUpperCase()
  if (!(PROTOCOLS as readonly string[]).includes(protocol))
    throw new TributaryError(
      'CONFIG',
      `KAFKA_SECURITY_PROTOCOL must be one of ${PROTOCOLS.join(', ')}, got '${protocol}'`,
    )
  const usesSasl = protocol.startsWith('SASL_')
  const usesTls = protocol.endsWith('SSL')
  if (!usesSasl && env['KAFKA_SASL_MECHANISM'])
    throw new TributaryError(
      'CONFIG',
      `KAFKA_SASL_MECHANISM is set but KAFKA_SECURITY_PROTOCOL is ${protocol}: use SASL_SSL`,
    )
  const tls = usesTls ? tlsFromEnv(env) : undefined
  const sasl = usesSasl ? saslFromEnv(env) : undefined
  return {
    brokers,
    ...(clientId === undefined ? {} : { clientId }),
    ...(tls === undefined ? {} : { tls }),
    ...(sasl === undefined ? {} : { sasl }),
  }
}

function pem(env: Env, name: string): string | undefined {
  const path = env[name]
  if (!path) return undefined
  try {
    return readFileSync(path, 'utf8')
  } catch (err) {
    throw new TributaryError(
      'CONFIG',
      `${name}: cannot read '${path}' (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`,
    )
  }
}

function tlsFromEnv(env: Env): KafkaTls {
  const ca = pem(env, 'KAFKA_SSL_CA_LOCATION')
  const cert = pem(env, 'KAFKA_SSL_CERTIFICATE_LOCATION')
  const key = pem(env, 'KAFKA_SSL_KEY_LOCATION')
  const passphrase = secretFromEnv(env, 'KAFKA_SSL_KEY_PASSWORD')
  const verify = (env['KAFKA_SSL_ENABLE_CERTIFICATE_VERIFICATION'] || 'true').toLowerCase()
  if (verify !== 'true' && verify !== 'false')
    throw new TributaryError(
      'CONFIG',
      `KAFKA_SSL_ENABLE_CERTIFICATE_VERIFICATION must be true or false, got '${verify}'`,
    )
  return {
    ...(ca === undefined ? {} : { ca }),
    ...(cert === undefined ? {} : { cert }),
    ...(key === undefined ? {} : { key }),
    ...(passphrase === undefined ? {} : { passphrase }),
    rejectUnauthorized: verify === 'true',
  }
}

function saslFromEnv(env: Env): KafkaSasl {
  const mechanism = (env['KAFKA_SASL_MECHANISM'] || '').toUpperCase()
  if (mechanism === 'OAUTHBEARER') {
    const file = env['KAFKA_SASL_OAUTHBEARER_TOKEN_FILE']
    // A token file is read at each authentication, so a sidecar can refresh it.
    const token = file
      ? () => readFileSync(file, 'utf8').trim()
      : secretFromEnv(env, 'KAFKA_SASL_OAUTHBEARER_TOKEN')
    if (token === undefined)
      throw new TributaryError(
        'CONFIG',
        'KAFKA_SASL_OAUTHBEARER_TOKEN (or _FILE) is required with OAUTHBEARER',
      )
    return { mechanism: 'oauthbearer', token }
  }
  if (mechanism !== 'PLAIN' && mechanism !== 'SCRAM-SHA-256' && mechanism !== 'SCRAM-SHA-512')
    throw new TributaryError(
      'CONFIG',
      `KAFKA_SASL_MECHANISM must be PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER, got '${mechanism}'`,
    )
  const username = env['KAFKA_SASL_USERNAME']
  const password = secretFromEnv(env, 'KAFKA_SASL_PASSWORD')
  if (!username || password === undefined)
    throw new TributaryError(
      'CONFIG',
      `KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD (or _FILE) are required with ${mechanism}`,
    )
  return {
    mechanism: mechanism.toLowerCase() as 'plain' | 'scram-sha-256' | 'scram-sha-512',
    username,
    password,
  }
}
