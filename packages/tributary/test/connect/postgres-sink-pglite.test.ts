import { pgliteSqlClient } from '../../src/connect/pglite/pglite-sql-client.ts'
import { postgresSinkContract } from './postgres-sink-contract.ts'

postgresSinkContract('embedded PGlite', async () => {
  const sql = await pgliteSqlClient()
  return { sql, cleanup: () => sql.close() }
})
