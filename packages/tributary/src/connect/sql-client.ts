/** Something SQL statements can run on: a connection, or a transaction in progress. */
export interface SqlQueryable {
  /** Runs one statement with `$1…$n` parameters; resolves with the rows it returned. */
  query<R = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<{ rows: R[] }>
}

/**
 * The little of a PostgreSQL client the connect layer needs, so that sinks run unchanged on real
 * PostgreSQL (`pg`) and on embedded PGlite. Implementations: `pgSqlClient`, `pgliteSqlClient`.
 */
export interface SqlClient extends SqlQueryable {
  /**
   * Runs `fn` inside BEGIN … COMMIT on one connection. If `fn` throws (or COMMIT fails) the
   * transaction is rolled back and the error is rethrown: none of its statements take effect.
   */
  transaction<T>(fn: (tx: SqlQueryable) => Promise<T>): Promise<T>
  /** Releases the connection(s) if this client owns them; otherwise does nothing. */
  close(): Promise<void>
}
