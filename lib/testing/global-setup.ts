import { execFileSync } from 'node:child_process'
import { Client } from 'pg'
import { ADMIN_URL, dbUrl, templateDb } from '@/lib/testing/services'

// Integration tests: migrate one template database per run; every test file
// then gets its own copy (CREATE DATABASE … TEMPLATE), so files never collide,
// and the run id keeps two runs on one machine apart too.
export default async function setup() {
  process.env.OUTLAY_TEST_RUN ??= String(process.pid)
  const admin = new Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${templateDb()} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${templateDb()}`)
  await admin.end()
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: dbUrl(templateDb()) }, stdio: 'pipe' })

  return async function teardown() {
    const c = new Client({ connectionString: ADMIN_URL })
    await c.connect()
    const dbs = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2`, [
      `outlay_it_%_${process.env.OUTLAY_TEST_RUN}`,
      templateDb(),
    ])
    for (const { datname } of dbs.rows) await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
    await c.end()
  }
}
