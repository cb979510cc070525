// KafkaLog against a secured broker (scripts/kafka-secure-start.sh: SASL_SSL with SCRAM-SHA-512, a
// CA made at start, StandardAuthorizer with allow.everyone.if.no.acl.found=false): who is refused,
// and that each refusal is one line saying what to fix, fast (no hang) and without a secret in it.
// The pipeline with the documented ACLs is apps/order-analytics/test/security/secured-pipeline.
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { Serdes, StreamsApp, StreamsBuilder, isTributaryError, type TributaryError } from 'tributary-streams'
import { KafkaLog, kafkaOptionsFromEnv, type KafkaLogOptions } from 'tributary-streams/kafka'
import { silentLogger } from '../../../src/logger.ts'
import { parseAclLine } from './documented-acls.ts'
import {
  grantAcls,
  securedEnv,
  securedOptions,
  startSecuredBroker,
  type SecuredBroker,
} from './secured-broker.ts'

const TRIBUTARY_BIN = fileURLToPath(new URL('../../../bin/tributary.js', import.meta.url))
const run = `sec-it-${Date.now().toString(36)}`
const topic = `${run}-topic`

/** The failure of `fn`, which must be an AUTH TributaryError of one line, within `ms`. */
async function refusal(fn: () => Promise<unknown>, ms = 60_000): Promise<TributaryError> {
  const started = Date.now()
  const err = await fn().then(
    () => assert.fail('expected a refusal'),
    (e: unknown) => e,
  )
  assert.ok(isTributaryError(err, 'AUTH'), `an AUTH TributaryError, got ${String(err)}`)
  assert.ok(Date.now() - started < ms, `refused within ${ms} ms (took ${Date.now() - started})`)
  assert.doesNotMatch(err.message, /\n/, 'one line')
  return err
}

/** Connects, runs `fn` with the log, closes. */
async function withLog<T>(options: KafkaLogOptions, fn: (log: KafkaLog) => Promise<T>): Promise<T> {
  const log = await KafkaLog.connect(options)
  try {
    return await fn(log)
  } finally {
    await log.close()
  }
}

