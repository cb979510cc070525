/**
 * Micro benchmark of the embedded log: produce N small records in batches, then consume them all
 * with one consumer (and once more with producer and consumer running concurrently). Prints
 * records/s and peak RSS per mode; each mode runs in its own child process so RSS is its own.
 * Not a test.
 *   npx tsx bench/log-throughput.ts [records=1000000] [batch=1000]
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { EmbeddedLog, type EmbeddedLogOptions } from '../packages/tributary/src/log/embedded/index.ts'
import type { ProducerRecord } from '../packages/tributary/src/log/log.ts'

const total = Number(process.argv[2] ?? 1_000_000)
const batch = Number(process.argv[3] ?? 1000)
const onlyMode = process.argv[4]
const partitions = 4
let peakRss = 0
const sample = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20)

function makeBatch(topic: string, start: number): ProducerRecord[] {
  const records: ProducerRecord[] = []
  for (let i = start; i < start + batch; i++) {
    records.push({
      topic,
      key: Buffer.from(`key-${i % 10_000}`),
      value: Buffer.from(`{"order":${i},"amount":12.5}`),
    })
  }
  return records
}

async function run(mode: string, options: EmbeddedLogOptions): Promise<void> {
  peakRss = process.memoryUsage().rss
  const log = await EmbeddedLog.open(options)
  await log.admin.createTopics([
    { name: 'bench', partitions },
    { name: 'bench2', partitions },
  ])
  const producer = await log.producer()

  let started = performance.now()
  for (let sent = 0; sent < total; sent += batch) await producer.send(makeBatch('bench', sent))
  const produceSecs = (performance.now() - started) / 1000

  const consumer = await log.consumer({ groupId: 'bench' })
  await consumer.subscribe(['bench'])
  started = performance.now()
  let received = 0
  while (received < total) received += (await consumer.poll({ maxRecords: 2000, timeoutMs: 1000 })).length
  const consumeSecs = (performance.now() - started) / 1000

  // Producer and consumer interleaved, as the stream runtime uses the log.
  const concurrent = await log.consumer({ groupId: 'bench2' })
  await concurrent.subscribe(['bench2'])
  started = performance.now()
  const produce = (async () => {
    for (let sent = 0; sent < total; sent += batch) {
      await producer.send(makeBatch('bench2', sent))
      if ((sent / batch) % 16 === 0) await new Promise((resolve) => setImmediate(resolve))
    }
  })()
  let got = 0
  while (got < total) got += (await concurrent.poll({ maxRecords: 2000, timeoutMs: 1000 })).length
  await produce
  const bothSecs = (performance.now() - started) / 1000
  await log.close()

  const rate = (n: number, s: number) => `${Math.round(n / s).toLocaleString('en-US')}/s`
  console.log(
    `${mode.padEnd(22)} produce ${rate(total, produceSecs).padStart(12)}  consume ${rate(total, consumeSecs).padStart(12)}` +
      `  produce+consume ${rate(total, bothSecs).padStart(12)}  peak RSS ${Math.round(peakRss / 2 ** 20)} MiB`,
  )
}

const modes = ['memory', 'never', 'interval', 'always'] as const
if (onlyMode === undefined) {
  console.log(
    `${total.toLocaleString('en-US')} records of ~40 bytes, batches of ${batch}, ${partitions} partitions`,
  )
  for (const mode of modes) {
    const args = ['--import', 'tsx', process.argv[1]!, String(total), String(batch), mode]
    process.stdout.write(execFileSync(process.execPath, args, { encoding: 'utf8' }))
  }
} else if (onlyMode === 'memory') {
  await run('memory', {})
} else {
  const fsync = onlyMode as 'never' | 'interval' | 'always'
  const dataDir = mkdtempSync(join(tmpdir(), 'tributary-bench-'))
  try {
    await run(`durable fsync=${fsync}`, { dataDir, fsync })
  } finally {
    rmSync(dataDir, { recursive: true, force: true })
  }
}
clearInterval(sample)
