import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as getRevenue, PUT as putRevenue } from '@/app/api/v1/accounts/revenue/route'
import { GET as getMargin } from '@/app/api/v1/accounts/margin/route'
import { micros, microsToUsd } from '@/lib/domain'
import { alertCandidates, evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { DEFAULT_DRIFT_CONFIG } from '@/lib/alerts/detectors'
import { PUT as putSettings } from '@/app/api/v1/alerts/settings/route'

// Revenue per account through the route handlers on real PostgreSQL: JSON and CSV upsert row by row, refused rows come
// back with their row number, field and reason while the good ones are kept, and the margin's figures equal SQL over
// the events (production traffic) and the revenue table.

let orgId = ''
let writeKey = ''
let readKey = ''
const now = new Date()
const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
const day = (d: Date) => d.toISOString().slice(0, 10)
const M0 = day(lastMonth)
const M1 = day(thisMonth)
const NEXT = day(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)))

const put = (body: unknown, contentType = 'application/json', key = writeKey) =>
  putRevenue(apiRequest('/api/v1/accounts/revenue', { method: 'PUT', key, body, contentType }), { params: Promise.resolve({}) })
const get = async (route: (req: Request, ctx: { params: Promise<Record<string, never>> }) => Promise<Response>, path: string) => {
  const r = await route(apiRequest(path, { key: readKey }), { params: Promise.resolve({}) })
  expect(r.status).toBe(200)
  return r.json()
}
const revenueRows = async () =>
  (
    await ownerPool().query<{ account_id: string; month: string; micros: string }>(
      `SELECT account_id, month::text AS month, revenue_micros::text AS micros FROM account_revenue WHERE org_id = $1 ORDER BY month, account_id`,
      [orgId],
    )
  ).rows.map((r) => [r.account_id, r.month, r.micros])

