import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, createTestApiKey, ownerPool } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { sessionCookie, callRoute } from '@/lib/testing/session'
import { asOrg, closeDb, inTransaction, pool, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { createBudget, updateBudget } from '@/lib/budgets'
import { recordAudit, verifyAuditChain } from '@/lib/audit'
import { POST as postBudget } from '@/app/api/v1/budgets/route'
import { DELETE as deleteBudget, PATCH as patchBudget } from '@/app/api/v1/budgets/[id]/route'
import { POST as postKey } from '@/app/api/v1/keys/route'
import { DELETE as revokeKey } from '@/app/api/v1/keys/[id]/route'
import { PUT as putPrices } from '@/app/api/v1/prices/route'
import { GET as getAuditLog } from '@/app/api/v1/audit-log/route'

// The audit log through the real routes and the real database roles: the entry commits with the change
// (and only with it), carries who acted and the resource before and after, cannot be changed or removed
// by the application (grant) nor by the table's owner (trigger), and its hash chain exposes an edit made
// behind the trigger's back (audit:verify).

vi.mock('@/lib/auth/session', async (original) => ({
  ...(await original<typeof import('@/lib/auth/session')>()),
  sessionUser: async () => (await import('@/lib/testing/session')).sessionUserOfHandled(),
}))

const call = callRoute
const OWN = 'http://localhost' // the origin of apiRequest's URLs
const cli = (...args: string[]) => promisify(execFile)('npx', ['tsx', 'lib/cli/main.ts', ...args], { env: process.env })

let orgId = ''
let slug = ''
let userId = ''
let cookie = ''
let writeKey = ''
let writeKeyId = ''

const session = (path: string, method = 'GET', body?: unknown) =>
  apiRequest(`${path}${path.includes('?') ? '&' : '?'}org=${slug}`, { method, body, headers: { cookie, origin: OWN } })
const auditLog = async (query = '') => {
  const res = await call(getAuditLog, session(`/api/v1/audit-log${query ? `?${query}` : ''}`))
  expect(res.status).toBe(200)
  return res.json()
}
const count = async (org = orgId) => Number((await ownerPool().query('SELECT count(*) FROM audit_log WHERE org_id = $1', [org])).rows[0].count)

beforeAll(async () => {
  await useTestServices('audit')
  const a = await createOrgWithAdmin({ org_name: 'Audit Co', email: 'audit@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id)
  orgId = a.org.id
  slug = a.org.slug
  userId = a.userId
  cookie = await sessionCookie({ id: a.userId, email: 'audit@example.com' })
  const k = await createTestApiKey(orgId, { name: 'terraform', scopes: ['write', 'read'] })
  writeKey = k.key
  writeKeyId = k.api_key.id
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
  await ownerPool().end()
})

describe('entries written with the change', () => {
  let budgetId = ''

  it('an API key creating a budget is the actor; the entry has the budget after and nothing before', async () => {
    const res = await call(
      postBudget,
      apiRequest('/api/v1/budgets', {
        key: writeKey,
        method: 'POST',
        body: { name: 'Support daily', workflow_id: 'support', period: 'day', metric: 'spend', amount_usd: '1' },
      }),
    )
    expect(res.status).toBe(201)
    budgetId = (await res.json()).budget.id
    const { entries } = await auditLog('action=budget.create')
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor: { type: 'api_key', id: writeKeyId, label: 'terraform' },
      action: 'budget.create',
      target: { type: 'budget', id: budgetId },
      before: null,
      after: { id: budgetId, name: 'Support daily', amount_usd: '1', workflow_id: 'support' },
    })
  })

  it('a signed-in admin changing it is the actor, with the budget before and after', async () => {
    const res = await call(patchBudget, session(`/api/v1/budgets/${budgetId}`, 'PATCH', { amount_usd: '2.5' }), { id: budgetId })
    expect(res.status).toBe(200)
    const { entries } = await auditLog()
    expect(entries[0]).toMatchObject({
      actor: { type: 'user', id: userId, label: 'audit@example.com' },
      action: 'budget.update',
      target: { type: 'budget', id: budgetId },
      before: { amount_usd: '1', name: 'Support daily' },
      after: { amount_usd: '2.5', name: 'Support daily' },
    })
    expect(Date.parse(entries[0].at)).toBeGreaterThan(Date.now() - 60_000)
  })

  it('a change that fails writes no entry', async () => {
    const before = await count()
    const missing = '00000000-0000-4000-8000-000000000000'
    expect((await call(deleteBudget, session(`/api/v1/budgets/${missing}`, 'DELETE'), { id: missing })).status).toBe(404)
    expect((await call(patchBudget, session(`/api/v1/budgets/${budgetId}`, 'PATCH', { period: 'rolling' }), { id: budgetId })).status).toBe(400)
    expect(await count()).toBe(before)
  })

  it('an entry is in the transaction of its change: rolled back with it', async () => {
    const before = await count()
    await expect(
      inTransaction(async (c) => {
        await recordAudit(c, orgId, { action: 'budget.update', target: { type: 'budget', id: budgetId }, before: null, after: null })
        throw new Error('the change failed after its entry was written')
      }),
    ).rejects.toThrow('the change failed')
    expect(await count()).toBe(before)
  })

  it('deleting records the budget as it was', async () => {
    expect((await call(deleteBudget, session(`/api/v1/budgets/${budgetId}`, 'DELETE'), { id: budgetId })).status).toBe(204)
    const { entries } = await auditLog('target_type=budget')
    expect(entries.map((e: { action: string }) => e.action)).toEqual(['budget.delete', 'budget.update', 'budget.create'])
    expect(entries[0]).toMatchObject({ before: { id: budgetId, amount_usd: '2.5' }, after: null })
  })

  it('API keys: created, revoked; never the key or its hash', async () => {
    const res = await call(postKey, session('/api/v1/keys', 'POST', { name: 'ci', scopes: ['read'] }))
    expect(res.status).toBe(201)
    const { key, api_key } = await res.json()
    expect((await call(revokeKey, session(`/api/v1/keys/${api_key.id}`, 'DELETE'), { id: api_key.id })).status).toBe(204)
    const { entries } = await auditLog('target_type=api_key')
    expect(entries.slice(0, 2).map((e: { action: string }) => e.action)).toEqual(['api_key.revoke', 'api_key.create'])
    expect(entries[0]).toMatchObject({ target: { id: api_key.id }, before: { status: 'active' }, after: { status: 'revoked', prefix: api_key.prefix } })
    const hash = (await ownerPool().query('SELECT hash FROM api_keys WHERE id = $1', [api_key.id])).rows[0].hash
    const raw = JSON.stringify(entries)
    expect(raw).not.toContain(key)
    expect(raw).not.toContain(hash)
  })

  it('prices: one entry per price set, before null then the previous price', async () => {
    const body = (v: string) => ({
      prices: [{ provider: 'acme', model: 'm1', effective_from: '2026-01-01T00:00:00Z', input_per_mtok: v, output_per_mtok: '2' }],
    })
    expect((await call(putPrices, session('/api/v1/prices', 'PUT', body('1')))).status).toBe(200)
    expect((await call(putPrices, session('/api/v1/prices', 'PUT', body('1.5')))).status).toBe(200)
    const { entries } = await auditLog('action=price.set')
    expect(entries).toHaveLength(2)
    expect(entries[1]).toMatchObject({ before: null, after: { provider: 'acme', model: 'm1', input_per_mtok: expect.stringMatching(/^1(\.0*)?$/) } })
    expect(entries[0]).toMatchObject({
      target: { type: 'price', id: 'acme/m1@2026-01-01T00:00:00.000Z' },
      before: { input_per_mtok: expect.stringMatching(/^1(\.0*)?$/) },
      after: { input_per_mtok: expect.stringMatching(/^1\.50*$/) },
    })
  })
})

describe('the CLI as actor', () => {
  it("a change made with npm run cli is recorded as the CLI's", async () => {
    await cli('org:set-rate-limit', '--org', slug, '--events-per-second', '50')
    const { entries } = await auditLog('action=organization.set_rate_limit')
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({
      actor: { type: 'user', id: null, label: 'cli' },
      target: { type: 'organization', id: orgId },
      before: { ingest_rate_limit: null },
      after: { ingest_rate_limit: 50 },
    })
  })
})

describe('append-only', () => {
  it('the application role cannot update or delete entries', async () => {
    expect((await pool().query('SELECT current_user AS u')).rows[0].u).toBe('outlay_app')
    await expect(pool().query(`UPDATE audit_log SET action = 'nothing' WHERE org_id = $1`, [orgId])).rejects.toThrow(/permission denied/)
    await expect(pool().query('DELETE FROM audit_log WHERE org_id = $1', [orgId])).rejects.toThrow(/permission denied/)
    await expect(pool().query('TRUNCATE audit_log')).rejects.toThrow(/permission denied/)
  })

  it('the trigger stops the table owner too', async () => {
    const before = await count()
    await expect(ownerPool().query(`UPDATE audit_log SET action = 'nothing' WHERE org_id = $1`, [orgId])).rejects.toThrow(/append-only: UPDATE refused/)
    await expect(ownerPool().query('DELETE FROM audit_log WHERE org_id = $1', [orgId])).rejects.toThrow(/append-only: DELETE refused/)
    expect(await count()).toBe(before)
  })
})

describe('hash chain', () => {
  it('concurrent changes of one organization extend one chain (no fork)', async () => {
    const before = await count()
    const budget = (i: number) => ({
      name: `b${i}`,
      environment: null,
      workflow_id: null,
      account_id: null,
      feature: null,
      traffic_sources: ['production' as const],
      period: 'month' as const,
      rolling_days: null,
      metric: 'spend' as const,
      amount_usd: '10',
      thresholds: [80],
      hard_cutoff: false,
      owner: null,
    })
    await Promise.all(Array.from({ length: 8 }, (_, i) => createBudget(orgId, budget(i))))
    expect(await count()).toBe(before + 8)
    const seqs = (await ownerPool().query('SELECT seq::int FROM audit_log WHERE org_id = $1 ORDER BY seq', [orgId])).rows.map((r) => r.seq)
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1))
    expect(await verifyAuditChain(orgId)).toEqual({ ok: true, rows: seqs.length })
  })

  it('audit:verify passes, then names the first row the owner altered behind the trigger', async () => {
    const t = await createOrgWithAdmin({ org_name: 'Tamper Co', email: 'tamper@example.com', password: 'password-123' })
    const b = await asOrg(t.org.id, () =>
      createBudget(t.org.id, {
        name: 'x',
        environment: null,
        workflow_id: null,
        account_id: null,
        feature: null,
        traffic_sources: ['production'],
        period: 'month',
        rolling_days: null,
        metric: 'spend',
        amount_usd: '10',
        thresholds: [80],
        hard_cutoff: false,
        owner: null,
      }),
    )
    for (const amount of ['11', '12', '13']) await asOrg(t.org.id, () => updateBudget(t.org.id, b.id, { amount_usd: amount }))
    const ok = await cli('audit:verify', '--org', t.org.slug)
    expect(ok.stdout).toContain('4 row(s), hash chain intact')

    // the owner, as superuser, turns the second wall off, rewrites history, and turns it back on
    const row = (await ownerPool().query(`SELECT id::text FROM audit_log WHERE org_id = $1 AND seq = 2`, [t.org.id])).rows[0].id
    await ownerPool().query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only')
    await ownerPool().query(`UPDATE audit_log SET after = jsonb_set(after, '{amount_usd}', '"1000"') WHERE id = $1`, [row])
    await ownerPool().query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only')
    await expect(cli('audit:verify', '--org', t.org.slug)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining(`row 2 (id ${row}): its contents do not match its hash`),
    })

    // a removed row is a gap
    await ownerPool().query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_append_only')
    await ownerPool().query(`UPDATE audit_log SET after = jsonb_set(after, '{amount_usd}', '"11"') WHERE id = $1`, [row])
    await ownerPool().query(`DELETE FROM audit_log WHERE org_id = $1 AND seq = 3`, [t.org.id])
    await ownerPool().query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_append_only')
    expect(await asOrg(t.org.id, () => verifyAuditChain(t.org.id))).toMatchObject({
      ok: false,
      rows: 2,
      bad: { seq: 4, reason: 'row 3 is missing (found 4 next)' },
    })
    // the other organization's chain is untouched
    expect((await verifyAuditChain(orgId)).ok).toBe(true)
  })
})

