import type { StreamsApp } from 'tributary-streams'
import type { LateByProcessor, LateWindowRow } from './summary.ts'

/** How many windows with late records the dashboard lists. */
export const LATE_WINDOWS_SHOWN = 12

/**
 * The late records of the streams app of this process, for the dashboard: per processor, and per
 * (processor, window) newest window first, each summed over the app's tasks (a window's records
 * arrive at the task of their key's partition, so one window is spread over several tasks).
 */
export function lateRecordsOf(app: StreamsApp): {
  lateByProcessor: LateByProcessor[]
  lateWindows: LateWindowRow[]
} {
  const byProcessor = new Map<string, number>()
  for (const [key, n] of Object.entries(app.metrics().lateRecordsByProcessor)) {
    const processor = key.slice(key.indexOf('/') + 1) // key: <task id>/<processor>
    byProcessor.set(processor, (byProcessor.get(processor) ?? 0) + n)
  }
  const windows = new Map<string, LateWindowRow>()
  for (const w of app.lateWindows(Infinity)) {
    const key = `${w.processor}@${w.window?.start ?? ''}`
    const known = windows.get(key)
    windows.set(key, {
      processor: w.processor,
      windowStart: w.window?.start ?? null,
      windowEnd: w.window?.end ?? null,
      records: (known?.records ?? 0) + w.records,
      maxLatenessMs: Math.max(known?.maxLatenessMs ?? 0, w.maxLatenessMs),
    })
  }
  return {
    lateByProcessor: [...byProcessor]
      .map(([processor, records]) => ({ processor, records }))
      .sort((a, b) => b.records - a.records || a.processor.localeCompare(b.processor)),
    lateWindows: [...windows.values()]
      .sort((a, b) => (b.windowStart ?? -Infinity) - (a.windowStart ?? -Infinity))
      .slice(0, LATE_WINDOWS_SHOWN),
  }
}
