import { DAY_MS, HOUR_MS, micros, microsToUsd } from '@/lib/domain'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as createPool } from '@/app/api/v1/gpu/pools/route'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { createLineItem, scenarioCost } from '@/lib/gpu/scenarios'
import { fleetSummary } from '@/lib/gpu/summary'
import { wholeBill, wholeBillOfMonth } from '@/lib/finance/whole-bill'
import { monthlyReport } from '@/lib/reports/monthly'
import { createBudget } from '@/lib/budgets'
import { ZBudgetCreate } from '@/lib/budgets/schema'
import { GET as getBudgets } from '@/app/api/v1/budgets/route'
import { GET as getOutlook } from '@/app/api/v1/forecast/budgets/route'

// The whole bill against Scenario cost, the fleet page and SQL: a month with
// API calls, a self-hosted pool the calls use, an amortized reserve pool
// (a price with 9 decimals, so hour-by-hour rounding would show), a staging
// eval call and a line item.

const now = new Date()
const M = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
const NEXT = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
const MONTH = M.toISOString().slice(0, 7)
const HOURS = BigInt((NEXT.getTime() - M.getTime()) / HOUR_MS)
const at = (day: number, h = 10) => new Date(M.getTime() + (day - 1) * DAY_MS + h * HOUR_MS).toISOString()
const ctx = () => ({ params: Promise.resolve<Record<string, string>>({}) })
let orgId = ''

