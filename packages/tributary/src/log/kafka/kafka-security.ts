import type { BaseOptions } from '@platformatic/kafka'
import { TributaryError } from '../../errors.ts'

/** TLS to the brokers. PEM text or buffers; absent `ca`: Node's trusted CAs. */
export interface KafkaTls {
  readonly ca?: string | Buffer | readonly (string | Buffer)[]
  /** Client certificate and key (mutual TLS). */
  readonly cert?: string | Buffer
  readonly key?: string | Buffer
  readonly passphrase?: string
  /** Default true. false accepts any broker certificate: for tests only. */
  readonly rejectUnauthorized?: boolean
  /** The name the broker certificate must carry; default the broker's host. */
  readonly servername?: string
}

/** A secret, or a function that returns it (called at each authentication: rotation). */
export type Secret = string | (() => string | Promise<string>)

/** SASL authentication; use it with `tls` (SASL_SSL) unless the network is trusted. */
export type KafkaSasl =
  | {
      readonly mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512'
      readonly username: string
      readonly password: Secret
    }
  | { readonly mechanism: 'oauthbearer'; readonly token: Secret }

const MECHANISMS = {
  plain: 'PLAIN',
  'scram-sha-256': 'SCRAM-SHA-256',
  'scram-sha-512': 'SCRAM-SHA-512',
  oauthbearer: 'OAUTHBEARER',
} as const

/**
 * The client options of `tls` and `sasl`. The secrets go to the client only: they are never part
 * of an error message (errors name the option, not its value).
 */
export function securityOptions(
  tls: KafkaTls | undefined,
  sasl: KafkaSasl | undefined,
): Partial<BaseOptions> {
  const out: { tls?: object; sasl?: BaseOptions['sasl'] } = {}
  if (tls !== undefined) {
    const { ca, cert, key, passphrase, rejectUnauthorized, servername } = tls
    if ((cert === undefined) !== (key === undefined))
      throw new TributaryError('CONFIG', 'tls: cert and key go together (mutual TLS needs both)')
    out.tls = {
      ...(ca === undefined ? {} : { ca: Array.isArray(ca) ? [...ca] : ca }),
      ...(cert === undefined ? {} : { cert, key }),
      ...(passphrase === undefined ? {} : { passphrase }),
      rejectUnauthorized: rejectUnauthorized ?? true,
      ...(servername === undefined ? {} : { servername }),
    }
  }
  if (sasl !== undefined) {
    const mechanism = MECHANISMS[sasl.mechanism as keyof typeof MECHANISMS]
    if (mechanism === undefined)
      throw new TributaryError(
        'CONFIG',
        `sasl.mechanism must be one of ${Object.keys(MECHANISMS).join(', ')}, got '${String(sasl.mechanism)}'`,
      )
    if (sasl.mechanism === 'oauthbearer') {
      if (!sasl.token) throw new TributaryError('CONFIG', 'sasl.token is required with oauthbearer')
      out.sasl = { mechanism, token: sasl.token } as BaseOptions['sasl']
    } else {
      if (!sasl.username || !sasl.password)
        throw new TributaryError(
          'CONFIG',
          `sasl.username and sasl.password are required with ${sasl.mechanism}`,
        )
      out.sasl = { mechanism, username: sasl.username, password: sasl.password } as BaseOptions['sasl']
    }
  }
  return out as Partial<BaseOptions>
}
