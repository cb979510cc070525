// An independent computation of the replay's table, written from the contract (issue 5) without
// the library or the app's validators: file order, one stream time, plain maps.

type Obj = Record<string, unknown>
const obj = (x: unknown): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)
const num = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x)
const str = (x: unknown): x is string => typeof x === 'string'

function acceptedOrder(line: string): { id: string; user: string; total: number; ts: number } | undefined {
  let e: unknown
  try {
    e = JSON.parse(line)
  } catch {
    return undefined
  }
  if (
    !obj(e) ||
    !str(e['event_id']) ||
    !num(e['timestamp']) ||
    !str(e['source']) ||
    e['type'] !== 'OrderPlaced'
  )
    return undefined
  const p = e['payload']
  if (!obj(p) || !str(p['order_id']) || !str(p['user_id']) || !num(p['total']) || !num(p['timestamp']))
    return undefined
  const items = p['items']
  if (!Array.isArray(items) || items.length === 0 || p['timestamp'] < 0) return undefined
  let sum = 0
  for (const it of items) {
    if (!obj(it) || !str(it['sku']) || typeof it['quantity'] !== 'number' || typeof it['price'] !== 'number')
      return undefined
    const q = it['quantity']
    const price = it['price']
    if (!Number.isInteger(q) || q < 1 || !Number.isFinite(price) || price < 0) return undefined
    sum += q * price
  }
  if (Math.abs(p['total'] - sum) > 0.01 + 1e-9) return undefined
  return { id: p['order_id'], user: p['user_id'], total: p['total'], ts: Math.floor(p['timestamp']) }
}

export interface Expected {
  readonly csv: string
  readonly rejected: number
  readonly duplicates: number
  readonly late: number
}

export function expectedTable(
  userLines: Iterable<string>,
  orderLines: Iterable<string>,
  graceMs: number,
): Expected {
  const users = new Map<string, [string, string]>()
  let rejected = 0
  const label = (x: unknown) => (str(x) && x !== '' ? x : 'unknown')
  for (const line of userLines) {
    let e: unknown
    try {
      e = JSON.parse(line)
    } catch {
      rejected++
      continue
    }
    const p = obj(e) ? e['payload'] : undefined
    if (!obj(p) || !str(p['user_id'])) {
      rejected++
      continue
    }
    users.set(p['user_id'], [label(p['region']), label(p['segment'])])
  }
  const seen = new Set<string>()
  const cells = new Map<
    string,
    { start: number; region: string; segment: string; n: number; cents: number }
  >()
  let streamTime = -Infinity
  let duplicates = 0
  let late = 0
  for (const line of orderLines) {
    const o = acceptedOrder(line)
    if (o === undefined) {
      rejected++
      continue
    }
    if (seen.has(o.id)) {
      duplicates++
      continue
    }
    seen.add(o.id)
    streamTime = Math.max(streamTime, o.ts)
    const start = o.ts - (o.ts % 60_000)
    if (start + 60_000 + graceMs <= streamTime) {
      late++
      continue
    }
    const [region, segment] = users.get(o.user) ?? ['unknown', 'unknown']
    const key = `${new Date(start).toISOString()},${region},${segment}`
    const cell = cells.get(key) ?? { start, region, segment, n: 0, cents: 0 }
    cell.n++
    cell.cents += Math.round(o.total * 100)
    cells.set(key, cell)
  }
  const rows = [...cells.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([key, c]) => `${key},${c.n},${Math.floor(c.cents / 100)}.${String(c.cents % 100).padStart(2, '0')}`)
  return {
    csv: ['window_start,region,segment,order_count,revenue', ...rows].join('\n') + '\n',
    rejected,
    duplicates,
    late,
  }
}
