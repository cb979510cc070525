import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import { mkdtempSync, rmSync } from 'node:fs'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { fileURLToPath } from 'node:url'
import { startTracingSdk } from '../../src/observe/tracing-sdk.ts'

const BIN = fileURLToPath(new URL('../../bin/order-analytics.js', import.meta.url))

interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> }
    scopeSpans: Array<{ spans: Array<{ name: string; traceId: string }> }>
  }>
}

describe('the tracing SDK of the app (OTEL_TRACES_EXPORTER)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'oa-otel-'))
  const received: OtlpExport[] = []
  let collector: Server
  let endpoint = ''
  before(async () => {
    // An OTLP/HTTP receiver: what an OpenTelemetry collector accepts on :4318/v1/traces (JSON).
    collector = createServer((req, res) => {
      let body = ''
      req.on('data', (chunk: Buffer) => (body += chunk.toString()))
      req.on('end', () => {
        if (req.url === '/v1/traces' && req.method === 'POST') received.push(JSON.parse(body) as OtlpExport)
        res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
      })
    })
    await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve))
    endpoint = `http://127.0.0.1:${(collector.address() as AddressInfo).port}`
  })
  after(() => {
    collector.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('exports the producer’s spans over OTLP/HTTP with the service name, flushing them on exit', async () => {
    const result = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        process.execPath,
        [BIN, 'producer', '--max-orders', '20', '--rate', '200'],
        {
          timeout: 120_000,
          env: {
            ...process.env,
            TRIBUTARY_DATA_DIR: join(dir, 'data'),
            KAFKA_BROKERS: '',
            OTEL_TRACES_EXPORTER: 'otlp',
            OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
            OTEL_SERVICE_NAME: 'orders-test',
          },
        },
        (err, _stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stderr }),
      ),
    )
    assert.equal(result.code, 0, result.stderr)
    const spans = received.flatMap((e) => e.resourceSpans)
    const services = spans.map(
      (r) => r.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue,
    )
    assert.ok(services.length > 0 && services.every((s) => s === 'orders-test'), services.join(','))
    const names = spans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans.map((x) => x.name)))
    assert.ok(names.filter((n) => n === 'send orders-raw').length >= 20, `spans: ${names.length}`)
  })

  it('is off by default and refuses an unknown exporter or ratio in one line naming the variable', () => {
    assert.equal(startTracingSdk({}), undefined)
    assert.throws(() => startTracingSdk({ OTEL_TRACES_EXPORTER: 'zipkin' }), /OTEL_TRACES_EXPORTER must be/)
    assert.throws(
      () => startTracingSdk({ OTEL_TRACES_EXPORTER: 'console', OTEL_TRACES_SAMPLER_ARG: '2' }),
      /OTEL_TRACES_SAMPLER_ARG must be/,
    )
  })
})