describe('GET /api/v1/audit-log', () => {
  it('pages newest first with a cursor, no entry twice', async () => {
    const all = (await auditLog('limit=500')).entries
    const seen: string[] = []
    let cursor: string | null = null
    do {
      const page: { entries: { id: string }[]; next_cursor: string | null } = await auditLog(`limit=3${cursor ? `&cursor=${cursor}` : ''}`)
      expect(page.entries.length).toBeLessThanOrEqual(3)
      seen.push(...page.entries.map((e) => e.id))
      cursor = page.next_cursor
    } while (cursor)
    expect(seen).toEqual(all.map((e: { id: string }) => e.id))
    const times = all.map((e: { at: string }) => Date.parse(e.at))
    expect(times).toEqual([...times].sort((x, y) => y - x))
  })

  it('filters by actor (id or label), action, target type and time', async () => {
    const byKey = (await auditLog(`actor=${writeKeyId}`)).entries
    expect(byKey.length).toBeGreaterThan(0)
    expect(byKey.every((e: { actor: { id: string } }) => e.actor.id === writeKeyId)).toBe(true)
    const byEmail = (await auditLog('actor=audit@example.com&target_type=budget')).entries
    expect(byEmail.map((e: { action: string }) => e.action)).toEqual(['budget.delete', 'budget.update'])
    expect((await auditLog('from=2999-01-01T00:00:00Z')).entries).toEqual([])
    expect((await auditLog('to=2000-01-01T00:00:00Z')).entries).toEqual([])
    expect((await auditLog('action=no.such')).entries).toEqual([])
    const bad = await call(getAuditLog, session('/api/v1/audit-log?cursor=abc'))
    expect(bad.status).toBe(400)
  })

  it('exports CSV', async () => {
    const res = await call(getAuditLog, session('/api/v1/audit-log?format=csv&target_type=budget&actor=audit@example.com'))
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
    const lines = (await res.text()).trim().split(/\r?\n/)
    expect(lines[0]).toBe('id,at,actor_type,actor_id,actor_label,action,target_type,target_id,before,after')
    expect(lines).toHaveLength(3)
    expect(lines[1]).toContain(',budget.delete,budget,')
  })

  it('an API key cannot read it', async () => {
    expect((await call(getAuditLog, apiRequest('/api/v1/audit-log', { key: writeKey }))).status).toBe(403)
  })
})
