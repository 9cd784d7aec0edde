import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Client } from 'pg'
import { ownerPool, useTestServices } from '@/lib/testing/services'
import { asNoOrg, asOrg, closeDb, pool, prisma } from '@/lib/db'
import { appDatabaseUrl, APP_DB_ROLE, loadEnv } from '@/lib/env'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin, membershipBySlug, membershipsOf } from '@/lib/orgs'
import { createApiKey, verifyApiKey } from '@/lib/auth/api-keys'
import { acceptEvents, acceptOutcomes } from '@/lib/ingest/accept'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { createBudget } from '@/lib/budgets'

// Row-level security, the second wall between tenants (PRODUCT.md "Database roles";
// prisma/migrations/20261206000000_row_level_security). The application's role owns nothing and
// cannot bypass RLS; every table with an org_id — the list comes from the catalog, so a new table
// without a policy fails here — shows no row when no organization is declared, and only the declared
// organization's rows otherwise.

let A = { id: '', slug: '', userId: '' }
let B = { id: '', slug: '', userId: '' }
let tenantTables: string[] = []

async function seedTenant(orgId: string, tag: string): Promise<void> {
  await asOrg(orgId, async () => {
    await createApiKey(orgId, { name: `${tag} key`, scopes: ['ingest'] })
    const ts = new Date(Date.now() - 3600_000).toISOString()
    const events = Array.from({ length: 5 }, (_, i) => ({
      id: `${tag}-${i}`,
      timestamp: ts,
      workflow_id: `${tag}-flow`,
      step: 'generate',
      run_id: `${tag}-run-${i % 2}`,
      account_id: `${tag}-acct`,
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 100 + i,
      tokens_out: 10,
    }))
    expect((await acceptEvents({ orgId }, { events })).accepted).toBe(5)
    expect(
      (await acceptOutcomes({ orgId }, { outcomes: [{ id: `${tag}-o`, timestamp: ts, workflow_id: `${tag}-flow`, run_id: `${tag}-run-0`, accepted: true }] }))
        .accepted,
    ).toBe(1)
    await createBudget(orgId, {
      name: `${tag} budget`,
      environment: null,
      workflow_id: null,
      account_id: null,
      feature: null,
      traffic_sources: ['production'],
      period: 'month',
      rolling_days: null,
      metric: 'spend',
      amount_usd: '10',
      thresholds: [50, 100],
      hard_cutoff: false,
      cutoff_action: 'throttle',
      throttle_per_minute: 60,
      owner: null,
    })
  })
}

beforeAll(async () => {
  await useTestServices('tenancy')
  for (const [name, set] of [
    ['Wall A', (o: typeof A) => (A = o)],
    ['Wall B', (o: typeof A) => (B = o)],
  ] as const) {
    const r = await createOrgWithAdmin({ org_name: name, email: `${name.replace(' ', '').toLowerCase()}@example.com`, password: 'password-123' })
    set({ id: r.org.id, slug: r.org.slug, userId: r.userId })
  }
  await seedTenant(A.id, 'a')
  await seedTenant(B.id, 'b')
  for (const id of await pendingBatches(0)) await processBatch(id)
  tenantTables = (
    await ownerPool().query<{ t: string }>(
      `SELECT c.relname AS t FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
     WHERE c.relkind IN ('r', 'p') AND c.relnamespace = 'public'::regnamespace ORDER BY 1`,
    )
  ).rows.map((r) => r.t)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

/** A connection as the application's role, declaring `org` (or nothing) itself: the policies alone, without lib/db. */
async function asApp<T>(org: string | null, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: appDatabaseUrl(loadEnv()) })
  await c.connect()
  try {
    if (org) await c.query(`SELECT set_config('outlay.org_id', $1, false)`, [org])
    return await fn(c)
  } finally {
    await c.end()
  }
}

describe('the application role', () => {
  it('is neither superuser nor BYPASSRLS, and owns no table, sequence or function', async () => {
    await asApp(null, async (c) => {
      const me = await c.query(`SELECT current_user AS u, rolsuper, rolbypassrls, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user`)
      expect(me.rows[0]).toEqual({ u: APP_DB_ROLE, rolsuper: false, rolbypassrls: false, rolcreaterole: false, rolcreatedb: false })
      const owned = await c.query(`SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`)
      expect(owned.rows[0].n).toBe(0)
      const fns = await c.query(`SELECT count(*)::int AS n FROM pg_proc WHERE proowner = (SELECT oid FROM pg_roles WHERE rolname = current_user)`)
      expect(fns.rows[0].n).toBe(0)
      // it cannot switch the wall off for itself
      await expect(c.query(`ALTER TABLE inference_events DISABLE ROW LEVEL SECURITY`)).rejects.toThrow(/must be owner/)
      await expect(c.query(`SET ROLE outlay_system`)).rejects.toThrow(/permission denied/)
    })
  })

  it('the lib/db pool connects as that role', async () => {
    const r = await asNoOrg(() => pool().query<{ u: string }>('SELECT current_user AS u'))
    expect(r.rows[0].u).toBe(APP_DB_ROLE)
  })
})

