/**
 * Failures of who a client is (TLS, SASL) or what it may do (ACLs), said as one sentence with the
 * fix. A broker's refusal reaches @platformatic/kafka's callers as a tree of errors (retries,
 * brokers, per-resource protocol errors, a Node TLS error as the cause); this finds the one that
 * matters. Secrets never appear: only user-facing option and variable names.
 */

import { TributaryError } from '../../errors.ts'

interface Node {
  readonly message?: unknown
  readonly code?: unknown
  readonly apiId?: unknown
  readonly serverErrorMessage?: unknown
  readonly path?: unknown
  readonly response?: unknown
  readonly errors?: unknown
  readonly cause?: unknown
}

/** Node's codes for a server certificate it does not accept. */
const CERTIFICATE_CODES = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
])

const RESOURCES = {
  TOPIC_AUTHORIZATION_FAILED: 'topic',
  GROUP_AUTHORIZATION_FAILED: 'group',
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 'transactional-id',
  CLUSTER_AUTHORIZATION_FAILED: 'cluster',
} as const
type Resource = (typeof RESOURCES)[keyof typeof RESOURCES]

/** Each node of the tree with the nearest enclosing response (per-resource errors point into it). */
function* walk(err: unknown): Generator<{ node: Node; api?: string; response?: unknown }> {
  const seen = new Set<unknown>()
  const visit = function* (
    e: unknown,
    api: string | undefined,
    response: unknown,
  ): Generator<{ node: Node; api?: string; response?: unknown }> {
    if (e === null || typeof e !== 'object' || seen.has(e)) return
    seen.add(e)
    const node = e as Node
    const named = typeof node.message === 'string' ? /executing API (\w+)\(/.exec(node.message) : null
    const here = named?.[1] ?? api
    const res = node.response ?? response
    yield { node, ...(here === undefined ? {} : { api: here }), response: res }
    if (Array.isArray(node.errors)) for (const n of node.errors) yield* visit(n, here, res)
    yield* visit(node.cause, here, res)
  }
  yield* visit(err, undefined, undefined)
}

/** The sentence for an access failure in `err`, or undefined when it is something else. */
export function accessProblem(err: unknown): string | undefined {
  const nodes = [...walk(err)]
  for (const { node } of nodes) {
    if (typeof node.code === 'string' && CERTIFICATE_CODES.has(node.code))
      return node.code === 'ERR_TLS_CERT_ALTNAME_INVALID'
        ? `TLS: the broker's certificate is not for this address (${String(node.message)}): connect by a name it lists, or set tls.servername`
        : `TLS: the broker's certificate was refused (${node.code}: ${String(node.message)}): set tls.ca (KAFKA_SSL_CA_LOCATION) to the CA that signed it`
  }
  if (nodes.some(({ node }) => node.message === 'Broker requires TLS.'))
    return 'the broker requires TLS on this listener: set tls (KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL)'
  const login = nodes.find(({ node }) => node.apiId === 'SASL_AUTHENTICATION_FAILED')?.node
  if (login !== undefined)
    return `authentication failed (${serverSays(login)}): check sasl.username and sasl.password (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)`
  const sasl = nodes.find(
    ({ node }) => node.apiId === 'UNSUPPORTED_SASL_MECHANISM' || node.code === 'PLT_KFK_AUTHENTICATION',
  )?.node
  if (sasl !== undefined)
    return `SASL refused (${serverSays(sasl)}): check sasl.mechanism (KAFKA_SASL_MECHANISM) and that this listener takes SASL with the security protocol set (KAFKA_SECURITY_PROTOCOL)`
  for (const { node, api, response } of nodes) {
    const resource = RESOURCES[node.apiId as keyof typeof RESOURCES]
    if (resource !== undefined) return denied(resource, api, resourceName(node, response))
  }
  return undefined
}

const serverSays = (node: Node): string =>
  typeof node.serverErrorMessage === 'string' && node.serverErrorMessage
    ? `${String(node.apiId)}: ${node.serverErrorMessage}`
    : String(node.apiId ?? node.message)

/** The name of the resource a per-resource error's `path` (`/topics/0`) points at in the response. */
function resourceName(node: Node, response: unknown): string | undefined {
  if (typeof node.path !== 'string' || response === null || typeof response !== 'object') return undefined
  let at: unknown = response
  for (const step of node.path.split('/').filter(Boolean))
    at = at !== null && typeof at === 'object' ? (at as Record<string, unknown>)[step] : undefined
  if (at === null || typeof at !== 'object') return undefined
  const { name, key, resourceName: resource, transactionalId, groupId } = at as Record<string, unknown>
  const found = [name, key, resource, transactionalId, groupId].find((v) => typeof v === 'string' && v !== '')
  return found as string | undefined
}

/** The operation the broker checks for `api` on `resource` (Kafka's authorizer, per request). */
function operation(resource: Resource, api: string | undefined): string {
  if (resource === 'group') return api === 'DeleteGroups' ? 'Delete' : 'Read'
  if (resource === 'transactional-id') return 'Write'
  if (resource === 'cluster') return api === 'CreateTopics' ? 'Create' : 'IdempotentWrite'
  switch (api) {
    case 'Produce':
    case 'AddPartitionsToTxn':
      return 'Write'
    case 'Fetch':
    case 'OffsetCommit':
    case 'TxnOffsetCommit':
      return 'Read'
    case 'CreateTopics':
      return 'Create'
    case 'DeleteTopics':
    case 'DeleteRecords':
      return 'Delete'
    case 'DescribeConfigs':
      return 'DescribeConfigs'
    default:
      return 'Describe'
  }
}

function denied(resource: Resource, api: string | undefined, name: string | undefined): string {
  const op = operation(resource, api)
  const target =
    resource === 'cluster'
      ? '--cluster'
      : `--${resource} ${name ?? `<${resource === 'transactional-id' ? 'id' : resource}>`}`
  const what = resource === 'cluster' ? 'the cluster' : `${resource} '${name ?? '?'}'`
  const also =
    op === 'Describe' && resource === 'topic' ? ' (a producer also needs Write, a consumer Read)' : ''
  return (
    `not authorized: ${op} on ${what} is denied${api === undefined ? '' : ` (${api})`}${also}; ` +
    `grant it: kafka-acls.sh --add --allow-principal User:<principal> --operation ${op} ${target}`
  )
}

/** Kafka's error code for a topic the principal may not use (a Fetch answers it per partition). */
const TOPIC_AUTHORIZATION_FAILED = 29

/** Throws AUTH, naming the topic and the ACL, when a fetched partition's error is a refusal. */
export function throwIfFetchDenied(topic: string, errorCode: number): void {
  if (errorCode === TOPIC_AUTHORIZATION_FAILED)
    throw new TributaryError('AUTH', `fetch from ${topic}: ${denied('topic', 'Fetch', topic)}`)
}
