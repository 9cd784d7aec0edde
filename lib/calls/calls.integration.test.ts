import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestApiKey, ownerPool, useTestServices } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { callRoute } from '@/lib/testing/session'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { GET as getCalls } from '@/app/api/v1/calls/route'
import { GET as getRunRoute } from '@/app/api/v1/runs/[run_id]/route'
import type { TCall, TCallsAnswer, TRunAnswer } from '@/lib/calls/schema'

// GET /api/v1/calls and GET /api/v1/runs/{run_id} against the rows they read: events written straight into
// inference_events (several sharing a millisecond, so the keyset's tie-break on the event id is exercised), some
// unpriced, in two organizations; every answer is compared with the same selection made here in SQL.

const NOW = new Date('2026-11-20T12:00:00.000Z')
const FROM = '2026-11-01T00:00:00.000Z'
let orgId = ''
let otherOrg = ''
let key = ''

async function insertEvents(org: string, n: number, seed: number, prefix = 'e') {
  let x = seed
  const r = (k: number) => {
    x = (x * 48271) % 2147483647
    return x % k
  }
  const rows: unknown[][] = []
  for (let i = 0; i < n; i++) {
    // 3 events per millisecond on average: ties on the timestamp are common
    const t = new Date(Date.parse(FROM) + Math.floor(i / 3) * 37_000 + r(2)).toISOString()
    const priced = r(7) !== 0
    rows.push([
      org,
      `${prefix}-${String(r(1000)).padStart(3, '0')}-${i}`,
      t,
      r(5) === 0 ? 'staging' : 'production',
      'production',
      ['support', 'triage', 'research'][r(3)],
      `run-${Math.floor(i / 4)}`,
      ['retrieve', 'draft', 'check'][r(3)],
      r(4) === 0 ? null : ['search', 'chat'][r(2)],
      r(6) === 0 ? null : `acct-${r(5)}`,
      'openai',
      ['gpt-4o', 'gpt-4o-mini'][r(2)],
      100 + r(900),
      10 + r(90),
      ['success', 'success', 'success', 'retry', 'error', 'fallback'][r(6)],
      1 + r(2),
      50 + r(500),
      priced ? `0.${String(r(100000)).padStart(6, '0')}123` : null,
    ])
  }
  const cols = 18
  const values = rows.map((_, i) => `(${Array.from({ length: cols }, (_, j) => `$${i * cols + j + 1}`).join(', ')}, 'generation', 1)`).join(', ')
  await ownerPool().query(
    `INSERT INTO inference_events (org_id, event_id, "timestamp", environment, traffic_source, workflow_id, run_id, step, feature, account_id,
       provider, model, tokens_in, tokens_out, outcome, attempt, latency_ms, cost_usd, call_type, batch_id) VALUES ${values}`,
    rows.flat(),
  )
}

const calls = async (query: string): Promise<{ status: number; body: TCallsAnswer & { error?: { message: string; details?: { errors?: string[] } } } }> => {
  const res = await callRoute(getCalls, apiRequest(`/api/v1/calls?${query}`, { key }))
  return { status: res.status, body: await res.json() }
}

/** Every page of a query, following next_cursor. */
async function allPages(query: string): Promise<{ pages: number; calls: TCall[] }> {
  const out: TCall[] = []
  let cursor: string | null = null
  let pages = 0
  do {
    const { status, body } = await calls(`${query}${cursor ? `&cursor=${cursor}` : ''}`)
    expect(status).toBe(200)
    out.push(...body.calls)
    cursor = body.next_cursor
    pages++
  } while (cursor && pages < 1000)
  return { pages, calls: out }
}

/** The ids SQL selects for a condition, newest first. */
async function sqlIds(where: string, params: unknown[] = []): Promise<string[]> {
  const r = await ownerPool().query<{ event_id: string }>(
    `SELECT event_id FROM inference_events WHERE org_id = $1 AND "timestamp" >= '${FROM}' AND "timestamp" < '${NOW.toISOString()}' ${where}
     ORDER BY "timestamp" DESC, event_id DESC`,
    [orgId, ...params],
  )
  return r.rows.map((x) => x.event_id)
}

const range = `from=${FROM}&to=${NOW.toISOString()}`

beforeAll(async () => {
  await useTestServices('calls')
  const a = await createOrgWithAdmin({ org_name: 'Calls Co', email: 'calls@example.com', password: 'password-123' })
  const b = await createOrgWithAdmin({ org_name: 'Other Co', email: 'other-calls@example.com', password: 'password-123' })
  orgId = a.org.id
  otherOrg = b.org.id
  setTestDefaultOrg(orgId)
  key = (await createTestApiKey(orgId, { name: 'reader', scopes: ['read'] })).key
  await insertEvents(orgId, 600, 7)
  await insertEvents(otherOrg, 200, 9, 'other')
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
  await ownerPool().end()
})

