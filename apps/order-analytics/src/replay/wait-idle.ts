import type { Log, PartitionOffset, StreamsApp } from 'tributary-streams'

const same = (a: readonly PartitionOffset[], b: readonly PartitionOffset[]): boolean => {
  const key = (p: PartitionOffset) => `${p.topic}/${p.partition}`
  const mb = new Map(b.map((p) => [key(p), p.offset]))
  return a.length === b.length && a.every((p) => mb.get(key(p)) === p.offset)
}

/**
 * Resolves once the streams group has committed every input partition up to its end and no
 * record was appended meanwhile: with an at-least-once app (no transaction markers), committed =
 * end on every source and repartition topic means every record was processed and everything it
 * produced was sent (the app sends its outputs before it commits their inputs).
 */
export async function waitUntilStreamsIdle(
  log: Log,
  app: StreamsApp,
  groupId: string,
  sourceTopics: readonly string[],
  timeoutMs = 600_000,
): Promise<void> {
  const internal = (await log.admin.listTopics()).filter(
    (t) => t.startsWith(`${groupId}-`) && t.endsWith('-repartition'),
  )
  const described = await log.admin.describeTopics([...sourceTopics, ...internal])
  const partitions = described.flatMap((d) =>
    Array.from({ length: d.partitions }, (_, partition) => ({ topic: d.name, partition })),
  )
  const deadline = Date.now() + timeoutMs
  for (;;) {
    if (app.state === 'failed') await app.done
    if (app.state !== 'running') throw new Error(`streams app is ${app.state}`)
    const before = await log.admin.endOffsets(partitions)
    const committed = await log.admin.committedOffsets(groupId, partitions)
    const after = await log.admin.endOffsets(partitions)
    const filled = before.map(
      (p) => committed.find((c) => c.topic === p.topic && c.partition === p.partition) ?? { ...p, offset: 0 },
    )
    if (same(before, after) && same(before, filled)) return
    if (Date.now() > deadline) throw new Error(`streams not idle after ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
