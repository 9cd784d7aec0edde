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
    stderr: expect.stringMatching(/^(?=[\s\S]*name: must be at least 2 characters)(?=[\s\S]*email: must be a valid email address)(?=[\s\S]*password: must be at least 10 characters)/),
  })
  await expect(cli('org:create', '--name', 'Again', '--email', 'cli@example.com', '--password', 'password-123')).rejects.toMatchObject({
    stderr: expect.stringContaining('An account with this email already exists'),
  })
  await expect(cli('no:such')).rejects.toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown command "no:such"') })
})
