import { pgSqlClient } from '../../src/connect/pg/pg-sql-client.ts'
import { postgresSinkContract } from './postgres-sink-contract.ts'

// Real PostgreSQL through `pg`: start one with `npm run postgres:start` and export the
// DATABASE_URL it prints. Without it this suite fails (it is not skipped): an integration run
// that silently tested nothing would read as a pass.
const url = process.env['DATABASE_URL']

postgresSinkContract('PostgreSQL through pg', async () => {
  if (url === undefined || url === '')
    throw new Error(
      'DATABASE_URL is not set: run `npm run postgres:start` and export the DATABASE_URL it prints',
    )
  const sql = pgSqlClient(url, { max: 3 })
  try {
    await sql.query('SELECT 1')
  } catch (err) {
    await sql.close()
    throw new Error(`PostgreSQL at ${url} is unreachable (${String(err)}): run \`npm run postgres:start\``, {
      cause: err,
    })
  }
  return { sql, cleanup: () => sql.close() }
})
