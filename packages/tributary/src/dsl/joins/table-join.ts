import { TributaryError } from '../../errors.ts'
import type { KTable } from '../ktable.ts'
import { joinOnForeignKey } from './fk-join.ts'
import type { Materialized } from '../options.ts'
import type { ValueJoiner } from './join-options.ts'
import type { JoinMode } from './stream-join.ts'
import { joinTables } from './table-table-join.ts'

/** Dispatches `KTable.join/leftJoin/outerJoin`: on the key, or (with an extractor) on a foreign key. */
export function tableJoin<K, V>(
  table: KTable<K, V>,
  other: unknown,
  args: readonly unknown[],
  mode: JoinMode,
): unknown {
  if (typeof args[1] === 'function') {
    const [foreignKey, joiner, materialized] = args as [
      (value: V) => unknown,
      ValueJoiner<V, unknown, unknown, K>,
      Materialized<K, unknown> | undefined,
    ]
    if (mode === 'outer') throw new TributaryError('TOPOLOGY', 'a foreign-key join cannot be an outer join')
    return joinOnForeignKey(
      table,
      other as KTable<unknown, unknown>,
      foreignKey,
      joiner,
      mode === 'left',
      materialized,
    )
  }
  const [joiner, materialized] = args as [
    ValueJoiner<V, unknown, unknown, K>,
    Materialized<K, unknown> | undefined,
  ]
  return joinTables(table, other as KTable<K, unknown>, joiner as never, mode, materialized)
}
