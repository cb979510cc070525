import { join } from 'node:path'
import { open as openEnvironment } from 'lmdb'
import { TributaryError } from '../../errors.ts'
import type { BackendFactory, KeyValueBackend } from '../backend.ts'
import { checkStoreName } from '../store-name.ts'
import { LmdbBackend } from './lmdb-backend.ts'

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
 */
export const lmdbBackendFactory: BackendFactory = {
  persistent: true,
  open: async (stateDir: string, taskId: string, storeName: string): Promise<KeyValueBackend> => {
    checkStoreName(storeName)
    if (taskId.length === 0 || /[/\\]|^\.\.?$/.test(taskId)) {
      throw new TributaryError('CONFIG', `task id ${JSON.stringify(taskId)} cannot name a directory`)
    }
    const dir = join(stateDir, taskId, storeName)
    if (open.has(dir))
      throw new TributaryError('STATE', `store ${storeName} of task ${taskId} is already open`)
    open.add(dir)
    try {
      const env = openEnvironment({
        path: dir,
        // A directory holding data.mdb and lock.mdb, whatever the name looks like ("a.b" would
        // otherwise be read as a file with an extension).
        noSubdir: false,
        maxDbs: 2,
      })
      return new LmdbBackend(env, async () => {
        try {
          await env.close()
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
