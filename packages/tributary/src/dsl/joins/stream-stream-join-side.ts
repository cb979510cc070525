import type { StreamRecord } from '../../record.ts'
import type { Serde } from '../../serde/serde.ts'
import type { KeyValueStore } from '../../state/key-value-store.ts'
import type { WindowStore } from '../../state/window-store.ts'
import type { ProcessorContext, ProcessorSupplier } from '../../topology/processor.ts'
import type { JoinWindows } from './join-windows.ts'
import type { JoinMode } from './stream-join.ts'
import { UnmatchedBuffer, type JoinSide } from './unmatched-buffer.ts'

/** One side of a stream-stream join, as its processor sees it. */
export interface JoinSideSpec {
  readonly side: JoinSide
  readonly mode: JoinMode
  readonly windows: JoinWindows
  readonly thisStore: string
  readonly otherStore: string
  /** Unmatched records of both sides awaiting their window's close (left/outer joins only). */
  readonly outerStore: string | undefined
  readonly keySerde: Serde<unknown>
  readonly valueSerdes: Record<JoinSide, Serde<unknown>>
  /** The join's time, shared by its two sides within a task (see JoinTimes). */
  readonly times: WeakMap<object, JoinTimes>
}

export type Joiner = (left: unknown, right: unknown, key: unknown) => unknown

/**
 * What both sides of one join share in one task, as Kafka Streams' shared time tracker:
 * `streamTime`, the largest timestamp either side was given (null keys and values included), and
 * `minTime`, a lower bound on the times in the unmatched buffer that lets most records skip the
 * scan for closed windows (Infinity: unknown, scan). Kept in memory; `streamTime` starts from the
 * task's stream time at the join's first record (after a restart: the committed one).
 */
export interface JoinTimes {
  streamTime: number | undefined
  minTime: number
}

/**
 * One side of a windowed stream-stream join, as Kafka Streams 4.x's KStreamKStreamJoin (with its
 * spurious-result fix, emitting without its wall-clock throttle):
 * 1. A record with a null key: on a side whose unmatched records are emitted (left of a left join,
 *    both of an outer one) it is joined with null at once; else it is dropped, as is a null value.
 * 2. It is put in this side's window store (retention window size + grace: a store drops what is
 *    older), then, when it carries the join's newest time, every unmatched record whose window
 *    has closed (its time + look-ahead + grace < stream time) is emitted joined with null, by time,
 *    right side before left, then key, stamped with its own time.
 * 3. It joins every record of the other store with its key within [t - before, t + after] (result
 *    time: the later of the two) — also when it is itself late: a late record is not dropped, it
 *    meets what the other store still holds. A match takes the other record out of the buffer.
 * 4. Unmatched on an emitting side: if its own window has already closed (t + after < stream
 *    time) it is emitted joined with null at once, else held in the buffer.
 */
export function streamStreamJoinSide(
  spec: JoinSideSpec,
  joiner: Joiner,
): ProcessorSupplier<unknown, unknown, unknown, unknown> {
  const { side, mode, windows } = spec
  const isLeft = side === 'left'
  const otherSide: JoinSide = isLeft ? 'right' : 'left'
  const emitsUnmatched = mode === 'outer' || (mode === 'left' && isLeft)
  // For this side's records: how far back and ahead the other side's times may be.
  const back = isLeft ? windows.beforeMs : windows.afterMs
  const ahead = isLeft ? windows.afterMs : windows.beforeMs
  /** How long after its time a held record of `s` may still be matched. */
  const lookAhead = (s: JoinSide) => (s === 'left' ? windows.afterMs : windows.beforeMs)
  const join = (mine: unknown, theirs: unknown, key: unknown): unknown =>
    isLeft ? joiner(mine, theirs, key) : joiner(theirs, mine, key)
  // Kafka Streams gives the join stores a retention of size + grace; at 0 every record has
  // expired on arrival, so a zero-width window without grace matches nothing (README: Semantics).
  const matchesNothing = windows.sizeMs + windows.graceMs === 0
  return () => {
    let context: ProcessorContext<unknown, unknown>
    let thisStore: WindowStore<unknown, unknown>
    let otherStore: WindowStore<unknown, unknown>
    let unmatched: UnmatchedBuffer | undefined
    let times: JoinTimes
    return {
      init(c) {
        context = c
        thisStore = c.getStateStore(spec.thisStore)
        otherStore = c.getStateStore(spec.otherStore)
        if (spec.outerStore !== undefined) {
          const store = c.getStateStore<KeyValueStore<Buffer, Buffer>>(spec.outerStore)
          unmatched = new UnmatchedBuffer(store, spec.keySerde, spec.valueSerdes)
        }
        // Keyed by a store both sides of this task share: one JoinTimes per join per task.
        const leftStore = isLeft ? thisStore : otherStore
        const shared = spec.times.get(leftStore)
        times = shared ?? { streamTime: undefined, minTime: Infinity }
        if (shared === undefined) spec.times.set(leftStore, times)
      },
      process(record) {
        const time = record.timestamp
        const streamTime = Math.max(times.streamTime ?? context.currentStreamTimeMs(), time)
        times.streamTime = streamTime
        const absentKey = record.key === null || record.key === undefined
        const absentValue = record.value === null || record.value === undefined
        if (absentKey && !absentValue && emitsUnmatched) {
          return context.forward({ ...record, value: join(record.value, null, record.key) })
        }
        if (absentKey || absentValue) return context.recordDropped(absentKey ? 'null-key' : 'null-value')
        thisStore.put(record.key, record.value, time)
        if (unmatched !== undefined && time === streamTime) emitClosed(unmatched, record, streamTime)
        const to = Math.max(0, time + ahead)
        let matched = false
        const others = matchesNothing ? [] : otherStore.fetchRange(record.key, Math.max(0, time - back), to)
        for (const other of others) {
          matched = true
          const otherTime = other.key.window.start
          unmatched?.remove(otherTime, otherSide, record.key)
          const value = join(record.value, other.value, record.key)
          context.forward({ ...record, value, timestamp: Math.max(time, otherTime) })
        }
        if (matched || !emitsUnmatched) return
        if (unmatched === undefined || to < streamTime) {
          context.forward({ ...record, value: join(record.value, null, record.key) })
        } else {
          times.minTime = Math.min(times.minTime, time)
          unmatched.add(time, side, record.key, record.value)
        }
      },
    }

    /** Emits (and forgets) the held records whose window has closed; stops once both sides' are open. */
    function emitClosed(
      buffer: UnmatchedBuffer,
      trigger: StreamRecord<unknown, unknown>,
      streamTime: number,
    ): void {
      if (times.minTime !== Infinity && times.minTime + ahead + windows.graceMs >= streamTime) return
      times.minTime = Infinity
      const open = { left: false, right: false }
      const emitted: Buffer[] = []
      for (const held of buffer.scan()) {
        times.minTime = held.time
        if (open.left && open.right) break
        if (held.time + lookAhead(held.side) + windows.graceMs >= streamTime) {
          open[held.side] = true
          continue
        }
        const value =
          held.side === 'left' ? joiner(held.value, null, held.key) : joiner(null, held.value, held.key)
        context.forward({ ...trigger, key: held.key, value, timestamp: held.time })
        emitted.push(held.stored)
      }
      for (const stored of emitted) buffer.delete(stored)
    }
  }
}
