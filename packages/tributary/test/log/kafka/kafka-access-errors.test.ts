import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { accessProblem } from '../../../src/log/kafka/kafka-access-errors.ts'
import { toTributaryError } from '../../../src/log/kafka/kafka-errors.ts'

// Error trees shaped as @platformatic/kafka builds them (retries > brokers > network error > cause;
// a response error holding per-resource protocol errors that point into the response).
const retries = (...errors: unknown[]) => Object.assign(new Error('metadata failed 6 times.'), { errors })
const tlsFailure = (code: string, message: string) =>
  retries(
    Object.assign(new Error('Cannot connect to any broker.'), {
      errors: [
        new Error('Connection to 127.0.0.1:9094 failed.', {
          cause: Object.assign(new Error(message), { code }),
        }),
      ],
    }),
  )
const denied = (api: string, apiId: string, path: string, response: object) =>
  Object.assign(new Error(`Received response with error while executing API ${api}(v6)`), {
    response,
    errors: [Object.assign(new Error('Authorization failed.'), { apiId, path, serverErrorMessage: null })],
  })

describe('accessProblem', () => {
  it('names a refused broker certificate and the CA setting', () => {
    const err = toTributaryError(
      tlsFailure('SELF_SIGNED_CERT_IN_CHAIN', 'self-signed certificate in certificate chain'),
      'cannot reach Kafka at k:9094',
    )
    assert.equal(err.code, 'AUTH')
    assert.equal(
      err.message,
      "cannot reach Kafka at k:9094: TLS: the broker's certificate was refused (SELF_SIGNED_CERT_IN_CHAIN: self-signed certificate in certificate chain): set tls.ca (KAFKA_SSL_CA_LOCATION) to the CA that signed it",
    )
  })

  it('prefers a failed login over the SASL wrapper around it', () => {
    const login = Object.assign(new Error('SASL authentication failed.'), {
      code: 'PLT_KFK_AUTHENTICATION',
      cause: Object.assign(new Error('x'), {
        apiId: 'SASL_AUTHENTICATION_FAILED',
        serverErrorMessage: 'invalid credentials',
      }),
    })
    assert.equal(
      accessProblem(retries(login)),
      'authentication failed (SASL_AUTHENTICATION_FAILED: invalid credentials): check sasl.username and sasl.password (KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD)',
    )
  })

  it('names the denied resource from the response and the operation of the request', () => {
    const produce = denied('Produce', 'TOPIC_AUTHORIZATION_FAILED', '/responses/0', {
      responses: [{ name: 'orders-raw' }],
    })
    assert.match(
      accessProblem(produce)!,
      /^not authorized: Write on topic 'orders-raw' is denied \(Produce\); grant it: kafka-acls.sh --add --allow-principal User:<principal> --operation Write --topic orders-raw$/,
    )
    const group = denied('FindCoordinator', 'GROUP_AUTHORIZATION_FAILED', '/coordinators/0', {
      coordinators: [{ key: 'order-analytics' }],
    })
    assert.match(
      accessProblem(group)!,
      /Read on group 'order-analytics' is denied .* --operation Read --group order-analytics$/,
    )
    const cluster = denied('InitProducerId', 'CLUSTER_AUTHORIZATION_FAILED', '/', {})
    assert.match(
      accessProblem(cluster)!,
      /IdempotentWrite on the cluster is denied .* --operation IdempotentWrite --cluster$/,
    )
  })

  it('leaves other failures alone', () => {
    assert.equal(accessProblem(retries(new Error('ECONNREFUSED'))), undefined)
    assert.equal(toTributaryError(new Error('boom'), 'x').code, 'LOG')
  })
})
