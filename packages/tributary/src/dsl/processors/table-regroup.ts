import type { Serde } from '../../serde/serde.ts'
import type { ProcessorSupplier } from '../../topology/processor.ts'
import type { Change } from '../change.ts'

/**
 * Re-keys table changes for a table aggregation: the old value is retracted from its old group and
 * the new one added to its new group; when both land in the same group they travel as one change.
 * Two group keys are the same group when they serialize to the same bytes with `keySerde` (what the
 * repartition topic `topic`, named without the application id prefix, and the store key them by).
 */
export function tableRegroup<K, V, KR, VR>(
  select: (key: K, value: V) => readonly [KR, VR],
  keySerde: Serde<KR>,
  topic: string,
): ProcessorSupplier<K, Change<V>, KR, Change<VR>> {
  return () => {
    let forward: (record: {
      key: KR
      value: Change<VR>
      timestamp: number
      headers: Record<string, Buffer>
    }) => void
    let sameKey: (a: KR, b: KR) => boolean
    return {
      init(context) {
        forward = (record) => context.forward(record)
        const physical = `${context.applicationId}-${topic}`
        sameKey = (a, b) =>
          a === b ||
          (a !== null &&
            a !== undefined &&
            b !== null &&
            b !== undefined &&
            keySerde.serialize(a, physical).equals(keySerde.serialize(b, physical)))
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
        if (prev !== undefined)
          forward({ ...base, key: prev[0], value: { newValue: null, oldValue: prev[1] } })
        if (next !== undefined)
          forward({ ...base, key: next[0], value: { newValue: next[1], oldValue: null } })
      },
    }
  }
}
