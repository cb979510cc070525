import { crc32 } from 'node:zlib'
import { read } from './frame.ts'
import { replaceFileAtomically } from './fs-util.ts'
import type { PartitionLog } from './partition-log.ts'
import type { StorageContext } from './storage-context.ts'
import type { StorageFs } from './storage-fs.ts'

const HEADER = 'tributary cleaner checkpoint 1'
/** A checkpoint holds at most MAX_CLEAN_RUNS short lines: anything larger is not one. */
const MAX_BYTES = 64 * 1024

/**
 * A cleaner checkpoint's file (see CleanerCheckpoint.runs): a header line naming the format, one
 * line `<end> <time>` per run, then the CRC-32 of everything before it (8 hex digits), so a
 * damaged file is told from an intact one. Text, so an operator can read it.
 */
export function encodeCheckpoint(runs: readonly (readonly [number, number])[]): Buffer {
  const body = [HEADER, ...runs.map(([end, time]) => `${end} ${time}`)].join('\n') + '\n'
  return Buffer.from(`${body}${crc32(body).toString(16).padStart(8, '0')}\n`)
}

/** What a checkpoint file holds: its runs, or why none of it is used (`routine`: a log start
 *  moved past it by retention is no sign of trouble on a topic that deletes). */
export type CheckpointRead =
  { readonly runs: [number, number][] } | { readonly ignored: string; readonly routine: boolean }

/**
 * Reads a partition's checkpoint file against its log `[start, end)`: it is used only when intact
 * (header, checksum, runs of safe integers with increasing ends) and its first dirty offset lies
 * within the log, as Kafka's cleaner checks its checkpoint. Otherwise compaction starts from the
 * log start again: a lost checkpoint costs work, never data.
 */
export function readCheckpoint(bytes: Buffer, start: number, end: number, deletes: boolean): CheckpointRead {
  const text = bytes.toString('latin1')
  const match = /^([^]*\n)([0-9a-f]{8})\n$/.exec(text)
  if (match === null) return { ignored: 'is cut short or not a checkpoint', routine: false }
  const body = match[1]!
  if (crc32(Buffer.from(body, 'latin1')) !== parseInt(match[2]!, 16))
    return { ignored: 'fails its checksum', routine: false }
  const [header, ...lines] = body.slice(0, -1).split('\n')
  if (header !== HEADER)
    return { ignored: `is of an unknown format (${JSON.stringify(header)})`, routine: false }
  const runs: [number, number][] = []
  for (const line of lines) {
    const run = /^(\d{1,16}) (-?\d{1,16})$/.exec(line)
    const [end, time] = [Number(run?.[1]), Number(run?.[2])]
    if (
      run === null ||
      !Number.isSafeInteger(end) ||
      !Number.isSafeInteger(time) ||
      end <= (runs.at(-1)?.[0] ?? 0)
    )
      return {
        ignored: `holds a run that is not "<end> <time>" after the one before: ${JSON.stringify(line)}`,
        routine: false,
      }
    runs.push([end, time])
  }
  const dirty = runs.at(-1)?.[0] ?? 0
  if (dirty > end)
    return { ignored: `says offsets up to ${dirty} were cleaned, past the log end ${end}`, routine: false }
  if (dirty < start)
    return {
      ignored: `says offsets up to ${dirty} were cleaned, before the log start ${start}`,
      routine: deletes,
    }
  return { runs }
}

/**
 * Writes the checkpoint of `log` to `path` crash-safely (a crash leaves the old file or the new
 * one), after the compaction round it describes has installed its segments durably. A failure
 * is a warning and changes nothing: the file it leaves is the old one, which only costs work.
 */
export function saveCheckpoint(ctx: StorageContext, path: string, log: PartitionLog): void {
  const runs = log.cleaner.runs
  if (runs.length === 0) return
  try {
    replaceFileAtomically(ctx.fs, path, encodeCheckpoint(runs))
  } catch (err) {
    ctx.warn(
      `tributary: ${path}: could not save the compaction checkpoint (${String(err)}); the one saved before stays, so a restart only redoes the work since`,
    )
  }
}

/**
 * Restores the checkpoint of a recovered partition from `path` (see readCheckpoint), warning
 * (but for routine cases) when it is not used. A missing file is a partition never compacted.
 */
export function loadCheckpoint(ctx: StorageContext, path: string, log: PartitionLog, deletes: boolean): void {
  try {
    ctx.fs.rmSync(`${path}.tmp`, { force: true }) // left by a save that a crash interrupted
  } catch {
    // the next save removes it
  }
  const read = readCheckpointFile(ctx.fs, path, log.startOffset, log.nextOffset, deletes)
  if (read === undefined) return
  if ('runs' in read) log.cleaner.restore(read.runs)
  else if (!read.routine)
    ctx.warn(
      `tributary: ${path} ${read.ignored}: ignored, so the next compaction of ${log.topic}-${log.partition} reads it from its start (nothing is lost)`,
    )
}

/** readCheckpoint on the file at `path`; undefined when there is none. A file that cannot be
 *  read is ignored as a damaged one is. */
export function readCheckpointFile(
  fs: StorageFs,
  path: string,
  start: number,
  end: number,
  deletes: boolean,
): CheckpointRead | undefined {
  if (!fs.existsSync(path)) return undefined
  let fd: number | undefined
  try {
    fd = fs.openSync(path, 'r')
    const size = fs.fstatSync(fd).size
    if (size > MAX_BYTES) return { ignored: `is ${size} bytes, too large to be a checkpoint`, routine: false }
    return readCheckpoint(read(fs, fd, 0, size), start, end, deletes)
  } catch (err) {
    return { ignored: `cannot be read (${String(err)})`, routine: false }
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
