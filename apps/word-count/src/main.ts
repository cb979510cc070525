// The example job: writes a line of text every half second to an embedded, durable log, counts
// words exactly-once, and prints the running top words. Ctrl-C stops it; state survives restarts.
// Flags: --data-dir DIR (default .data/word-count), --lines N (stop after N lines).
import { parseArgs } from 'node:util'
import { EmbeddedLog, Serdes, StreamsApp } from 'tributary-streams'
import { COUNTS, LINES, wordCountTopology } from './topology.ts'

const { values } = parseArgs({ options: { 'data-dir': { type: 'string' }, lines: { type: 'string' } } })
const dataDir = values['data-dir'] ?? '.data/word-count'
const maxLines = values.lines === undefined ? Infinity : Number(values.lines)

const sentences = [
  'the quick brown fox jumps over the lazy dog',
  'streams of records flow into tables',
  'a table is the latest value per key',
  'the log is the source of truth',
  'exactly once means no loss and no duplicates',
]

const log = await EmbeddedLog.open({ dataDir: `${dataDir}/log` })
await log.admin.createTopics([
  { name: LINES, partitions: 4 },
  { name: COUNTS, partitions: 4 },
])
const app = new StreamsApp(wordCountTopology(), {
  applicationId: 'word-count',
  dataDir,
  log,
  processingGuarantee: 'exactly-once',
})
await app.start()

const producer = await log.producer()
const reader = await log.consumer({
  groupId: 'word-count-printer',
  isolation: 'read_committed',
  autoOffsetReset: 'latest',
})
await reader.subscribe([COUNTS])
const counts = new Map<string, number>()
let sent = 0

const stop = async (): Promise<void> => {
  clearInterval(timer)
  await app.close()
  await reader.close()
  await producer.close()
  await log.close()
  process.exit(0)
}
process.on('SIGINT', () => void stop())

const timer = setInterval(() => {
  const line = sentences[sent % sentences.length]!
  void producer.send([{ topic: LINES, key: Buffer.from(`line-${sent}`), value: Buffer.from(line) }])
  sent++
}, 500)

for (;;) {
  for (const r of await reader.poll({ timeoutMs: 1000 }))
    counts.set(r.key!.toString(), Serdes.number().deserialize(r.value!, COUNTS))
  const top = [...counts].sort((a, b) => b[1] - a[1]).slice(0, 5)
  const { processed, commits } = app.metrics()
  console.log(
    `lines sent ${sent}, records processed ${processed}, commits ${commits}; top: ${top.map(([w, n]) => `${w}=${n}`).join(' ')}`,
  )
  if (sent >= maxLines) await stop()
}
