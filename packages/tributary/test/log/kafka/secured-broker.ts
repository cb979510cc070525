// The secured broker of scripts/kafka-secure-start.sh (SASL_SSL, SCRAM-SHA-512, StandardAuthorizer,
// no ACL = denied) for the security integration tests of both packages. Started once per test file,
// or reused when already running (scripts/test-all.sh starts it once for the whole run); stopped
// again only by the file that started it. A broker that cannot start fails the file (never skips).
import { spawn } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import {
  AclOperations,
  AclPermissionTypes,
  Admin,
  ResourcePatternTypes,
  ResourceTypes,
  type Acl,
} from '@platformatic/kafka'
import type { KafkaLogOptions } from '../../../src/log/kafka/client-settings.ts'

const SCRIPTS = fileURLToPath(new URL('../../../../../scripts/', import.meta.url))

/** scripts/kafka-secure-start.sh's clients.json. */
export interface SecuredBroker {
  readonly bootstrap: string
  /** The controller listener (SASL PLAIN for the admin only). */
  readonly controller: string
  readonly ca: string
  readonly otherCa: string
  readonly users: Readonly<
    Record<'admin' | 'producer' | 'streams' | 'sink' | 'dashboard' | 'outsider', string>
  >
  /** Stops the broker if this process started it. */
  stop(): Promise<void>
}

function run(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [SCRIPTS + script], { stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()))
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
}

export async function startSecuredBroker(): Promise<SecuredBroker> {
  const started = await run('kafka-secure-start.sh')
  if (started.code !== 0)
    throw new Error(`scripts/kafka-secure-start.sh failed (exit ${started.code}):\n${started.stderr}`)
  const file = started.stdout.trim().split('\n').pop()!
  const ours = !started.stderr.includes('already running')
  const clients = JSON.parse(readFileSync(file, 'utf8')) as Omit<SecuredBroker, 'stop'>
  return {
    ...clients,
    async stop() {
      if (ours) await run('kafka-secure-stop.sh')
    },
  }
}

/** KafkaLog options for `user` over SASL_SSL with the broker's CA. */
export const securedOptions = (
  broker: SecuredBroker,
  user: keyof SecuredBroker['users'],
  password: string = broker.users[user],
): KafkaLogOptions => ({
  brokers: [broker.bootstrap],
  clientId: `security-it-${user}`,
  tls: { ca: readFileSync(broker.ca, 'utf8') },
  sasl: { mechanism: 'scram-sha-512', username: user, password },
})

/** Runs `fn` with an @platformatic/kafka Admin of the super user (ACLs are not part of the Log). */
async function asSuperUser<T>(broker: SecuredBroker, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = new Admin({
    clientId: 'security-it-acls',
    bootstrapBrokers: [broker.bootstrap],
    tls: { ca: readFileSync(broker.ca, 'utf8') },
    sasl: { mechanism: 'SCRAM-SHA-512', username: 'admin', password: broker.users.admin },
  })
  try {
    return await fn(admin)
  } finally {
    await admin.close()
  }
}

/** Adds ACL bindings. */
export const grantAcls = (broker: SecuredBroker, acls: readonly Acl[]): Promise<void> =>
  asSuperUser(broker, (admin) => admin.createAcls({ creations: [...acls] }))

/** Every binding of `principal` (a filter for describeAcls and deleteAcls). */
const everythingOf = (principal: string) => ({
  resourceType: ResourceTypes.ANY,
  resourceName: null,
  resourcePatternType: ResourcePatternTypes.ANY,
  principal,
  host: null,
  operation: AclOperations.ANY,
  permissionType: AclPermissionTypes.ANY,
})

/** Removes every ACL binding of these principals (`User:sink`), so a test starts from none. */
export const revokeAllAcls = (broker: SecuredBroker, principals: readonly string[]): Promise<unknown> =>
  asSuperUser(broker, (admin) => admin.deleteAcls({ filters: principals.map(everythingOf) }))

/** The ACL bindings of `principal` now on the broker. */
export const listAcls = (broker: SecuredBroker, principal: string): Promise<unknown[]> =>
  asSuperUser(broker, (admin) => admin.describeAcls({ filter: everythingOf(principal) }))

/** The environment of docs/security.md for `user` (password in `passwordFile`, written here). */
export function securedEnv(
  broker: SecuredBroker,
  user: keyof SecuredBroker['users'],
  passwordFile: string,
): Record<string, string> {
  writeFileSync(passwordFile, broker.users[user])
  return {
    KAFKA_BROKERS: broker.bootstrap,
    KAFKA_SECURITY_PROTOCOL: 'SASL_SSL',
    KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
    KAFKA_SASL_USERNAME: user,
    KAFKA_SASL_PASSWORD_FILE: passwordFile,
    KAFKA_SSL_CA_LOCATION: broker.ca,
  }
}
