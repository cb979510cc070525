import type pg from 'pg'
import { optionalPeer } from '../../optional-peer.ts'
import type { SqlClient, SqlQueryable } from '../sql-client.ts'
import { pgConnectionConfig, pgTlsError } from './pg-tls.ts'

// pg is an optional peer dependency, needed once a client is made (PGlite users go without it).
const pgModule = await optionalPeer('pg', 'pgSqlClient', async () => (await import('pg')).default)

/**
 * A SqlClient on node-postgres. Given a connection string it owns a Pool (closed by `close`), with
 * TLS from its `sslmode` and `sslrootcert` as in libpq (see pgConnectionConfig);
 * given a Pool or Client it borrows it. On a single Client, transactions and queries are run one
 * at a time (a Client is one session, so a query must not slip into another caller's transaction).
 */
export function pgSqlClient(
  target: string | pg.Pool | pg.Client,
  poolOptions: pg.PoolConfig = {},
): SqlClient {
  const { Pool } = pgModule()
  const owned = typeof target === 'string'
  // TLS (sslmode, sslrootcert, ... in the URL or PGSSL* variables) as libpq means it: pg-tls.ts.
  const db = typeof target === 'string' ? new Pool({ ...pgConnectionConfig(target), ...poolOptions }) : target
  if (db instanceof Pool) {
    // An idle pooled connection that dies (server restart) must not crash the process.
    if (owned) db.on('error', () => {})
    return {
      query: (sql, params) => run(db, sql, params),
      async transaction(fn) {
        const conn = await db.connect().catch((err: unknown) => {
          throw pgTlsError(err) ?? err
        })
        let broken: unknown
        try {
          return await inTransaction(conn, fn)
        } catch (err) {
          broken = err
          throw err
        } finally {
          conn.release(broken instanceof Error && isConnectionError(broken) ? broken : undefined)
        }
      },
      close: async () => (owned ? db.end() : undefined),
    }
  }
  let queue: Promise<unknown> = Promise.resolve()
  const serial = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task, task)
    queue = next.catch(() => {})
    return next
  }
  return {
    query: (sql, params) => serial(() => run(db, sql, params)),
    transaction: (fn) => serial(() => inTransaction(db, fn)),
    close: async () => {},
  }
}

async function run<R>(db: pg.Pool | pg.PoolClient | pg.Client, sql: string, params?: readonly unknown[]) {
  try {
    const result = await db.query(sql, params === undefined ? undefined : [...params])
    return { rows: result.rows as R[] }
  } catch (err) {
    throw pgTlsError(err) ?? err
  }
}

async function inTransaction<T>(conn: pg.PoolClient | pg.Client, fn: (tx: SqlQueryable) => Promise<T>) {
  await conn.query('BEGIN')
  try {
    const value = await fn({ query: (sql, params) => run(conn, sql, params) })
    await conn.query('COMMIT')
    return value
  } catch (err) {
    await conn.query('ROLLBACK').catch(() => {})
    throw err
  }
}

/** Errors without a SQLSTATE come from the socket, not the server: the connection is unusable. */
const isConnectionError = (err: Error): boolean =>
  !('code' in err) || typeof err.code !== 'string' || err.code.length !== 5
