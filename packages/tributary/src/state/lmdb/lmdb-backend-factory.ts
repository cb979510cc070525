import { join } from 'node:path'
import { open as openEnvironment, type RootDatabase } from 'lmdb'
import { TributaryError } from '../../errors.ts'
import { silentLogger, type Logger } from '../../logger.ts'
import type { BackendFactory, KeyValueBackend, StoreOpenContext } from '../backend.ts'
import { checkStoreName } from '../store-name.ts'
import { LmdbBackend } from './lmdb-backend.ts'
import { checkAddressSpace, checkMapSize, DEFAULT_MAP_SIZE_BYTES, fixedMapSize } from './map-size.ts'
import { setAside } from './set-aside.ts'
import { dropClosedChecksum, writeClosedChecksum } from './store-checksum.ts'
import { verifyShard } from './store-verifier.ts'

/** Shards open in this process. LMDB must not open one environment twice in a process. */
const open = new Set<string>()

/**
 * Opens store `storeName` of task `taskId` as its own lmdb environment in
 * `<stateDir>/<taskId>/<storeName>/` (data.mdb, lock.mdb), like Kafka Streams' one RocksDB per
 * store. One environment per store rather than per task was measured (docs/state-backends.md):
 * a task commits its stores concurrently, and separate environments sync to disk in parallel,
 * where one shared environment serializes them behind its single writer.
 *
 * A shard may be open once at a time: a second open before `close()` is a STATE error (two
 * owners of one shard would each take their uncommitted view for the truth).
 *
 * Each store maps `context.lmdbMapSizeBytes` of address space (see map-size.ts); one that does
 * not fit in the process's address-space limit fails to open with code STATE naming the setting.
 *
 * Every open verifies the shard first (see `verifyShard`: the checksum taken at the last close, or
 * a probe in a child process, because a damaged lmdb file can crash the process that maps it with
 * SIGBUS). A damaged shard is moved to `<stateDir>/.damaged/` and a fresh one opened, which the
 * caller restores from the changelog; the damage is logged as a warning and reported as a
 * `store-rebuilt` storage problem.
 */
export const lmdbBackendFactory: BackendFactory = {
  persistent: true,
  open: async (
    stateDir: string,
    taskId: string,
    storeName: string,
    context: StoreOpenContext = {},
  ): Promise<KeyValueBackend> => {
    checkStoreName(storeName)
    if (taskId.length === 0 || /[/\\]|^\.\.?$/.test(taskId)) {
      throw new TributaryError('CONFIG', `task id ${JSON.stringify(taskId)} cannot name a directory`)
    }
    const dir = join(stateDir, taskId, storeName)
    const wanted = checkMapSize(context.lmdbMapSizeBytes ?? DEFAULT_MAP_SIZE_BYTES)
    const mapSize = fixedMapSize(wanted)
    if (mapSize !== undefined) checkAddressSpace(mapSize, `store ${storeName} of task ${taskId}`, dir)
    if (open.has(dir))
      throw new TributaryError('STATE', `store ${storeName} of task ${taskId} is already open`)
    open.add(dir)
    const logger = context.logger ?? silentLogger
    try {
      await setAsideIfDamaged(stateDir, taskId, storeName, dir, context)
      dropClosedChecksum(dir)
      const env = openEnvironment({
        path: dir,
        // A directory holding data.mdb and lock.mdb, whatever the name looks like ("a.b" would
        // otherwise be read as a file with an extension).
        noSubdir: false,
        maxDbs: 2,
        ...(mapSize === undefined ? {} : { mapSize }),
        // Each commit is one explicit transaction. lmdb's default batching of the writes of one
        // event turn adds a commit promise of its own that nobody awaits: when the disk is full
        // its rejection would end the process unhandled.
        eventTurnBatching: false,
      })
      return new LmdbBackend(env, { dir, mapSize }, async (afterFailure) => {
        try {
          if (afterFailure) {
            // After a failed commit lmdb's close waits for a flush that never comes: bounded, and
            // no checksum (the next open probes the store instead).
            await closeWithin(env, CLOSE_AFTER_FAILURE_MS, logger, dir)
            return
          }
          await env.close()
          await writeClosedChecksum(dir).catch((err: unknown) =>
            logger.warn(
              { store: storeName, task: taskId, dir, err: String(err) },
              'cannot record the checksum of a closed store; its next open probes it instead',
            ),
          )
        } finally {
          open.delete(dir)
        }
      })
    } catch (err) {
      open.delete(dir)
      throw new TributaryError('STATE', `cannot open store ${storeName} of task ${taskId} in ${dir}`, {
        cause: err,
      })
    }
  },
}

async function setAsideIfDamaged(
  stateDir: string,
  taskId: string,
  storeName: string,
  dir: string,
  context: StoreOpenContext,
): Promise<void> {
  const logger = context.logger ?? silentLogger
  const where = { store: storeName, task: taskId, dir }
  let damage: string | undefined
  try {
    damage = await verifyShard(stateDir, dir, (d) => open.has(d) && d !== dir)
  } catch (err) {
    logger.warn({ ...where, err: String(err) }, 'cannot verify the store; opening it unverified')
    return
  }
  if (damage === undefined) return
  const aside = setAside(stateDir, taskId, storeName, dir)
  const message =
    `store ${storeName} of task ${taskId} was damaged (${damage}); ` +
    `moved to ${aside} and rebuilt from its changelog`
  logger.warn({ ...where, damage, movedTo: aside }, 'damaged state store set aside; rebuilding it')
  context.problems?.report('store-rebuilt', dir, message)
}

/** How long closing an environment whose commit failed may take before it is left behind. */
const CLOSE_AFTER_FAILURE_MS = 1000

async function closeWithin(env: RootDatabase, ms: number, logger: Logger, dir: string): Promise<void> {
  let timer: NodeJS.Timeout | undefined
  const closed = await Promise.race([
    env.close().then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ])
  clearTimeout(timer)
  if (!closed)
    logger.warn({ dir }, 'a store whose commit failed did not close; left open until the process ends')
}
