/**
 * Share of wall time a `node --cpu-prof` profile spent inside a function (its own time and its
 * callees'), e.g. how long the main thread was blocked in fs.fdatasyncSync. Not a test.
 *   npx tsx bench/profile-share.ts <file.cpuprofile> [functionName=fdatasyncSync]
 */
import { readFileSync } from 'node:fs'

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string }; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
  startTime: number
  endTime: number
}

/** Seconds under `functionName` and the profile's wall seconds. */
export function timeUnder(path: string, functionName: string): { seconds: number; wallSeconds: number } {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as CpuProfile
  const parent = new Map<number, number>()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const name = new Map(profile.nodes.map((n) => [n.id, n.callFrame.functionName]))
  const known = new Map<number, boolean>()
  const under = (id: number): boolean => {
    let inside = known.get(id)
    if (inside === undefined) {
      const up = parent.get(id)
      inside = name.get(id) === functionName || (up !== undefined && under(up))
      known.set(id, inside)
    }
    return inside
  }
  let micros = 0
  // timeDeltas[i] is the time before sample i: the gap after a sample is spent where it was taken.
  for (let i = 0; i < profile.samples.length; i++)
    if (under(profile.samples[i]!)) micros += profile.timeDeltas[i + 1] ?? 0
  return { seconds: micros / 1e6, wallSeconds: (profile.endTime - profile.startTime) / 1e6 }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [path, functionName = 'fdatasyncSync'] = process.argv.slice(2)
  if (path === undefined) throw new Error('usage: profile-share.ts <file.cpuprofile> [functionName]')
  const { seconds, wallSeconds } = timeUnder(path, functionName)
  console.log(
    `${functionName}: ${seconds.toFixed(1)} s of ${wallSeconds.toFixed(1)} s wall (${((seconds / wallSeconds) * 100).toFixed(1)}%)`,
  )
}
