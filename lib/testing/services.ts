import { Client, Pool } from 'pg'
import { deleteRedisPrefix } from '@/lib/queues/prefix'
import { asOrg } from '@/lib/db'
import { createApiKey, type TCreateApiKey } from '@/lib/auth/api-keys'

// Real services for integration tests (never mocks): PostgreSQL and Redis on
// this machine, overridable with TEST_PG_SERVER (no database name) / TEST_REDIS_URL.
const PG_BASE = process.env.TEST_PG_SERVER ?? 'postgresql://postgres@127.0.0.1:5432'
export const ADMIN_URL = `${PG_BASE}/postgres`
/** Per test run (set by the global setup), so two runs on one machine never share a database. */
const runId = () => process.env.OUTLAY_TEST_RUN ?? 'local'
export const templateDb = () => `outlay_tt_${runId()}`
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
export const dbUrl = (name: string) => `${PG_BASE}/${name}`

/**
 * Give this test file its own database (a copy of the migrated template) and
 * its own queue prefix, and point the environment at them. Call before any
 * lib/ module touches the database.
 */
export async function useTestServices(name: string): Promise<{ databaseUrl: string; prefix: string; dbName: string }> {
  const dbName = `outlay_it_${name.replace(/[^a-z0-9_]/gi, '_').toLowerCase()}_${runId()}`
  const admin = new Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${dbName} TEMPLATE ${templateDb()}`)
  await admin.end()
  const prefix = `outlay-it-${name}-${runId()}`
  await flushPrefix(prefix)
  Object.assign(process.env, {
    DATABASE_URL: dbUrl(dbName),
    REDIS_URL,
    QUEUE_PREFIX: prefix,
    NEXTAUTH_SECRET: 'integration-test-secret-0123456789',
    RECONCILE_AFTER_SECONDS: '1',
    // local HTTP receivers stand in for webhook endpoints (lib/notifications/ssrf.integration.test.ts turns it off)
    WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  })
  return { databaseUrl: dbUrl(dbName), prefix, dbName }
}

export const flushPrefix = (prefix: string): Promise<void> => deleteRedisPrefix(REDIS_URL, prefix)

let owner: { url: string; pool: Pool } | undefined
/**
 * A pool on the test database as its owner (the PostgreSQL superuser here), for a test's own checks and
 * set-up in SQL: it sees every organization's rows, as the application (outlay_app, row-level security) never does.
 */
export function ownerPool(): Pool {
  const url = process.env.DATABASE_URL!
  if (owner?.url !== url) owner = { url, pool: new Pool({ connectionString: url, max: 4 }) }
  return owner.pool
}

/** An API key of any organization, made for that organization (row-level security): tests make keys of several. */
export const createTestApiKey = (orgId: string, input: TCreateApiKey) => asOrg(orgId, () => createApiKey(orgId, input))
