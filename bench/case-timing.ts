import type { StreamsApp } from 'tributary-streams'

/**
 * Seconds from `start()` until `app` has processed `records` input records and closed (so the
 * final commit is durable).
 */
export async function secondsToProcess(app: StreamsApp, records: number): Promise<number> {
  const t0 = performance.now()
  await app.start()
  while (app.metrics().processed < records) {
    await new Promise((r) => setTimeout(r, 5))
    if (app.state === 'failed') await app.done
  }
  await app.close()
  return (performance.now() - t0) / 1000
}

/** Prints a case's result line (what runCase parses): throughput and the process's peak RSS. */
export function printCaseResult(fields: Record<string, unknown>, records: number, seconds: number): void {
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024)
  console.log(
    JSON.stringify({ ...fields, records, seconds, recordsPerSec: Math.round(records / seconds), peakRssMb }),
  )
}
