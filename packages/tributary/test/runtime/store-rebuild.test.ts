import assert from 'node:assert/strict'
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { after, describe, it } from 'node:test'
import { EmbeddedLog, Serdes, StorageProblems, StreamsApp, StreamsBuilder, type Log } from 'tributary-streams'

const str = Serdes.string()
const quiet = { debug() {}, info() {}, warn() {}, error() {} }

function wordCount() {
  const builder = new StreamsBuilder()
  builder
    .stream('lines', { key: str, value: str })
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, word) => word, { key: str, value: str })
    .count({ name: 'counts' })
  return builder.build()
}

/** Every data.mdb under `dir` (the stores' files). */
const storeFiles = (dir: string): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((p) => p.endsWith('data.mdb') && !p.includes('.damaged'))
    .map((p) => join(dir, p))

function flipRandomBits(file: string, count: number): void {
  const fd = openSync(file, 'r+')
  try {
    const size = statSync(file).size
    const byte = Buffer.alloc(1)
    for (let i = 0; i < count; i++) {
      const position = Math.floor(Math.random() * size)
      readSync(fd, byte, 0, 1, position)
      byte[0]! ^= 1 << Math.floor(Math.random() * 8)
      writeSync(fd, byte, 0, 1, position)
    }
  } finally {
    closeSync(fd)
  }
}

async function sendLines(log: Log, lines: string[]): Promise<void> {
  const producer = await log.producer()
  await producer.send(
    lines.map((line, i) => ({ topic: 'lines', key: Buffer.from(`k${i}`), value: Buffer.from(line) })),
  )
  await producer.close()
}

describe('a StreamsApp whose lmdb store files were damaged between runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tributary-rebuild-'))
  after(() => rmSync(dir, { recursive: true, force: true }))

  const damages = {
    'flipped bits after a clean close': (file: string) => flipRandomBits(file, 3),
    'a truncated file after a crash': (file: string) => {
      rmSync(join(dirname(file), 'closed.crc32')) // what a process that never closed the store leaves
      truncateSync(file, Math.floor(statSync(file).size / 3))
    },
  }
  for (const [name, damage] of Object.entries(damages))
    it(`restarts after ${name}, rebuilds the stores from their changelogs and reports them`, async () => {
      const dataDir = join(dir, name.replaceAll(' ', '-'))
      await runAndDamage(dataDir, damage)
    })

  async function runAndDamage(dir: string, damage: (file: string) => void): Promise<void> {
    const log = await EmbeddedLog.open({ dataDir: join(dir, 'log') })
    await log.admin.createTopics([{ name: 'lines', partitions: 2 }])
    const words = Array.from({ length: 300 }, (_, i) => `w${i % 40} w${(i * 7) % 40} w${i % 3}`)
    const expected = new Map<string, number>()
    for (const w of words.flatMap((l) => l.split(' '))) expected.set(w, (expected.get(w) ?? 0) + 1)
    const config = { applicationId: 'rebuild', dataDir: dir, log, logger: quiet, commitIntervalMs: 50 }

    const first = new StreamsApp(wordCount(), config)
    await first.start()
    await sendLines(log, words)
    await first.settle()
    await first.close()
    const files = storeFiles(join(dir, 'state'))
    assert.equal(files.length, 2, files.join(', ')) // counts × 2 partitions
    for (const file of files) damage(file)

    const problems = new StorageProblems()
    const second = new StreamsApp(wordCount(), { ...config, storageProblems: problems })
    await second.start()
    await second.settle()
    const store = second.store<string, number>('counts')
    assert.deepEqual(new Map([...store.all()].map(({ key, value }) => [key, value])), expected)
    assert.equal(second.storageProblems, problems)
    assert.deepEqual(
      problems.list().map((p) => p.kind),
      ['store-rebuilt', 'store-rebuilt'],
    )
    assert.equal(problems.counts().get('store-rebuilt'), 2)
    assert.ok(second.metrics().restoredRecords >= expected.size)
    await second.close()
    await log.close()
  }
})
