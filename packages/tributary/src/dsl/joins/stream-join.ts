import { TributaryError } from '../../errors.ts'
import { GlobalKTable } from '../global-ktable.ts'
import { KStream } from '../kstream.ts'
import { JoinWindows, type StreamJoined } from './join-windows.ts'
import { joinStreams } from './stream-stream-join.ts'
import { KTable } from '../ktable.ts'
import type { Named } from '../options.ts'
import type { Joined, ValueJoiner } from './join-options.ts'
import { joinStreamGlobalTable, joinStreamTable } from './stream-table-join.ts'

export type JoinMode = 'inner' | 'left' | 'outer'

/** Dispatches `KStream.join/leftJoin/outerJoin` on the kind of the other side. */
export function streamJoin<K, V>(
  stream: KStream<K, V>,
  other: unknown,
  args: readonly unknown[],
  mode: JoinMode,
): unknown {
  if (other instanceof KTable) {
    if (mode === 'outer') throw new TributaryError('TOPOLOGY', 'a stream-table join cannot be an outer join')
    const [joiner, joined] = args as [ValueJoiner<V, unknown, unknown, K>, Joined<K, V> | undefined]
    return joinStreamTable(stream, other as KTable<K, unknown>, joiner, joined ?? {}, mode === 'left')
  }
  if (other instanceof GlobalKTable) {
    if (mode === 'outer')
      throw new TributaryError('TOPOLOGY', 'a stream-global table join cannot be an outer join')
    const [selector, joiner, named] = args as [
      (key: K, value: V) => unknown,
      ValueJoiner<V, unknown, unknown, K>,
      Named | undefined,
    ]
    return joinStreamGlobalTable(
      stream,
      other as GlobalKTable<unknown, unknown>,
      selector,
      joiner,
      mode === 'left',
      named?.name,
    )
  }
  if (other instanceof KStream) {
    const [joiner, windows, joined] = args as [
      (left: unknown, right: unknown, key: unknown) => unknown,
      JoinWindows,
      StreamJoined<K, V, unknown> | undefined,
    ]
    if (!(windows instanceof JoinWindows))
      throw new TributaryError(
        'TOPOLOGY',
        'a stream-stream join needs JoinWindows, e.g. JoinWindows.ofTimeDifferenceAndGrace(...)',
      )
    return joinStreams(stream, other as KStream<K, unknown>, joiner, windows, joined ?? {}, mode)
  }
  throw new TributaryError('TOPOLOGY', 'join: the other side must be a KTable, GlobalKTable or KStream')
}