describe('KafkaLog on a SASL_SSL broker with ACLs', () => {
  let broker: SecuredBroker
  let dir = ''
  before(async () => {
    broker = await startSecuredBroker()
    dir = mkdtempSync(join(tmpdir(), 'tributary-sec-'))
    await withLog(securedOptions(broker, 'admin'), (log) =>
      log.admin.createTopics([{ name: topic, partitions: 1 }]),
    )
  })
  after(async () => {
    await withLog(securedOptions(broker, 'admin'), (log) => log.admin.deleteTopics([topic])).catch(() => {})
    await broker?.stop()
    if (dir) rmSync(dir, { recursive: true, force: true })
  })

  it('connects with the environment of docs/security.md (password from a file) and round-trips a record', async () => {
    const options = kafkaOptionsFromEnv(securedEnv(broker, 'admin', join(dir, 'admin.password')))!
    await withLog(options, async (log) => {
      const producer = await log.producer()
      await producer.send([{ topic, key: Buffer.from('k'), value: Buffer.from('hello') }])
      await producer.close()
      const consumer = await log.consumer({ groupId: `${run}-admin` })
      await consumer.assign([{ topic, partition: 0 }])
      const records = await consumer.poll({ timeoutMs: 10_000 })
      await consumer.close()
      assert.deepEqual(
        records.map((r) => r.value?.toString()),
        ['hello'],
      )
    })
  })

  it('refuses a wrong password with one line naming the settings to check, never the password', async () => {
    const wrong = 'not-the-password-0123'
    const err = await refusal(() => KafkaLog.connect(securedOptions(broker, 'producer', wrong)))
    assert.match(err.message, /authentication failed \(SASL_AUTHENTICATION_FAILED/)
    assert.match(err.message, /KAFKA_SASL_USERNAME, KAFKA_SASL_PASSWORD/)
    for (const secret of [wrong, broker.users.producer]) assert.ok(!err.message.includes(secret))
    assert.ok(!JSON.stringify(err, Object.getOwnPropertyNames(err)).includes(wrong))
  })

  it('refuses a plaintext client on the TLS listener and on the controller listener', async () => {
    const onTls = await refusal(() => KafkaLog.connect({ brokers: [broker.bootstrap] }))
    assert.match(onTls.message, /requires TLS .*KAFKA_SECURITY_PROTOCOL=SSL or SASL_SSL/)
    const err = await KafkaLog.connect({ brokers: [broker.controller], client: { retries: 1 } }).then(
      () => assert.fail('the controller listener answers a plaintext client'),
      (e: unknown) => e as Error,
    )
    // It serves controller requests only, and those after SASL PLAIN as the admin.
    assert.ok(isTributaryError(err), String(err))
    assert.match(err.message, /^cannot reach Kafka at /)
  })

  it('refuses TLS with a CA that did not sign the broker certificate, naming the certificate problem', async () => {
    const options = { ...securedOptions(broker, 'admin'), tls: { ca: readFileSync(broker.otherCa, 'utf8') } }
    const err = await refusal(() => KafkaLog.connect(options))
    assert.match(err.message, /TLS: the broker's certificate was refused \(SELF_SIGNED_CERT_IN_CHAIN/)
    assert.match(err.message, /KAFKA_SSL_CA_LOCATION/)
  })

  it('runs the `tributary registry` command on the secured cluster from the environment', async () => {
    const child = spawn(process.execPath, [TRIBUTARY_BIN, 'registry', '--port', '0'], {
      env: { ...process.env, ...securedEnv(broker, 'admin', join(dir, 'registry.password')) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d: Buffer) => (output += d.toString()))
    child.stderr.on('data', (d: Buffer) => (output += d.toString()))
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve))
    try {
      const deadline = Date.now() + 60_000
      while (!/listening on (\S+)/.test(output)) {
        assert.ok(Date.now() < deadline && child.exitCode === null, `the registry starts: ${output}`)
        await new Promise((r) => setTimeout(r, 200))
      }
      assert.match(output, new RegExp(`topic _schemas on ${broker.bootstrap}`))
      const url = /listening on (\S+)/.exec(output)![1]!
      const subject = `${run}-value`
      const res = await fetch(new URL(`subjects/${subject}/versions`, url.endsWith('/') ? url : `${url}/`), {
        method: 'POST',
        headers: { 'content-type': 'application/vnd.schemaregistry.v1+json' },
        body: JSON.stringify({ schema: '{"type":"string"}' }),
      })
      assert.equal(res.status, 200, await res.clone().text())
      assert.equal(typeof ((await res.json()) as { id: unknown }).id, 'number')
      assert.ok(!output.includes(broker.users.admin), 'the password is not printed')
    } finally {
      child.kill('SIGTERM')
    }
    assert.equal(await exited, 0, output)
  })

  describe('an authenticated user without ACLs', () => {
    const outsider = () => securedOptions(broker, 'outsider')
    const grant = (flags: string) =>
      new RegExp(
        `grant it: kafka-acls.sh --add --allow-principal User:<principal> ${flags.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`,
      )

    it('is refused writing a topic, naming the topic and the ACL to add', async () => {
      await withLog(outsider(), async (log) => {
        const producer = await log.producer()
        const err = await refusal(() => producer.send([{ topic, key: null, value: Buffer.from('x') }]))
        await producer.close()
        assert.match(err.message, new RegExp(`on topic '${topic}' is denied`))
        assert.match(err.message, grant(`--operation Describe --topic ${topic}`))
      })
    })

    it('is refused a transactional id, naming it and the ACL to add', async () => {
      await withLog(outsider(), async (log) => {
        const err = await refusal(() => log.producer({ transactionalId: `${run}-tx` }))
        assert.match(err.message, new RegExp(`Write on transactional-id '${run}-tx' is denied`))
        assert.match(err.message, grant(`--operation Write --transactional-id ${run}-tx`))
      })
    })

    it('is refused a consumer group, naming it and the ACL to add', async () => {
      await withLog(outsider(), async (log) => {
        const consumer = await log.consumer({ groupId: `${run}-group` })
        const err = await refusal(async () => {
          await consumer.subscribe([topic])
          await consumer.poll({ timeoutMs: 5_000 })
        })
        await consumer.close().catch(() => {})
        assert.match(err.message, new RegExp(`Read on group '${run}-group' is denied`))
        assert.match(err.message, grant(`--operation Read --group ${run}-group`))
      })
    })

    it('is refused reading a topic it may only describe, naming the topic and Read', async () => {
      const described = `${run}-described`
      await withLog(securedOptions(broker, 'admin'), (log) =>
        log.admin.createTopics([{ name: described, partitions: 1 }]),
      )
      await grantAcls(broker, [
        ...parseAclLine(`acls --allow-principal User:outsider --operation Describe --topic ${described}`),
        ...parseAclLine(`acls --allow-principal User:outsider --operation Read --group ${run}-reader`),
      ])
      await withLog(outsider(), async (log) => {
        const consumer = await log.consumer({ groupId: `${run}-reader` })
        const err = await refusal(async () => {
          await consumer.assign([{ topic: described, partition: 0 }])
          await consumer.poll({ timeoutMs: 5_000 })
        })
        await consumer.close().catch(() => {})
        assert.match(err.message, new RegExp(`Read on topic '${described}' is denied`))
        assert.match(err.message, grant(`--operation Read --topic ${described}`))
      })
    })

    it('stops an exactly-once StreamsApp with the refusal instead of retrying', async () => {
      // Allowed to see and read its input only: its transactional id, group and outputs are denied.
      await grantAcls(broker, [
        ...parseAclLine(
          `acls --allow-principal User:outsider --operation Read --operation Describe --topic ${topic}`,
        ),
      ])
      const builder = new StreamsBuilder()
      builder.stream(topic, { key: Serdes.string(), value: Serdes.string() }).to(`${run}-out`)
      await withLog(outsider(), async (log) => {
        const app = new StreamsApp(builder.build(), {
          applicationId: `${run}-app`,
          dataDir: join(dir, 'app'),
          log,
          processingGuarantee: 'exactly-once',
          logger: silentLogger,
        })
        const err = await refusal(async () => {
          await app.start()
          await app.done
        })
        await app.close()
        assert.match(err.message, /not authorized: .* is denied/)
      })
    })
  })
})
