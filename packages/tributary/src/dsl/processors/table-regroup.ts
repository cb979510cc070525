import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'

/**
 * Re-keys table changes for a table aggregation: the old value is retracted from its old group and
 * the new one added to its new group; when both land in the same group they travel as one change.
 */
export function tableRegroup<K, V, KR, VR>(
  select: (key: K, value: V) => readonly [KR, VR],
): ProcessorSupplier<K, Change<V>, KR, Change<VR>> {
  return () => {
    let forward: (record: { key: KR; value: Change<VR>; timestamp: number; headers: Record<string, Buffer> }) => void
    return {
      init(context) {
        forward = (record) => context.forward(record)
      },
      process(record) {
        const { newValue, oldValue } = record.value
        const next = newValue === null ? undefined : select(record.key, newValue)
        const prev = oldValue === null ? undefined : select(record.key, oldValue)
        const base = { timestamp: record.timestamp, headers: record.headers }
        if (next !== undefined && prev !== undefined && sameKey(next[0], prev[0])) {
          forward({ ...base, key: next[0], value: { newValue: next[1], oldValue: prev[1] } })
          return
        }
        if (prev !== undefined) forward({ ...base, key: prev[0], value: { newValue: null, oldValue: prev[1] } })
        if (next !== undefined) forward({ ...base, key: next[0], value: { newValue: next[1], oldValue: null } })
      },
    }
  }
}

const sameKey = (a: unknown, b: unknown): boolean => a === b || JSON.stringify(a) === JSON.stringify(b)
