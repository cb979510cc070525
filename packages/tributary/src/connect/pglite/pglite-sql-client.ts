import type { PGlite } from '@electric-sql/pglite'
import { importPeer } from '../../optional-peer.ts'
import type { SqlClient } from '../sql-client.ts'

/**
 * A SqlClient on embedded PGlite (PostgreSQL compiled to WebAssembly, in this process). Given a
 * PGlite it borrows it; given a data directory (or nothing: memory only) it opens one and owns it.
 * One PGlite is one session: PGlite itself queues queries behind an open transaction. A data
 * directory must be opened by one PGlite at a time, in one process. PGlite is loaded on first use,
 * so importing this module costs nothing for users of `pg`.
 */
export async function pgliteSqlClient(target?: PGlite | string): Promise<SqlClient> {
  const owned = target === undefined || typeof target === 'string'
  let db: PGlite
  if (typeof target === 'object') db = target
  else {
    const { PGlite } = await importPeer(
      '@electric-sql/pglite',
      'pgliteSqlClient',
      () => import('@electric-sql/pglite'),
    )
    db = target === undefined ? new PGlite() : new PGlite(target)
  }
  await db.waitReady
  return {
    async query<R>(sql: string, params?: readonly unknown[]) {
      const result = await db.query<R>(sql, params === undefined ? undefined : [...params])
      return { rows: result.rows }
    },
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          async query<R>(sql: string, params?: readonly unknown[]) {
            const result = await tx.query<R>(sql, params === undefined ? undefined : [...params])
            return { rows: result.rows }
          },
        }),
      ),
    close: async () => {
      if (owned && !db.closed) await db.close()
    },
  }
}
