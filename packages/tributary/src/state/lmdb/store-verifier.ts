import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { probeEnvironments } from './lmdb-probe.ts'
import { checkClosedChecksum } from './store-checksum.ts'

/** Probe verdicts by state directory, each taken by its shard's open. */
const probes = new Map<string, Promise<Map<string, string | undefined>>>()

const hasData = (dir: string): boolean => existsSync(join(dir, 'data.mdb'))

/** Shard directories under `stateDir` (`<taskId>/<store>`) that hold data and no closed checksum. */
function uncleanShards(stateDir: string, isOpen: (dir: string) => boolean): string[] {
  const subdirs = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => join(dir, e.name))
  return subdirs(stateDir)
    .flatMap(subdirs)
    .filter((dir) => hasData(dir) && !existsSync(join(dir, 'closed.crc32')) && !isOpen(dir))
}

/**
 * Decides whether the closed shard in `dir` (under `stateDir`) can be opened safely; resolves with
 * its damage in one line, or undefined. A shard closed cleanly is compared with the checksum taken
 * at close (which catches any changed byte); any other shard is read through by a probe process
 * (which catches a damaged B-tree, not a changed value). The first shard of a state directory
 * that needs the probe has every such shard of the directory probed by one child, since they are
 * all about to open after a crash.
 */
export async function verifyShard(
  stateDir: string,
  dir: string,
  isOpen: (dir: string) => boolean,
): Promise<string | undefined> {
  if (!hasData(dir)) return undefined
  const sum = await checkClosedChecksum(dir)
  if (sum.result === 'match') return undefined
  if (sum.result === 'mismatch') return sum.reason
  let verdicts = await probes.get(stateDir)?.catch(() => undefined)
  if (verdicts === undefined || !verdicts.has(dir)) {
    const dirs = [...new Set([dir, ...uncleanShards(stateDir, isOpen)])]
    const probe = probeEnvironments(dirs)
    probes.set(stateDir, probe)
    verdicts = await probe
  }
  const verdict = verdicts.get(dir)
  verdicts.delete(dir)
  return verdict
}
