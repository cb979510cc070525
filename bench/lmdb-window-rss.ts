/**
 * A fixed live set on one lmdb window store, as the app's dedupe store holds it (a script, not a
 * test): per 100 ms of event time, `--rate / 10` order ids are looked up (`fetchRange(...).next()`,
 * as the app does; a found id leaves the iterator unfinished) and the new ones put, then the store
 * commits; a share `--duplicates` repeats a recent id. Ids older than `--retention-ms` expire and
 * the sweeper deletes them. Prints per simulated minute the size of data.mdb, how many maps of it
 * the process holds, their resident pages (/proc/self/smaps) and the entries stored. With a fixed
 * window, file size and resident pages should level off once the first window has expired.
 *
 *   npx tsx bench/lmdb-window-rss.ts [--rate 250] [--minutes 40] [--retention-ms 600000]
 *                                    [--duplicates 0.01]
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { Serdes } from '../packages/tributary/src/serde/serdes.ts'
import { BufferedKeyValueStore } from '../packages/tributary/src/state/buffered-store.ts'
import { lmdbBackendFactory } from '../packages/tributary/src/state/lmdb/lmdb-backend-factory.ts'
import { TypedWindowStore } from '../packages/tributary/src/state/window/typed-window-store.ts'
import { windowStoreConfig } from '../packages/tributary/src/state/window/window-store-options.ts'

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '250' },
    minutes: { type: 'string', default: '40' },
    'retention-ms': { type: 'string', default: '600000' },
    duplicates: { type: 'string', default: '0.01' },
  },
})
const rate = Number(values.rate)
const minutes = Number(values.minutes)
const retentionMs = Number(values['retention-ms'])
const duplicates = Number(values.duplicates)
const TICK_MS = 100

/** Maps of `file` in this process and their resident bytes. */
function mapsOf(file: string): { maps: number; residentBytes: number } {
  let maps = 0
  let residentBytes = 0
  let inFile = false
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s+(.*)$/.exec(line)
    if (mapping !== null) {
      inFile = mapping[1]!.trim() === file
      if (inFile) maps++
    } else if (inFile && line.startsWith('Rss:')) {
      residentBytes += Number(/(\d+) kB/.exec(line)?.[1] ?? 0) * 1024
    }
  }
  return { maps, residentBytes }
}

const dir = mkdtempSync(join(tmpdir(), 'tributary-lmdb-window-rss-'))
const backend = await lmdbBackendFactory.open(dir, '0_0', 'ids')
const bytes = new BufferedKeyValueStore('ids', backend)
const config = windowStoreConfig('ids', { retentionMs, windowSizeMs: 0 })
const store = new TypedWindowStore(bytes, Serdes.string(), Serdes.number(), config)
const file = join(dir, '0_0', 'ids', 'data.mdb')
const idOf = (n: number): string => `order-${n.toString(16).padStart(12, '0')}`
const mb = (n: number): string => (n / 1e6).toFixed(1)

console.log(`rate ${rate} ids/s, retention ${retentionMs} ms, ${minutes} simulated minutes; ${dir}`)
console.log('minute\tfile_mb\tmaps\tresident_mb\tentries')
let offset = 0
let id = 0
try {
  for (let minute = 1; minute <= minutes; minute++) {
    for (let tick = 0; tick < 60_000 / TICK_MS; tick++) {
      const now = (minute - 1) * 60_000 + tick * TICK_MS
      for (let i = 0; i < (rate * TICK_MS) / 1000; i++) {
        // A share of the orders repeats a recent id, as the generator's replays do: the lookup
        // then finds it and the iterator is left unfinished.
        const orderId =
          id > 100 && Math.random() < duplicates ? idOf(id - 1 - Math.floor(Math.random() * 100)) : idOf(id++)
        if (!store.fetchRange(orderId, 0, Number.MAX_SAFE_INTEGER).next().done) continue
        store.put(orderId, 1, now)
      }
      await bytes.commit(++offset)
    }
    const { maps, residentBytes } = mapsOf(file)
    const row = [minute, mb(statSync(file).size), maps, mb(residentBytes), backend.count()]
    console.log(row.join('\t'))
  }
} finally {
  await backend.close()
  rmSync(dir, { recursive: true, force: true })
}