describe('GET /api/v1/calls', () => {
  it('pages newest first: every call of the period exactly once, in the order SQL sorts them', async () => {
    const { pages, calls: got } = await allPages(`${range}&limit=37`)
    const want = await sqlIds('')
    expect(want.length).toBe(600)
    expect(pages).toBe(Math.ceil(600 / 37))
    expect(got.map((c) => c.id)).toEqual(want)
    expect(new Set(got.map((c) => c.id)).size).toBe(600)
  })

  it('filters by each dimension and outcome as SQL does, across pages', async () => {
    const cases: [string, string, unknown[]][] = [
      ['workflow_id=support', 'AND workflow_id = $2', ['support']],
      ['workflow_id=support,triage&step=draft', 'AND workflow_id = ANY($2) AND step = $3', [['support', 'triage'], 'draft']],
      ['account_id=acct-1', 'AND account_id = $2', ['acct-1']],
      ['feature=search', 'AND feature = $2', ['search']],
      ['provider=openai&model=gpt-4o-mini', "AND provider = 'openai' AND model = $2", ['gpt-4o-mini']],
      ['environment=staging', "AND environment = 'staging'", []],
      ['outcome=retry,error', "AND outcome IN ('retry', 'error')", []],
      ['run_id=run-7', "AND run_id = 'run-7'", []],
    ]
    for (const [query, where, params] of cases) {
      const got = await allPages(`${range}&limit=50&${query}`)
      expect(
        got.calls.map((c) => c.id),
        query,
      ).toEqual(await sqlIds(where, params))
    }
  })

  it('the cost range includes its bounds and leaves unpriced calls out; unpriced=true lists only those', async () => {
    const priced = await ownerPool().query<{ c: string }>(
      `SELECT cost_usd::text AS c FROM inference_events WHERE org_id = $1 AND cost_usd IS NOT NULL ORDER BY cost_usd LIMIT 1 OFFSET 100`,
      [orgId],
    )
    const bound = priced.rows[0].c
    const got = await allPages(`${range}&limit=100&min_cost_usd=${bound}&max_cost_usd=0.08`)
    expect(got.calls.map((c) => c.id)).toEqual(await sqlIds('AND cost_usd >= $2::numeric AND cost_usd <= 0.08', [bound]))
    expect(got.calls.some((c) => c.cost_usd === Number(bound).toFixed(6))).toBe(true)
    const unpriced = await allPages(`${range}&limit=100&unpriced=true`)
    expect(unpriced.calls.length).toBeGreaterThan(0)
    expect(unpriced.calls.map((c) => c.id)).toEqual(await sqlIds('AND cost_usd IS NULL'))
    expect(unpriced.calls.every((c) => c.cost_usd === null)).toBe(true)
  })

  it("answers the event's fields, cost as a 6-decimal string", async () => {
    const { body } = await calls(`${range}&limit=1`)
    const c = body.calls[0]
    const row = (await ownerPool().query(`SELECT * FROM inference_events WHERE org_id = $1 AND event_id = $2`, [orgId, c.id])).rows[0]
    expect(c).toMatchObject({
      timestamp: row.timestamp.toISOString(),
      run_id: row.run_id,
      workflow_id: row.workflow_id,
      step: row.step,
      account_id: row.account_id,
      model: row.model,
      outcome: row.outcome,
      attempt: row.attempt,
      latency_ms: row.latency_ms,
      tokens_in: Number(row.tokens_in),
      tokens_out: Number(row.tokens_out),
      cost_usd: row.cost_usd === null ? null : Number(row.cost_usd).toFixed(6),
    })
  })

  it("never shows another organization's calls", async () => {
    const { calls: got } = await allPages(`${range}&limit=500`)
    const other = (await ownerPool().query(`SELECT event_id FROM inference_events WHERE org_id = $1`, [otherOrg])).rows.map((r) => r.event_id)
    expect(got.length).toBe(600)
    expect(other.length).toBe(200)
    expect(got.filter((c) => other.includes(c.id))).toEqual([])
  })

  it('refuses bad filters with the field and the reason', async () => {
    for (const [query, field] of [
      ['outcome=maybe', 'outcome'],
      ['min_cost_usd=-1', 'min_cost_usd'],
      ['min_cost_usd=0.5&max_cost_usd=0.1', 'max_cost_usd'],
      ['unpriced=true&min_cost_usd=0.1', 'unpriced'],
      ['cursor=abc', 'cursor'],
      ['limit=0', 'limit'],
      ['from=2026-11-10&to=2026-11-01', 'to'],
      ['colour=red', 'colour'],
    ]) {
      const { status, body } = await calls(query)
      expect(status, query).toBe(400)
      expect(JSON.stringify(body.error), query).toContain(field)
    }
  })
})

describe('GET /api/v1/runs/{run_id}', () => {
  it("lists the run's calls oldest first with totals that match SQL", async () => {
    const res = await callRoute(getRunRoute, apiRequest('/api/v1/runs/run-9', { key }), { run_id: 'run-9' })
    expect(res.status).toBe(200)
    const run: TRunAnswer = await res.json()
    const sql = await ownerPool().query(
      `SELECT event_id, cost_usd, tokens_in, tokens_out, outcome FROM inference_events WHERE org_id = $1 AND run_id = 'run-9' ORDER BY "timestamp", event_id`,
      [orgId],
    )
    expect(run.calls.map((c) => c.id)).toEqual(sql.rows.map((r) => r.event_id))
    expect(run.truncated).toBe(false)
    const sum = await ownerPool().query<{ s: string; u: string }>(
      `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS s, count(*) FILTER (WHERE cost_usd IS NULL)::text AS u FROM inference_events WHERE org_id = $1 AND run_id = 'run-9'`,
      [orgId],
    )
    expect(run.totals.calls).toBe(4)
    expect(run.totals.cost_usd).toBe(sum.rows[0].s)
    expect(run.totals.unpriced_calls).toBe(Number(sum.rows[0].u))
    expect(run.totals.tokens_in).toBe(sql.rows.reduce((s, r) => s + Number(r.tokens_in), 0))
    expect(Object.values(run.totals.outcomes).reduce((s, n) => s + n, 0)).toBe(4)
    expect(run.totals.duration_ms).toBeGreaterThan(0)
  })

  it('answers 404 for a run no call carries, in this organization', async () => {
    const res = await callRoute(getRunRoute, apiRequest('/api/v1/runs/run-nope', { key }), { run_id: 'run-nope' })
    expect(res.status).toBe(404)
  })
})
