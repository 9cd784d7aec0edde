// The second half of `npm run db:migrate`, after `prisma migrate deploy` (which, as the owner, made the
// role outlay_app): give outlay_app the password APP_DATABASE_PASSWORD when one is set, then check that
// the application can connect as it and that it cannot bypass row-level security. Fails with the reason.
import { Client } from 'pg'
import { appDatabaseUrl, APP_DB_ROLE, loadEnv } from '@/lib/env'

async function main(): Promise<void> {
  // the CLI profile: migrating signs no session, so NEXTAUTH_SECRET is not needed here
  const env = loadEnv(process.env, 'cli')
  const owner = new Client({ connectionString: env.DATABASE_URL })
  await owner.connect()
  try {
    if (env.APP_DATABASE_PASSWORD && !env.APP_DATABASE_URL) {
      // ALTER ROLE takes no bind parameters: quote the literal the way PostgreSQL does.
      const { rows } = await owner.query<{ q: string }>('SELECT quote_literal($1) AS q', [env.APP_DATABASE_PASSWORD])
      await owner.query(`ALTER ROLE ${APP_DB_ROLE} PASSWORD ${rows[0].q}`)
    }
  } finally {
    await owner.end()
  }
  const app = new Client({ connectionString: appDatabaseUrl(env) })
  try {
    await app.connect()
  } catch (e) {
    throw new Error(
      `the application cannot connect as ${APP_DB_ROLE} (${(e as Error).message}): set APP_DATABASE_PASSWORD (the server asks for a password) or APP_DATABASE_URL`,
    )
  }
  try {
    const r = await app.query<{ rolsuper: boolean; rolbypassrls: boolean }>('SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user')
    if (r.rows[0]?.rolsuper || r.rows[0]?.rolbypassrls)
      throw new Error('the application role can bypass row-level security: give APP_DATABASE_URL a role that cannot')
  } finally {
    await app.end()
  }
}

main().catch((e) => {
  console.error(`[db:migrate] ${(e as Error).message}`)
  process.exit(1)
})
