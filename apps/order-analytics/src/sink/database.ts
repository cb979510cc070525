import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { pgliteSqlClient, pgSqlClient, type SqlClient } from 'tributary-streams/postgres'
import type { AppContext } from '../context.ts'

interface Shared {
  readonly client: Promise<SqlClient>
  users: number
}

/** One client per database per process: an embedded PGlite directory must have one opener. */
const open = new Map<string, Shared>()

/** Where the app's database is: DATABASE_URL, else embedded PGlite in `<dataDir>/pg`. */
export const databaseTarget = (ctx: Pick<AppContext, 'databaseUrl' | 'dataDir'>): string =>
  ctx.databaseUrl ?? `pglite:${join(ctx.dataDir, 'pg')}`

/**
 * The database of a context, shared by every job of this process (sink, dashboard, CLI `init`).
 * Each caller closes its handle; the last close releases the connection pool or PGlite.
 */
export async function openDatabase(ctx: Pick<AppContext, 'databaseUrl' | 'dataDir'>): Promise<SqlClient> {
  const target = databaseTarget(ctx)
  let shared = open.get(target)
  if (shared === undefined) {
    const client =
      ctx.databaseUrl !== undefined
        ? Promise.resolve(pgSqlClient(ctx.databaseUrl, { max: 4 }))
        : (() => {
            const dir = join(ctx.dataDir, 'pg')
            mkdirSync(dir, { recursive: true })
            return pgliteSqlClient(dir)
          })()
    shared = { client, users: 0 }
    open.set(target, shared)
    client.catch(() => open.delete(target))
  }
  shared.users++
  const client = await shared.client
  const entry = shared
  let closed = false
  return {
    query: (sql, params) => client.query(sql, params),
    transaction: (fn) => client.transaction(fn),
    async close() {
      if (closed) return
      closed = true
      if (--entry.users > 0) return
      open.delete(target)
      await client.close()
    },
  }
}
