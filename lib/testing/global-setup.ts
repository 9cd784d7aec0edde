import { execFileSync } from 'node:child_process'
import { Client } from 'pg'
import { ADMIN_URL, TEMPLATE_DB, dbUrl } from '@/lib/testing/services'

// Integration tests: migrate one template database once; every test file
// then gets its own copy (CREATE DATABASE … TEMPLATE), so files never collide.
export default async function setup() {
  const admin = new Client({ connectionString: ADMIN_URL })
  await admin.connect()
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`)
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`)
  await admin.end()
  execFileSync('npx', ['prisma', 'migrate', 'deploy'], { env: { ...process.env, DATABASE_URL: dbUrl(TEMPLATE_DB) }, stdio: 'pipe' })
}
