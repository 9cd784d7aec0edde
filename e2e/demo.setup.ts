import { test as setup } from '@playwright/test'
import { execFileSync } from 'node:child_process'

// The demo organization, seeded the way `npm run demo` does it: through the
// ingest API and the workers of the server under test (14 days, for speed).
setup('seed the demo organization through the ingest API', async ({ baseURL }) => {
  setup.setTimeout(180_000)
  execFileSync('npx', ['tsx', 'prisma/seed.ts', '--url', baseURL!, '--days', '14', '--reset'], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL, NEXTAUTH_SECRET: 'e2e-secret-0123456789abcdef', QUEUE_PREFIX: 'outlay-e2e' },
    stdio: 'inherit',
    // execFileSync blocks the test's own timeout: a seed that never exits must fail, not hang the run
    timeout: 170_000,
  })
})
