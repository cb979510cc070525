import type { AppFixture } from '../sink/app-fixture.ts'
import { MINUTE, T0 } from '../sink/app-fixture.ts'

export const REGIONS = ['eu-west', 'us-east', 'apac', 'latam']
export const SEGMENTS = ['consumer', 'smb', 'enterprise']

/** Deterministic, plausible revenue for a (minute, region, segment). */
export function figures(minute: number, r: number, s: number): { order_count: number; revenue: number } {
  const base = [420, 610, 280, 150][r]! * [1, 1.6, 3.2][s]!
  const wave = 1 + 0.25 * Math.sin((minute + r * 3 + s) / 4)
  const order_count = Math.max(1, Math.round((base / 40) * wave * [1.4, 0.8, 0.35][s]!))
  return { order_count, revenue: Math.round(base * wave * 100 + minute * 7 + r * 13 + s) / 100 }
}

/** Minutes [from, to) of windows: all final except the last, plus WindowClosed and two anomalies. */
export async function produceMinutes(f: AppFixture, from: number, to: number, scale = 1): Promise<void> {
  const rows = []
  for (let m = from; m < to; m++)
    for (let r = 0; r < REGIONS.length; r++)
      for (let s = 0; s < SEGMENTS.length; s++) {
        const { order_count, revenue } = figures(m, r, s)
        rows.push({
          window_start: T0 + m * MINUTE,
          region: REGIONS[r]!,
          segment: SEGMENTS[s]!,
          order_count: Math.round(order_count * scale),
          revenue: Math.round(revenue * scale * 100) / 100,
          final: m < to - 1,
        })
      }
  await f.processed(rows)
  for (const row of rows.filter((x) => x.final).slice(-3)) await f.windowClosed(row)
}
