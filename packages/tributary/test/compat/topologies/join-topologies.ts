import { JoinWindows, type StreamsBuilder } from 'tributary-streams'
import { strings, toOut } from './helpers.ts'
import type { TopologyDefinition } from './topologies.ts'

/**
 * Every join kind: stream-stream (inner, left, outer), stream-table, stream-global table,
 * table-table (inner, left, outer) and foreign-key. Inputs "left" and "right"; results
 * "left+right" (an absent side reads "null").
 */
const join = (l: string | null, r: string | null): string => `${l}+${r}`
const windows = JoinWindows.ofTimeDifferenceAndGrace(5, 3)
const noGrace = JoinWindows.ofTimeDifferenceWithNoGrace(5)
const zero = JoinWindows.ofTimeDifferenceWithNoGrace(0)
/** A global table's key is the part of the stream value before ':' (none when empty). */
const globalKey = (_k: string, v: string): string | null => (v === null ? null : v.split(':')[0] || null)
const foreignKey = (v: string): string => v.split('|')[0]!

const left = (b: StreamsBuilder) => b.stream('left', strings)
const rightStream = (b: StreamsBuilder) => b.stream('right', strings)
const leftTable = (b: StreamsBuilder) => b.table('left', strings)
const rightTable = (b: StreamsBuilder) => b.table('right', strings)

export const joinTopologies: ReadonlyArray<[string, TopologyDefinition]> = [
  ['ss-inner', (b) => left(b).join(rightStream(b), join, windows).to('out', strings)],
  ['ss-inner-zero', (b) => left(b).join(rightStream(b), join, zero).to('out', strings)],
  ['ss-left', (b) => left(b).leftJoin(rightStream(b), join, windows).to('out', strings)],
  ['ss-outer', (b) => left(b).outerJoin(rightStream(b), join, windows).to('out', strings)],
  ['ss-left-nograce', (b) => left(b).leftJoin(rightStream(b), join, noGrace).to('out', strings)],
  ['ss-outer-nograce', (b) => left(b).outerJoin(rightStream(b), join, noGrace).to('out', strings)],
  ['st-inner', (b) => left(b).join(rightTable(b), join).to('out', strings)],
  ['st-left', (b) => left(b).leftJoin(rightTable(b), join).to('out', strings)],
  [
    'sgt-inner',
    (b) => {
      const global = b.globalTable('right', strings)
      left(b).join(global, globalKey, join).to('out', strings)
    },
  ],
  [
    'sgt-left',
    (b) => {
      const global = b.globalTable('right', strings)
      left(b).leftJoin(global, globalKey, join).to('out', strings)
    },
  ],
  ['tt-inner', (b) => toOut(leftTable(b).join(rightTable(b), join))],
  ['tt-left', (b) => toOut(leftTable(b).leftJoin(rightTable(b), join))],
  ['tt-outer', (b) => toOut(leftTable(b).outerJoin(rightTable(b), join))],
  ['fk-inner', (b) => toOut(leftTable(b).join(rightTable(b), foreignKey, join))],
  ['fk-left', (b) => toOut(leftTable(b).leftJoin(rightTable(b), foreignKey, join))],
]