beforeAll(async () => {
  await useTestServices('revenue')
  const made = await createOrgWithAdmin({ org_name: 'Margin Co', email: 'margin@example.com', password: 'password-123' })
  orgId = made.org.id
  setTestDefaultOrg(orgId)
  const ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['write'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  const events: Record<string, unknown>[] = []
  // last month: mid-month; this month: a few minutes ago (never before the month's start)
  const stamps = [new Date(lastMonth.getTime() + 10 * 86_400_000 + 3_600_000), new Date(Math.max(thisMonth.getTime() + 1000, now.getTime() - 5 * 60_000))]
  let n = 0
  for (const [m, t] of stamps.entries()) {
    for (const [a, account] of ['acme', 'globex', 'initech', null].entries()) {
      for (let i = 0; i < 6; i++) {
        events.push({
          id: `e-${n++}`,
          timestamp: t.toISOString(),
          workflow_id: 'support',
          step: 'draft',
          provider: 'openai',
          model: 'gpt-4o',
          tokens_in: 10_000 * (a + 1) + 137 * i + m,
          tokens_out: 900 + i,
          ...(account ? { account_id: account } : {}),
          // some staging and eval traffic: not the customer's AI cost
          ...(i === 4 ? { environment: 'staging' } : i === 5 ? { traffic_source: 'eval' } : {}),
        })
      }
    }
  }
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('PUT /api/v1/accounts/revenue', () => {
  it('JSON: keeps the good rows, refuses the bad ones with row number, field and reason', async () => {
    const r = await put({
      rows: [
        { account_id: 'acme', month: M0, revenue_usd: '100' },
        { account_id: 'globex', month: M0.slice(0, 7), revenue_usd: 2.5 },
        { account_id: '', month: M0, revenue_usd: '1' },
        { account_id: 'acme', month: '2026-11-15', revenue_usd: '1' },
        { account_id: 'acme', month: M1, revenue_usd: '-3' },
        { account_id: 'acme', month: M1, revenue_usd: '1.0000001' },
        'not a row',
        { account_id: 'acme', month: M0, revenue_usd: '7' },
        { account_id: 'acme', month: M1, revenue_usd: '80.25' },
      ],
    })
    expect(r.status).toBe(200)
    const j = await r.json()
    expect(j).toMatchObject({ upserted: 3, rejected_count: 6 })
    expect(j.rejected.map((x: { row: number; field: string | null }) => [x.row, x.field])).toEqual([
      [3, 'account_id'],
      [4, 'month'],
      [5, 'revenue_usd'],
      [6, 'revenue_usd'],
      [7, null],
      [8, null],
    ])
    expect(j.rejected[5].reason).toBe('the same account_id and month as row 1')
    expect(await revenueRows()).toEqual([
      ['acme', M0, '100000000'],
      ['globex', M0, '2500000'],
      ['acme', M1, '80250000'],
    ])
  })

  it('CSV: upserts per row (the rows sent replace theirs, the others are kept); bad lines by line number', async () => {
    const csv = `account_id,month,revenue_usd\nacme,${M0},120.5\ninitech,${M1.slice(0, 7)},0.03\nglobex,not-a-month,5\n"",${M1},4\n`
    const r = await put(csv, 'text/csv')
    expect(r.status).toBe(200)
    const j = await r.json()
    expect(j).toMatchObject({ upserted: 2, rejected_count: 2 })
    expect(j.rejected).toEqual([
      { row: 4, field: 'month', reason: 'must be a month: YYYY-MM or its first day YYYY-MM-01' },
      { row: 5, field: 'account_id', reason: 'is required (a string)' },
    ])
    expect(await revenueRows()).toEqual([
      ['acme', M0, '120500000'],
      ['globex', M0, '2500000'],
      ['acme', M1, '80250000'],
      ['initech', M1, '30000'],
    ])
  })

  it('refuses a body with no usable row (nothing changes), a wrong header, another content type and a read key', async () => {
    const before = await revenueRows()
    const bad = await put({ rows: [{ account_id: 'acme', month: 'x', revenue_usd: 1 }] })
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual(['row 1 month: must be a month: YYYY-MM or its first day YYYY-MM-01'])
    const header = await put('account,month,usd\nacme,2026-11,1\n', 'text/csv')
    expect(header.status).toBe(400)
    expect((await header.json()).error.message).toMatch(/header lacks account_id, revenue_usd/)
    expect((await put('x', 'application/xml')).status).toBe(415)
    expect((await put({ rows: [{ account_id: 'acme', month: M0, revenue_usd: 1 }] }, 'application/json', readKey)).status).toBe(403)
    expect(await revenueRows()).toEqual(before)
  })

  it('GET reads the revenue back, per month', async () => {
    const j = await get(getRevenue, `/api/v1/accounts/revenue?from=${M0}&to=${NEXT}`)
    expect(j.rows).toEqual([
      { account_id: 'acme', month: M0, revenue_usd: '120.500000' },
      { account_id: 'globex', month: M0, revenue_usd: '2.500000' },
      { account_id: 'acme', month: M1, revenue_usd: '80.250000' },
      { account_id: 'initech', month: M1, revenue_usd: '0.030000' },
    ])
    expect((await get(getRevenue, `/api/v1/accounts/revenue?from=${M1}&account_id=acme`)).rows).toEqual([
      { account_id: 'acme', month: M1, revenue_usd: '80.250000' },
    ])
  })
  it('a `to` alone means the month of the day before it (an old `to` is not an empty range)', async () => {
    const j = await get(getMargin, '/api/v1/accounts/margin?to=2020-01-01')
    expect([j.from_month, j.to_month, j.rows]).toEqual(['2019-12-01', '2019-12-01', []])
    expect((await get(getRevenue, `/api/v1/accounts/revenue?to=${NEXT}`)).rows.map((r: { month: string }) => r.month)).toEqual([M1, M1])
  })
})

describe('GET /api/v1/accounts/margin', () => {
  it('equals SQL over the events (production traffic) and the revenue rows, per account and month', async () => {
    const j = await get(getMargin, `/api/v1/accounts/margin?from=${M0}&to=${NEXT}`)
    expect([j.from_month, j.to_month]).toEqual([M0, M1])
    const sql = await ownerPool().query<{ account_id: string; month: string; cost: string }>(
      `SELECT account_id, to_char(date_trunc('month', timestamp AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS month, round(sum(cost_usd), 6)::text AS cost
       FROM inference_events WHERE org_id = $1 AND account_id IS NOT NULL AND environment = 'production' AND traffic_source = 'production'
       GROUP BY 1, 2`,
      [orgId],
    )
    const cost = new Map(sql.rows.map((r) => [`${r.account_id}|${r.month}`, micros(r.cost)]))
    expect(cost.size).toBe(6)
    const revenue = new Map((await revenueRows()).map(([a, m, x]) => [`${a}|${m}`, BigInt(x)]))
    expect(j.rows.map((r: { account_id: string }) => r.account_id).sort()).toEqual(['acme', 'globex', 'initech'])
    for (const row of j.rows) {
      let rev: bigint | null = null
      let c = 0n
      for (const m of row.months) {
        const mc = cost.get(`${row.account_id}|${m.month}`) ?? 0n
        const mr = revenue.get(`${row.account_id}|${m.month}`) ?? null
        expect(m.cost_usd).toBe(microsToUsd(mc))
        expect(m.revenue_usd).toBe(mr === null ? null : microsToUsd(mr))
        expect(m.margin_usd).toBe(mr === null ? null : microsToUsd(mr - mc))
        expect(m.cost_share).toBe(mr ? Number((mc * 1_000_000n) / mr) / 1_000_000 : null)
        if (mr !== null) rev = (rev ?? 0n) + mr
        c += mc
      }
      expect(row.cost_usd).toBe(microsToUsd(c))
      expect(row.revenue_usd).toBe(rev === null ? null : microsToUsd(rev))
      expect(row.margin_usd).toBe(rev === null ? null : microsToUsd(rev - c))
    }
    // initech: revenue this month only, a few cents against dollars of cost: the highest share, a negative margin
    expect(j.rows[0].account_id).toBe('initech')
    expect(j.rows[0].cost_share).toBeGreaterThan(1)
    expect(micros(j.rows[0].margin_usd)).toBeLessThan(0n)
    expect(j.totals.accounts_with_revenue).toBe(3)
  })

  it('an account without revenue shows none (null), not 0%', async () => {
    await ownerPool().query(`DELETE FROM account_revenue WHERE org_id = $1 AND account_id = 'globex'`, [orgId])
    const j = await get(getMargin, `/api/v1/accounts/margin?from=${M0}&to=${NEXT}`)
    const globex = j.rows.find((r: { account_id: string }) => r.account_id === 'globex')
    expect(globex).toMatchObject({ revenue_usd: null, cost_share: null, margin_usd: null, months_with_revenue: 0 })
    expect(micros(globex.cost_usd)).toBeGreaterThan(0n)
    expect(j.rows[j.rows.length - 1].account_id).toBe('globex')
    expect(j.totals.cost_without_revenue_usd).toBe(globex.cost_usd)
  })
})

describe('the revenue_share alert: AI cost share of revenue above X% per account', () => {
  it('fires per account and month past its share (the organization’s, or the account’s own), never without revenue', async () => {
    const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString()
    // this month: acme 80.25 USD against cents of AI cost (well under 50%), initech 0.03 USD (far over), globex none
    const byDefault = await alertCandidates(orgId, now, { kinds: ['revenue_share'], config: DEFAULT_DRIFT_CONFIG })
    expect(byDefault.map((c) => [c.subject, c.period_start])).toEqual([['initech', month]])
    expect(byDefault[0]).toMatchObject({ kind: 'revenue_share', source_key: 'revenue_share:initech', amount_usd: '0.030000' })
    expect(byDefault[0].title).toMatch(/^initech: AI cost \$[\d.]+ is \d+% of its \d{4}-\d{2} revenue of \$0\.0300 \(above 50%\)$/)

    // acme's own limit: 0.1% of its revenue (its AI cost this month is about 0.17%)
    const settings = await putSettings(
      apiRequest('/api/v1/alerts/settings', { method: 'PUT', key: writeKey, body: { revenue_share_by_account: { acme: 0.001 } } }),
      { params: Promise.resolve({}) },
    )
    expect(settings.status).toBe(200)
    expect((await settings.json()).settings.revenue_share_by_account).toEqual({ acme: 0.001 })
    const fired = await evaluateOrgAlerts(orgId, now, { kinds: ['revenue_share'] })
    expect(fired.map((a) => a.subject).sort()).toEqual(['acme', 'initech'])
    const acme = fired.find((a) => a.subject === 'acme')!
    const sql = await ownerPool().query<{ cost: string }>(
      `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS cost FROM inference_events
       WHERE org_id = $1 AND account_id = 'acme' AND environment = 'production' AND traffic_source = 'production' AND timestamp >= $2`,
      [orgId, month],
    )
    expect(acme.actual_usd).toBe(microsToUsd(micros(sql.rows[0].cost)))
    expect(acme.details).toMatchObject({ account_id: 'acme', revenue_usd: '80.250000', limit: 0.001 })
    // the same month again: recorded once
    expect(await evaluateOrgAlerts(orgId, new Date(now.getTime() + 1000), { kinds: ['revenue_share'] })).toEqual([])

    // enough revenue: the condition goes away
    expect((await put({ rows: [{ account_id: 'initech', month: month.slice(0, 7), revenue_usd: '1000000' }] })).status).toBe(200)
    const after = await alertCandidates(orgId, now, {
      kinds: ['revenue_share'],
      config: { ...DEFAULT_DRIFT_CONFIG, revenue_share_by_account: { acme: 0.001 } },
    })
    expect(after.map((c) => c.subject)).toEqual(['acme'])
  })
})
