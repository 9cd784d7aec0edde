import { afterAll, beforeAll, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { useTestServices } from '@/lib/testing/services'
import { closeDb } from '@/lib/db'
import { verifyApiKey } from '@/lib/auth/api-keys'

const run = promisify(execFile)
const cli = (...args: string[]) => run('npx', ['tsx', 'lib/cli/main.ts', ...args], { env: process.env })

beforeAll(async () => {
  await useTestServices('cli')
})
afterAll(async () => {
  await closeDb()
})

it('org:create --json prints the org and an API key that works for ingest and read', async () => {
  const { stdout } = await cli('org:create', '--name', 'Cli Co', '--email', 'cli@example.com', '--password', 'password-123', '--json')
  const out = JSON.parse(stdout)
  expect(out).toEqual({ org_id: expect.any(String), org_slug: 'cli-co', api_key: expect.stringMatching(/^outlay_sk_/) })
  expect(await verifyApiKey(out.api_key)).toMatchObject({ orgId: out.org_id, scopes: ['ingest', 'read'] })
})

it('explains bad arguments and an existing email', async () => {
  await expect(cli('org:create', '--name', 'X', '--email', 'not-an-email', '--password', 'short')).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringMatching(
      /^(?=[\s\S]*name: must be at least 2 characters)(?=[\s\S]*email: must be a valid email address)(?=[\s\S]*password: must be at least 10 characters)/,
    ),
  })
  await expect(cli('org:create', '--name', 'Again', '--email', 'cli@example.com', '--password', 'password-123')).rejects.toMatchObject({
    stderr: expect.stringContaining('An account with this email already exists'),
  })
  await expect(cli('no:such')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown command "no:such"') })
})

it('member:add, in a fresh shell: reads the .env file of its directory, needs no NEXTAUTH_SECRET, creates a verified user or changes a role', async () => {
  const { createOrgWithAdmin } = await import('@/lib/orgs')
  const { ownerPool } = await import('@/lib/testing/services')
  const { mkdtempSync, writeFileSync } = await import('node:fs')
  const { tmpdir } = await import('node:os')
  const path = await import('node:path')
  const made = await createOrgWithAdmin({ org_name: 'Member Co', email: 'owner@member.example', password: 'password-123' })
  // what `npm run demo` leaves behind, and a shell that has none of the app's variables
  const dir = mkdtempSync(path.join(tmpdir(), 'outlay-cli-'))
  writeFileSync(
    path.join(dir, '.env'),
    `DATABASE_URL=${process.env.DATABASE_URL}\nREDIS_URL=${process.env.REDIS_URL}\nQUEUE_PREFIX=${process.env.QUEUE_PREFIX}\n`,
  )
  const root = process.cwd()
  const fresh = (...args: string[]) =>
    run(path.join(root, 'node_modules/.bin/tsx'), ['--tsconfig', path.join(root, 'tsconfig.json'), path.join(root, 'lib/cli/main.ts'), ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH!, HOME: process.env.HOME ?? dir } as unknown as NodeJS.ProcessEnv,
    })
  const a = await fresh('member:add', '--org', made.org.slug, '--email', 'Fin@Member.example', '--role', 'finance', '--password', 'password-123')
  expect(a.stdout).toContain('fin@member.example is finance of member-co (new account, email verified)')
  const row = await ownerPool().query(
    `SELECT m.role, u.email_verified_at FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND u.email = 'fin@member.example'`,
    [made.org.id],
  )
  expect(row.rows).toEqual([{ role: 'finance', email_verified_at: expect.any(Date) }])
  // again: an existing user, a new role; no password asked
  expect((await fresh('member:add', '--org', made.org.slug, '--email', 'fin@member.example', '--role', 'viewer')).stdout).toContain(
    'fin@member.example is viewer of member-co\n',
  )
  // a new user without --password gets a random one, shown once
  expect((await fresh('member:add', '--org', made.org.slug, '--email', 'cs@member.example', '--role', 'customer_success')).stdout).toMatch(
    /Password \(shown once.*\): \S{16}/,
  )
  await expect(fresh('member:add', '--org', made.org.slug, '--email', 'x@member.example', '--role', 'owner')).rejects.toMatchObject({
    code: 1,
    stderr: expect.stringContaining('--role: must be one of admin, engineer'),
  })
  await expect(fresh('member:add', '--org', 'nope', '--email', 'x@member.example', '--role', 'viewer')).rejects.toMatchObject({
    stderr: expect.stringContaining('--org: no organization with slug "nope"'),
  })
  // the last admin stays admin
  await expect(fresh('member:add', '--org', made.org.slug, '--email', 'owner@member.example', '--role', 'viewer')).rejects.toMatchObject({
    stderr: expect.stringContaining('is the last admin'),
  })
})