describe('every table with an org_id', () => {
  it('has row-level security enabled and forced, with the tenant policy on the declared organization', async () => {
    expect(tenantTables.length).toBeGreaterThan(30)
    const r = await ownerPool().query<{ t: string; rls: boolean; force: boolean; qual: string | null; check: string | null }>(
      `SELECT c.relname AS t, c.relrowsecurity AS rls, c.relforcerowsecurity AS force, p.qual, p.with_check AS check
       FROM pg_class c LEFT JOIN pg_policies p ON p.tablename = c.relname AND p.schemaname = 'public' AND p.policyname = 'tenant'
       WHERE c.relname = ANY($1) ORDER BY 1`,
      [tenantTables],
    )
    const wrong = r.rows.filter((x) => !x.rls || !x.force || !/org_id = outlay_org\(\)/.test(x.qual ?? '') || !/org_id = outlay_org\(\)/.test(x.check ?? ''))
    expect(
      wrong.map((x) => x.t),
      "tables without a forced tenant policy (add SELECT outlay_protect('<table>') to their migration)",
    ).toEqual([])
    // no other policy lets the application's role see more
    const others = await ownerPool().query(
      `SELECT tablename, policyname, roles FROM pg_policies WHERE schemaname = 'public' AND policyname NOT IN ('tenant', 'system')`,
    )
    expect(others.rows).toEqual([])
    const system = await ownerPool().query<{ roles: string }>(
      `SELECT DISTINCT roles::text FROM pg_policies WHERE schemaname = 'public' AND policyname = 'system'`,
    )
    expect(system.rows.map((x) => x.roles)).toEqual(['{outlay_system}'])
  })

  it('shows no row when no organization is declared, and only its own rows when one is', async () => {
    const populated: string[] = []
    for (const t of tenantTables) {
      const own = await ownerPool().query<{ a: number; b: number }>(
        `SELECT count(*) FILTER (WHERE org_id = $1)::int AS a, count(*) FILTER (WHERE org_id = $2)::int AS b FROM ${t}`,
        [A.id, B.id],
      )
      const { a, b } = own.rows[0]
      if (a > 0 && b > 0) populated.push(t)
      await asApp(null, async (c) => {
        expect((await c.query(`SELECT count(*)::int AS n FROM ${t}`)).rows[0].n, `${t} with no organization declared`).toBe(0)
      })
      await asApp(A.id, async (c) => {
        const seen = await c.query<{ n: number; foreign: number }>(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE org_id <> $1)::int AS foreign FROM ${t}`,
          [A.id],
        )
        expect(seen.rows[0], `${t} as organization A`).toEqual({ n: a, foreign: 0 })
      })
    }
    // the proof reads real rows of both tenants in the tables the pipeline writes
    for (const t of [
      'api_keys',
      'memberships',
      'budgets',
      'ingest_batches',
      'inference_events',
      'runs',
      'outcomes',
      'rollups_hourly',
      'rollups_daily',
      'rollups_weekly',
      'rollups_outcomes_hourly',
    ]) {
      expect(populated, `${t} holds rows of both organizations`).toContain(t)
    }
  })

  it("refuses to write a row for another organization than the declared one, and to touch another's rows", async () => {
    await asApp(A.id, async (c) => {
      await expect(
        c.query(`INSERT INTO api_keys (id, org_id, name, prefix, hash, scopes) VALUES (gen_random_uuid(), $1, 'x', 'ol_x_forged', 'forged', '{ingest}')`, [
          B.id,
        ]),
      ).rejects.toThrow(/row-level security/)
      const upd = await c.query(`UPDATE budgets SET name = 'taken' WHERE org_id = $1`, [B.id])
      expect(upd.rowCount).toBe(0)
      const del = await c.query(`DELETE FROM inference_events WHERE org_id = $1`, [B.id])
      expect(del.rowCount).toBe(0)
    })
    const b = await ownerPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM inference_events WHERE org_id = $1`, [B.id])
    expect(b.rows[0].n).toBe(5)
  })
})

describe('lib/db declares the organization of the code that runs', () => {
  it('a query that forgets its org_id filter returns only the declared organization, even when tenants interleave on one pool', async () => {
    const count = (org: string) =>
      asOrg(org, async () => {
        await new Promise((r) => setTimeout(r, Math.random() * 5))
        const raw = await pool().query<{ n: number }>('SELECT count(*)::int AS n FROM inference_events') // no filter on purpose
        const viaPrisma = await prisma().inferenceEvent.count() // no filter on purpose
        return [raw.rows[0].n, viaPrisma]
      })
    const results = await Promise.all(Array.from({ length: 40 }, (_, i) => count(i % 2 ? A.id : B.id)))
    for (const r of results) expect(r).toEqual([5, 5])
    expect((await asNoOrg(() => pool().query<{ n: number }>('SELECT count(*)::int AS n FROM inference_events'))).rows[0].n).toBe(0)
  })

  it('the cross-organization lookups go through their SECURITY DEFINER functions only', async () => {
    const key = await asOrg(B.id, () => createApiKey(B.id, { name: 'lookup', scopes: ['read'] }))
    const principal = await asNoOrg(() => verifyApiKey(key.key))
    expect(principal?.orgId).toBe(B.id)
    expect(await asNoOrg(() => membershipsOf(A.userId))).toEqual([{ org: { id: A.id, name: 'Wall A', slug: A.slug, time_zone: 'UTC' }, role: 'admin' }])
    expect(await asNoOrg(() => membershipBySlug(A.userId, B.slug))).toBeNull()
    expect((await asNoOrg(() => membershipBySlug(B.userId, B.slug)))?.role).toBe('admin')
  })
})
