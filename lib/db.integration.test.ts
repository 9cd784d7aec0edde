import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices } from '@/lib/testing/services'
import { asNoOrg, closeDb, pool } from '@/lib/db'

// The process's pool keeps an idle PostgreSQL connection for PG_POOL_IDLE_SECONDS (default 600), not
// node-postgres' 10 s: a new connection is a new server process, slow on its first reads (lib/env.ts; the account
// page at 90 days opened after a 15-s pause: 371–401 ms p50 on new connections, 201–238 ms on kept ones).

beforeAll(async () => {
  await useTestServices('db')
})

afterAll(async () => {
  await closeDb()
})

describe('the connection pool', () => {
  it('keeps an idle connection past node-postgres’ 10-second default', { timeout: 30_000 }, async () => {
    const backend = () => asNoOrg(async () => (await pool().query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0].pid)
    const first = await backend()
    expect(pool().totalCount).toBe(1)
    await new Promise((r) => setTimeout(r, 11_000))
    expect(pool().totalCount).toBe(1)
    expect(await backend()).toBe(first)
  })
})
