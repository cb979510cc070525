import { Serdes, type KTable, type Windowed } from 'tributary-streams'

/** What the compat topologies share: string serdes, number parsing, writing results to "out". */
export const str = Serdes.string()
export const long = Serdes.number()
export const strings = { key: str, value: str }

export const num = (value: string): number => {
  const n = Number(value)
  if (!Number.isSafeInteger(n)) throw new Error(`not an integer: ${value}`)
  return n
}

const text = (value: unknown): string | null => (value === null ? null : String(value))
const label = (key: Windowed<string>): string => `${key.key}@${key.window.start}-${key.window.end}`

/** Writes a windowed table's updates to "out". */
export function toOutWindowed<V>(table: KTable<Windowed<string>, V>): void {
  table
    .toStream()
    .map((k, v) => [label(k), text(v)] as const)
    .to('out', strings)
}

/** Writes a table's updates to "out". */
export function toOut<V>(table: KTable<string, V>): void {
  table
    .toStream()
    .mapValues((v) => text(v))
    .to('out', strings)
}
