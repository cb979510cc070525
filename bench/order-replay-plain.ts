// The plain-JS limit for `order-analytics replay`: one pass over the same JSONL files with the same
// rules (validation, dedupe, join, 1-minute windows with grace, late drops), no log, no stores.
import { createReadStream, writeFileSync } from 'node:fs'
import { createInterface } from 'node:readline'

type Obj = Record<string, unknown>
const obj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const str = (x: unknown): x is string => typeof x === 'string'

async function* lines(path: string): AsyncGenerator<string> {
  for await (const line of createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity }))
    if (line.trim() !== '') yield line
}

const parse = (line: string): unknown => {
  try {
    return JSON.parse(line)
  } catch {
    return undefined
  }
}

function order(e: unknown): { id: string; user: string; total: number; ts: number } | undefined {
  if (
    !obj(e) ||
    !str(e['event_id']) ||
    !num(e['timestamp']) ||
    !str(e['source']) ||
    e['type'] !== 'OrderPlaced'
  )
    return
  const p = e['payload']
  if (!obj(p) || !str(p['order_id']) || !str(p['user_id']) || !num(p['total']) || !num(p['timestamp'])) return
  const items = p['items']
  if (!Array.isArray(items) || items.length === 0 || p['timestamp'] < 0) return
  let sum = 0
  for (const it of items) {
    if (!obj(it) || !str(it['sku']) || typeof it['quantity'] !== 'number' || typeof it['price'] !== 'number')
      return
    if (
      !Number.isInteger(it['quantity']) ||
      it['quantity'] < 1 ||
      !Number.isFinite(it['price']) ||
      it['price'] < 0
    )
      return
    sum += it['quantity'] * it['price']
  }
  if (Math.abs(p['total'] - sum) > 0.01 + 1e-9) return
  return { id: p['order_id'], user: p['user_id'], total: p['total'], ts: Math.floor(p['timestamp']) }
}

/** Returns the number of order lines read. */
export async function plainReplay(
  usersPath: string,
  ordersPath: string,
  outPath: string,
  graceMs = 30_000,
): Promise<number> {
  const users = new Map<string, string>()
  for await (const line of lines(usersPath)) {
    const e = parse(line)
    const p = obj(e) ? e['payload'] : undefined
    if (!obj(p) || !str(p['user_id'])) continue
    const label = (x: unknown) => (str(x) && x !== '' ? x : 'unknown')
    users.set(p['user_id'], `${label(p['region'])},${label(p['segment'])}`)
  }
  const seen = new Set<string>()
  const cells = new Map<string, [number, number]>()
  let streamTime = -Infinity
  let n = 0
  for await (const line of lines(ordersPath)) {
    n++
    const o = order(parse(line))
    if (o === undefined || seen.has(o.id)) continue
    seen.add(o.id)
    streamTime = Math.max(streamTime, o.ts)
    const start = o.ts - (o.ts % 60_000)
    if (start + 60_000 + graceMs <= streamTime) continue
    const key = `${new Date(start).toISOString()},${users.get(o.user) ?? 'unknown,unknown'}`
    const cell = cells.get(key) ?? [0, 0]
    cell[0]++
    cell[1] += Math.round(o.total * 1e6)
    cells.set(key, cell)
  }
  const rows = [...cells]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, [count, micros]]) => `${k},${count},${(Math.round(micros / 1e4) / 100).toFixed(2)}`)
  writeFileSync(outPath, ['window_start,region,segment,order_count,revenue', ...rows].join('\n') + '\n')
  return n
}
