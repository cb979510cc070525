import type { Log, ProducerRecord } from 'tributary-streams'
import { isObject } from '../contract/parse-json.ts'

/** The key a producer following the contract would give a line: payload[field], else no key. */
export function keyOf(line: string, field: 'order_id' | 'user_id'): Buffer | null {
  try {
    const env = JSON.parse(line) as unknown
    const payload = isObject(env) ? env['payload'] : undefined
    const key = isObject(payload) ? payload[field] : undefined
    return typeof key === 'string' ? Buffer.from(key) : null
  } catch {
    return null
  }
}

/** Produces every line (as is) to `topic`, keyed by `field`; resolves with the number of lines. */
export async function feed(
  log: Log,
  topic: string,
  lines: AsyncIterable<string>,
  field: 'order_id' | 'user_id',
): Promise<number> {
  const producer = await log.producer()
  let batch: ProducerRecord[] = []
  let count = 0
  try {
    for await (const line of lines) {
      batch.push({ topic, key: keyOf(line, field), value: Buffer.from(line) })
      count++
      if (batch.length === 2000) {
        await producer.send(batch)
        batch = []
      }
    }
    if (batch.length > 0) await producer.send(batch)
  } finally {
    await producer.close()
  }
  return count
}