beforeAll(async () => {
  await useTestServices('wholebill')
  orgId = (await createOrgWithAdmin({ org_name: 'Bill Co', email: 'bill@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  const write = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  const ingest = (await createTestApiKey(orgId, { name: 'i', scopes: ['ingest'] })).key
  const mk = async (b: Record<string, unknown>) =>
    expect((await createPool(apiRequest('/api/v1/gpu/pools', { key: write, body: { effective_from: M.toISOString(), ...b } }), ctx())).status).toBe(201)
  await mk({ name: 'prod', role: 'production', gpu_type: 'H100', gpu_count: 2, pricing: 'hourly', gpu_hour_usd: '1', serves: ['search'] })
  await mk({
    name: 'spare',
    role: 'reserve',
    gpu_type: 'A100',
    gpu_count: 1,
    pricing: 'amortized',
    purchase_usd_per_gpu: '30000',
    amortization_months: 36,
    power_hosting_usd_per_gpu_hour: '0.1',
    serves: ['search'],
  })
  const ev = (id: string, extra: Record<string, unknown>) => ({ id, timestamp: at(3), workflow_id: 'search', step: 'answer', ...extra })
  const events = [
    ev('gpu', { provider: 'self-hosted', model: 'llama', gpu_seconds: 3600, gpu_pool: 'prod' }),
    ev('api', { provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1_000_000, tokens_out: 10_000 }),
    ev('eval', { provider: 'openai', model: 'gpt-4o-mini', tokens_in: 500_000, traffic_source: 'eval', environment: 'staging', scenario_id: 'kb' }),
    ev('late', { timestamp: NEXT.toISOString(), provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1_000_000 }),
  ]
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingest, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
  await createLineItem(orgId, { scenario: 'search', month: MONTH, category: 'engineering', amount_usd: '100.5', note: 'prompt work' })
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('the whole bill of a month', () => {
  it('is API inference + GPU capacity + line items, and its total is Scenario cost’s total', async () => {
    const wb = await wholeBillOfMonth(orgId, MONTH)
    const sc = await scenarioCost(orgId, MONTH)
    expect(wb.total_usd).toBe(sc.total_usd)
    expect(micros(wb.api_inference_usd) + micros(wb.gpu_capacity_usd) + micros(wb.line_items_usd)).toBe(micros(wb.total_usd))
    expect(wb.line_items_usd).toBe('100.500000')
    expect(wb.months.map((m) => m.month)).toEqual([MONTH])
  })

  it('counts the pools’ paid capacity exactly as the fleet page does', async () => {
    const wb = await wholeBillOfMonth(orgId, MONTH)
    const fleet = await fleetSummary(orgId, Number(HOURS) / 24, NEXT)
    expect(fleet.period.from).toBe(M.toISOString())
    expect(wb.gpu_capacity_usd).toBe(fleet.totals.period_cost_usd)
    for (const p of fleet.pools) expect(wb.pools.find((x) => x.pool === p.name)?.paid_usd).toBe(p.period_cost_usd)
  })

  it('agrees with SQL part by part', async () => {
    const wb = await wholeBillOfMonth(orgId, MONTH)
    const [sql] = (
      await ownerPool().query<{ calls: string; used: string; gpu: string }>(
        `SELECT (SELECT round(sum(cost_usd), 6)::text FROM inference_events WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3) AS calls,
                (SELECT round(sum(e.gpu_seconds * v.effective_gpu_hour_usd / 3600), 6)::text FROM inference_events e
                   JOIN gpu_pools p ON p.org_id = e.org_id AND p.name = e.gpu_pool JOIN gpu_pool_versions v ON v.pool_id = p.id
                  WHERE e.org_id = $1 AND e.timestamp >= $2 AND e.timestamp < $3) AS used,
                (SELECT round(sum(v.gpu_count * v.effective_gpu_hour_usd * $4), 6)::text FROM gpu_pool_versions v WHERE v.org_id = $1) AS gpu`,
        [orgId, M, NEXT, Number(HOURS)],
      )
    ).rows
    expect(wb.gpu_capacity_usd).toBe(sql.gpu)
    expect(wb.api_inference_usd).toBe(microsToUsd(micros(sql.calls) - micros(sql.used)))
    expect(sql.used).toBe('1.000000') // 3,600 GPU-seconds on prod at $1/h: paid in GPU capacity, not again in API inference
  })

  it('adds up month by month over a longer period; a month’s line items only when the period holds its first day', async () => {
    const t = new Date() // one instant for all three: the running month's capacity grows by the second
    const [prev, cur] = await Promise.all([wholeBillOfMonth(orgId, MONTH, t), wholeBillOfMonth(orgId, NEXT.toISOString().slice(0, 7), t)])
    const both = await wholeBill(orgId, { from: M, to: new Date(NEXT.getTime() + 40 * DAY_MS) }, t)
    expect(both.months.map((m) => m.total_usd)).toEqual([prev.total_usd, cur.total_usd])
    expect(micros(both.total_usd)).toBe(micros(prev.total_usd) + micros(cur.total_usd))
    expect(both.to).toBe(t.toISOString()) // capacity not yet run is not counted
    const mid = await wholeBill(orgId, { from: new Date(M.getTime() + DAY_MS), to: NEXT })
    expect(mid.line_items_usd).toBe('0.000000')
  })
})

describe('the monthly report counts the whole bill', () => {
  it('shows each part, its total is Scenario cost’s total, and each scenario both ways', async () => {
    const t = new Date()
    const [rep, sc] = await Promise.all([monthlyReport(orgId, { month: MONTH }, t), scenarioCost(orgId, MONTH, t)])
    expect(rep.bill.total_usd).toBe(sc.total_usd)
    const wb = await wholeBillOfMonth(orgId, MONTH, t)
    expect(rep.bill).toMatchObject({
      api_inference_usd: wb.api_inference_usd,
      gpu_capacity_usd: wb.gpu_capacity_usd,
      line_items_usd: wb.line_items_usd,
      total_usd: wb.total_usd,
    })
    // the calls-only figure of the month is the report's own total; the bill adds the pools (less what calls already carry) and the line items
    const used = wb.pools.reduce((s, p) => s + micros(p.used_by_calls_usd), 0n)
    expect(micros(rep.bill.api_inference_usd)).toBe(micros(rep.total.cost_usd) - used)
    for (const s of sc.scenarios) {
      const row = rep.scenarios.find((x) => x.scenario === s.scenario)!
      expect(row.fully_loaded_usd).toBe(s.total_usd)
      expect(row.fully_loaded_per_accepted_outcome_usd).toBe(s.cost_per_accepted_outcome_usd)
      const api = micros(s.parts.production_inference) + micros(s.parts.eval_benchmark) + micros(s.parts.internal_traffic)
      expect(row.api_cost_usd).toBe(microsToUsd(api))
      // the API-only figure is the report's own scenario row (calls only)
      const line = rep.sections.find((x) => x.dimension === 'scenario')!.rows.find((l) => l.key === s.scenario)
      expect(line?.cost_usd ?? '0.000000').toBe(row.api_cost_usd)
    }
    const search = rep.scenarios.find((x) => x.scenario === 'search')!
    expect(micros(search.fully_loaded_usd)).toBeGreaterThan(micros(search.api_cost_usd))
  })

  it('compares a running month with the same elapsed days and hours of the month before, row by row', async () => {
    const cur = NEXT.toISOString().slice(0, 7)
    // day 3, 05:00 of this month: the month before to the end of that hour (the overview's previous period for month
    // to date); its day-3 calls (10:00) are after it
    const early = await monthlyReport(orgId, { month: cur }, new Date(NEXT.getTime() + 2 * DAY_MS + 5 * HOUR_MS))
    expect(early.current).toBe(true)
    expect(early.previous.compared_to).toBe(new Date(M.getTime() + 2 * DAY_MS + 6 * HOUR_MS).toISOString())
    expect(early.total.previous_cost_usd).toBe('0.000000')
    for (const s of early.sections) for (const row of s.rows) expect(row.previous_cost_usd).toBe('0.000000')
    // day 3, 12:00: they are in
    const later = await monthlyReport(orgId, { month: cur }, new Date(NEXT.getTime() + 2 * DAY_MS + 12 * HOUR_MS))
    const [sql] = (
      await ownerPool().query<{ c: string }>(
        'SELECT round(sum(cost_usd), 6)::text AS c FROM inference_events WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3',
        [orgId, M, new Date(later.previous.compared_to)],
      )
    ).rows
    expect(later.total.previous_cost_usd).toBe(sql.c)
    expect(later.total.previous_to_date?.cost_usd).toBe(sql.c)
    const wf = later.sections.find((s) => s.dimension === 'workflow_id')!.rows.find((r) => r.key === 'search')!
    expect(wf.previous_cost_usd).toBe(sql.c) // every call of the org is workflow search
    // the bill's previous span is the same: the month's line items (counted once, whole) and the pools' capacity to the same point
    expect(later.bill.previous.line_items_usd).toBe('100.500000')
    const prevBill = await wholeBill(orgId, { from: M, to: new Date(later.previous.compared_to) }, new Date(later.previous.compared_to))
    expect(later.bill.previous.gpu_capacity_usd).toBe(prevBill.gpu_capacity_usd)
    // a closed month compares with all of the month before
    const closed = await monthlyReport(orgId, { month: MONTH })
    expect(closed.previous.compared_to).toBe(closed.previous.to)
  })
})

describe('one budget projection', () => {
  it('Budgets and the Forecast outlook give the same projected figure for the same budget', async () => {
    const b = await createBudget(orgId, {
      ...ZBudgetCreate.parse({ name: 'Search month', metric: 'spend', period: 'month', amount_usd: '0.5', workflow_id: 'search' }),
    })
    const write = (await createTestApiKey(orgId, { name: 'r2', scopes: ['read'] })).key
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(new Date(Math.max(Date.now(), NEXT.getTime() + DAY_MS)))
      const budgets = (await (await getBudgets(apiRequest('/api/v1/budgets', { key: write }), ctx())).json()).budgets
      const outlook = (await (await getOutlook(apiRequest('/api/v1/forecast/budgets', { key: write }), ctx())).json()).budgets
      const onBudgets = budgets.find((x: { id: string }) => x.id === b.id).status
      const onForecast = outlook.find((x: { budget_id: string }) => x.budget_id === b.id)
      expect(onBudgets.projected_usd).not.toBeNull()
      expect(onForecast.projected_usd).toBe(onBudgets.projected_usd)
      expect(onForecast.projected_over).toBe(onBudgets.projected_over)
      expect(onForecast.verdict).toBe(onBudgets.projected_over ? 'over' : expect.any(String))
    } finally {
      vi.useRealTimers()
    }
  })
})
