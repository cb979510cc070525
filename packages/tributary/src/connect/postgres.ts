// The public surface of `tributary-streams/postgres`: the exactly-once upsert sink and its SQL clients.
// PGlite loads only when pgliteSqlClient is called; `pg` loads with this module.
export type { SqlClient, SqlQueryable } from './sql-client.ts'
export { pgSqlClient } from './pg/pg-sql-client.ts'
export { pgliteSqlClient } from './pglite/pglite-sql-client.ts'
export { SqlOffsetStore, DEFAULT_OFFSETS_TABLE } from './sql-offset-store.ts'
export {
  PostgresSink,
  type PartitionLag,
  type PostgresSinkOptions,
  type SinkBatch,
  type SinkMetrics,
  type SinkState,
} from './postgres-sink.ts'
