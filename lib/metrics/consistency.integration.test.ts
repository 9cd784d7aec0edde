import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DAY_MS, micros, microsToUsd } from '@/lib/domain'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { asOrg, closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin, setOrgSettings } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as getMetrics } from '@/app/api/v1/metrics/route'
import { GET as getOverview } from '@/app/api/v1/overview/route'
import { GET as getMonthly } from '@/app/api/v1/reports/monthly/route'
import { GET as listBudgets, POST as createBudget } from '@/app/api/v1/budgets/route'
import { GET as getForecast } from '@/app/api/v1/forecast/route'
import { GET as getForecastSummary } from '@/app/api/v1/forecast/summary/route'
import { rangePeriods, type TPeriod } from '@/lib/metrics/range'
import { topN, totals } from '@/lib/metrics/prepare'
import { workflowsTable } from '@/lib/metrics/views/workflows'
import { featuresTable } from '@/lib/metrics/views/features'
import { accountsTable } from '@/lib/metrics/views/accounts'
import { formatUsd } from '@/lib/format'
import type { TMetricsRow } from '@/lib/metrics/schema'
import type { TMonthlyReport } from '@/lib/reports/schema'
import type { TBudgetView } from '@/lib/budgets'
import type { TForecast } from '@/lib/forecast'

// Issue 21: "a test that fails when two pages show different figures for the same measure, range and scope".
// One organization with events shaped like a real tenant's (ten workflows with their steps, eleven models, one
// of them unpriced, accounts and features, retries, production and internal traffic, several environments, spread
// over the hours of last month and this one and across the boundary between them), sent through the ingest API
// and counted by the worker. For the range picker's month to date and last month (lib/metrics/range.ts), every
// page's figure is read through the handler and the view function the page uses, and compared:
// - the overview's spend (GET /api/v1/metrics, no grouping) = SQL over inference_events, to the micro-dollar;
// - the sum of each list's rows (workflows, features, accounts, the overview's workflow and model breakdowns with
//   their "Other" rows) = that spend, within the rounding of each row to the micro-dollar (every row is rounded
//   once, as the API documents), and the same in cents as displayed;
// - per workflow: the overview's row = the workflows list's row = the workflow page's spend = the monthly report's row
//   = SQL, to the micro-dollar;
// - the monthly report's total for the month (and per workflow, above) = the overview's spend over that month;
// - budgets over the current month: one scoped to a workflow (every traffic source) = that workflow's spend, the
//   whole organization's (production traffic, the budgets' default, said on the Budgets page) = the production spend;
// - the forecast's "spent this month so far" = the spend from the first of the month to the start of today (the
//   Forecast page says "to the start of today"), and the overview API's month to date (no pools, no line items) =
//   the month to date's spend;
// - the organization's time zone does not move any of them (ranges are UTC days, as every page says).

const now = new Date()
const MONTH_START = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
const LAST_MONTH_START = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)
const TWO_MONTHS_AGO = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 2, 1)
const TODAY = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())
const ym = (t: number) => new Date(t).toISOString().slice(0, 7)
const RANGES = ['mtd', 'last_month'] as const
const period = (r: (typeof RANGES)[number]): TPeriod => rangePeriods(r, now).current

const WORKFLOWS: Record<string, string[]> = {
  'support-agent': ['classify', 'retrieve', 'draft', 'review'],
  search: ['rewrite', 'rerank', 'answer'],
  'doc-summarize': ['chunk', 'summarize'],
  'invoice-extract': ['ocr', 'extract'],
  'code-review': ['diff', 'comment'],
  translate: ['translate'],
  'lead-score': ['enrich', 'score'],
  'email-triage': ['classify', 'route'],
  onboarding: ['plan'],
  'sql-assistant': ['generate', 'validate'],
}
const MODELS: [string, string][] = [
  ['openai', 'gpt-4o'],
  ['openai', 'gpt-4o-mini'],
  ['openai', 'gpt-4.1'],
  ['openai', 'gpt-4.1-mini'],
  ['openai', 'gpt-4.1-nano'],
  ['openai', 'o3-mini'],
  ['anthropic', 'claude-sonnet-4-5'],
  ['anthropic', 'claude-3-5-haiku'],
  ['anthropic', 'claude-haiku-4-5'],
  ['google', 'gemini-2.0-flash'],
  ['acme', 'house-llm-7b'], // no price anywhere: unpriced calls
]
const ACCOUNTS = Array.from({ length: 14 }, (_, i) => `acct-${String(i + 1).padStart(2, '0')}`)
const FEATURES = ['chat', 'search-box', 'autofill', 'digest', 'insights', 'export', 'alerts', 'copilot', 'reports', 'admin']

/** A small deterministic generator (mulberry32): the same tenant every run. */
function rng(seed: number) {
  let a = seed
  return () => {
    a = (a + 0x6d2b79f5) | 0
    let t = Math.imul(a ^ (a >>> 15), 1 | a)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function tenantEvents(): Record<string, unknown>[] {
  const r = rng(21)
  const pick = <T>(xs: T[]) => xs[Math.floor(r() * xs.length)]
  const events: Record<string, unknown>[] = []
  let n = 0
  let run = 0
  // a run at `at`: each step of a workflow once, a retry now and then (same run, attempt 2, outcome retry then success)
  const addRun = (at: number) => {
    const workflow = pick(Object.keys(WORKFLOWS))
    const account = r() < 0.1 ? undefined : pick(ACCOUNTS)
    const feature = r() < 0.15 ? undefined : pick(FEATURES)
    const traffic = r() < 0.8 ? 'production' : pick(['eval', 'replay', 'ops'])
    const environment = traffic === 'production' ? (r() < 0.9 ? 'production' : 'staging') : pick(['staging', 'development', 'production'])
    const runId = `run-${run++}`
    let t = at
    for (const step of WORKFLOWS[workflow]) {
      const [provider, model] = pick(MODELS)
      const retries = r() < 0.12 ? 1 + Math.floor(r() * 2) : 0
      for (let attempt = 1; attempt <= retries + 1; attempt++) {
        events.push({
          id: `e-${n++}`,
          timestamp: new Date(t).toISOString(),
          workflow_id: workflow,
          step,
          run_id: runId,
          provider,
          model,
          environment,
          traffic_source: traffic,
          ...(account ? { account_id: account } : {}),
          ...(feature ? { feature } : {}),
          tokens_in: 200 + Math.floor(r() * 40_000),
          tokens_out: 20 + Math.floor(r() * 3_000),
          ...(r() < 0.3 ? { cached_tokens_in: 100 + Math.floor(r() * 150) } : {}),
          attempt,
          outcome: attempt <= retries ? pick(['retry', 'error']) : 'success',
          latency_ms: 200 + Math.floor(r() * 4_000),
        })
        t += 500 + Math.floor(r() * 5_000)
      }
    }
  }
  // runs spread over the hours of two months ago (outside both ranges), last month and this month to a minute ago
  const upTo = now.getTime() - 60_000
  for (let i = 0; i < 30; i++) addRun(TWO_MONTHS_AGO + Math.floor(r() * (LAST_MONTH_START - TWO_MONTHS_AGO - 60_000)))
  for (let i = 0; i < 220; i++) addRun(LAST_MONTH_START + Math.floor(r() * (MONTH_START - LAST_MONTH_START - 60_000)))
  for (let i = 0; i < 160; i++) addRun(MONTH_START + Math.floor(r() * Math.max(upTo - MONTH_START - 60_000, 1)))
  // the month boundary: runs in last month's last minutes (their later calls may cross into this month) and this month's first minutes
  for (let i = 0; i < 8; i++) addRun(MONTH_START - 60_000 * (1 + i))
  for (let i = 0; i < 8; i++) addRun(Math.min(MONTH_START + 60_000 * i, upTo - 60_000))
  // the hour now running (a partial hour, in the month to date)
  for (let i = 0; i < 4; i++) addRun(Math.max(upTo - 30_000 * (i + 1) - 60_000, MONTH_START))
  return events.filter((e) => Date.parse(e.timestamp as string) < now.getTime())
}

let orgId = ''
let readKey = ''
let writeKey = ''
const ctx = () => ({ params: Promise.resolve<Record<string, string>>({}) })
const qs = (q: Record<string, string | undefined>) => new URLSearchParams(Object.entries(q).filter((e): e is [string, string] => e[1] !== undefined)).toString()

beforeAll(async () => {
  await useTestServices('consistency')
  orgId = (await createOrgWithAdmin({ org_name: 'Consistency Co', email: 'consistency@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  const ingest = (await createTestApiKey(orgId, { name: 'i', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'w', scopes: ['write', 'read'] })).key
  const events = tenantEvents()
  for (let i = 0; i < events.length; i += 1000) {
    const res = await postEvents(apiRequest('/api/v1/events', { key: ingest, body: { events: events.slice(i, i + 1000) } }))
    expect(res.status).toBe(202)
    expect((await res.json()).rejected).toEqual([])
  }
  for (const id of await pendingBatches(0)) await processBatch(id)
  // a budget scoped to a workflow over every traffic source, and the whole organization's (production traffic, the default)
  for (const body of [
    {
      name: 'Support month',
      workflow_id: 'support-agent',
      period: 'month',
      metric: 'spend',
      amount_usd: '100000',
      traffic_sources: ['production', 'eval', 'replay', 'ops'],
    },
    { name: 'Org month', period: 'month', metric: 'spend', amount_usd: '100000' },
  ])
    expect((await createBudget(apiRequest('/api/v1/budgets', { key: writeKey, body }))).status).toBe(201)
}, 120_000)
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

/** GET /api/v1/metrics as the pages send it. */
async function metrics(q: Record<string, string | undefined>): Promise<TMetricsRow[]> {
  const res = await getMetrics(apiRequest(`/api/v1/metrics?${qs(q)}`, { key: readKey }), ctx())
  expect(res.status).toBe(200)
  return (await res.json()).rows
}

async function monthly(month: string): Promise<TMonthlyReport> {
  const res = await getMonthly(apiRequest(`/api/v1/reports/monthly?month=${month}`, { key: readKey }), ctx())
  expect(res.status).toBe(200)
  return res.json()
}

/** SQL over the raw events: the spend of [from, to) (and a filter), rounded once to the micro-dollar, as the rollups' sums. */
async function sqlSpend(from: string | number, to: string | number, where = 'true', params: unknown[] = []): Promise<string> {
  const { rows } = await ownerPool().query<{ usd: string }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS usd FROM inference_events WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3 AND ${where}`,
    [orgId, new Date(from), new Date(to), ...params],
  )
  return rows[0].usd
}

/** SQL per key of a dimension: each key's spend rounded once (as each metrics row is), and the count of keys. */
async function sqlRows(from: string, to: string, dim: string): Promise<Map<string | null, string>> {
  const { rows } = await ownerPool().query<{ k: string | null; usd: string }>(
    `SELECT ${dim} AS k, round(coalesce(sum(cost_usd), 0), 6)::text AS usd FROM inference_events WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3 GROUP BY 1`,
    [orgId, new Date(from), new Date(to)],
  )
  return new Map(rows.map((r) => [r.k, r.usd]))
}

const sumUsd = (xs: { cost_usd: string }[]) => microsToUsd(xs.reduce((a, x) => a + micros(x.cost_usd), 0n))
/**
 * Rows each rounded to the micro-dollar add up to the total rounded once within half a micro-dollar per row (the
 * metrics API's documented rounding); as displayed, in cents, they are the same unless the total sits that close
 * to a half cent.
 */
function expectSameSpend(rowsSum: string, total: string, rows: number, what: string) {
  const diff = micros(rowsSum) - micros(total)
  expect(diff < 0n ? -diff : diff, `${what}: Σ rows ${rowsSum} vs ${total}`).toBeLessThanOrEqual(BigInt(Math.ceil(rows / 2)))
  const cents = (usd: string) => micros(usd) % 10_000n
  const nearHalfCent = (usd: string) => {
    const c = cents(usd)
    return c >= 5_000n - BigInt(rows) && c <= 5_000n + BigInt(rows)
  }
  if (!nearHalfCent(total)) expect(formatUsd(rowsSum), `${what} as displayed`).toBe(formatUsd(total))
}

describe.each(RANGES)('range %s: the pages agree', (range) => {
  const p = () => period(range)
  const base = () => ({ from: p().from, to: p().to })

  it('the overview spend is SQL over inference_events, and the events are spread as a tenant’s (unpriced calls, retries, several keys)', async () => {
    const t = totals(await metrics({ ...base(), granularity: 'none' }))
    expect(t.cost_usd).toBe(await sqlSpend(p().from, p().to))
    expect(micros(t.cost_usd)).toBeGreaterThan(0n)
    expect(t.unpriced_events).toBeGreaterThan(0)
    const [{ retries }] = (
      await ownerPool().query<{ retries: number }>(
        `SELECT count(*)::int AS retries FROM inference_events WHERE org_id = $1 AND outcome = 'retry' AND timestamp >= $2 AND timestamp < $3`,
        [orgId, p().from, p().to],
      )
    ).rows
    expect(retries).toBeGreaterThan(0)
  })

  it('the lists add up to the overview spend: workflows, features, accounts, and the overview’s breakdowns with their Other rows', async () => {
    const total = totals(await metrics({ ...base(), granularity: 'none' })).cost_usd
    // the list pages: useBreakdownMetrics's three reads into the page's table
    const list = async (dim: 'workflow_id' | 'feature' | 'account_id') => {
      const [current, previous, daily] = await Promise.all([
        metrics({ ...base(), group_by: dim, granularity: 'none' }),
        metrics({ ...rangePeriods(range, now).previous, group_by: dim, granularity: 'none', measures: 'cost_usd' }),
        metrics({ ...base(), group_by: dim, granularity: 'day', measures: 'cost_usd,runs' }),
      ])
      return { current, previous, daily }
    }
    const w = await list('workflow_id')
    const workflows = workflowsTable(w.current, w.previous, w.daily, p())
    expectSameSpend(workflows.total_usd, total, workflows.rows.length, 'workflows list total')
    expectSameSpend(sumUsd(workflows.rows), total, workflows.rows.length, 'workflows list rows')
    const f = await list('feature')
    const features = featuresTable(f.current, f.previous, f.daily, [], p())
    expect(features.rows.length).toBeGreaterThan(8)
    expectSameSpend(sumUsd(features.rows), total, features.rows.length, 'features list rows')
    const a = await list('account_id')
    const accounts = accountsTable(a.current, a.previous, a.daily, p())
    expect(accounts.rows.length).toBeGreaterThan(8)
    expectSameSpend(sumUsd(accounts.rows), total, accounts.rows.length, 'accounts list rows')
    // the overview's breakdowns: the top 8 and an "Other" row
    const byWorkflow = topN(await metrics({ ...base(), group_by: 'workflow_id' }), 'workflow_id')
    expect(byWorkflow.items.at(-1)?.name).toBe('Other')
    expectSameSpend(sumUsd(byWorkflow.items), total, workflows.rows.length, 'overview by workflow')
    const modelRows = await metrics({ ...base(), group_by: 'provider,model' })
    const byModel = topN(
      modelRows.map((r) => ({ ...r, name: r.model ? `${r.provider ?? '?'}/${r.model}` : '(self-hosted)' })),
      'name',
    )
    expect(byModel.items.at(-1)?.name).toBe('Other')
    expectSameSpend(sumUsd(byModel.items), total, modelRows.length, 'overview by model')
    // the unpriced model is a row of its own with no spend, and its calls are counted
    const unpriced = modelRows.find((r) => r.model === 'house-llm-7b')
    expect(unpriced).toMatchObject({ cost_usd: '0.000000' })
    expect(unpriced!.unpriced_events).toBe(unpriced!.events)
    // and each list's rows equal SQL per key
    for (const [dim, rows] of [
      ['workflow_id', w.current],
      ['feature', f.current],
      ['account_id', a.current],
    ] as const) {
      const sql = await sqlRows(p().from, p().to, dim)
      expect(new Map(rows.map((r) => [(r as Record<string, unknown>)[dim] as string | null, r.cost_usd])), dim).toEqual(sql)
    }
  })

  it('per workflow: the overview row = the workflows list row = the workflow page = the monthly report row = SQL', async () => {
    const overviewRows = await metrics({ ...base(), group_by: 'workflow_id' })
    const list = await metrics({ ...base(), group_by: 'workflow_id', granularity: 'none' })
    const month = ym(Date.parse(p().from))
    const report = await monthly(month)
    const reportRows = report.sections.find((s) => s.dimension === 'workflow_id')!.rows
    const sql = await sqlRows(p().from, p().to, 'workflow_id')
    for (const wf of Object.keys(WORKFLOWS)) {
      const page = await metrics({ ...base(), workflow_id: wf, group_by: 'workflow_id', granularity: 'none', latency_quantiles: 'true' })
      const figures = {
        overview: overviewRows.find((r) => r.workflow_id === wf)?.cost_usd,
        list: list.find((r) => r.workflow_id === wf)?.cost_usd,
        page: page[0]?.cost_usd,
        report: reportRows.find((r) => r.key === wf)?.cost_usd,
        sql: sql.get(wf),
      }
      expect(figures, wf).toEqual({ overview: figures.sql, list: figures.sql, page: figures.sql, report: figures.sql, sql: figures.sql })
    }
  })

  it('per account and per feature: the list row = the account page (its filter) = the monthly report row = SQL', async () => {
    const report = await monthly(ym(Date.parse(p().from)))
    for (const [dim, keys] of [
      ['account_id', ACCOUNTS],
      ['feature', FEATURES],
    ] as const) {
      const list = await metrics({ ...base(), group_by: dim, granularity: 'none' })
      const reportRows = report.sections.find((s) => s.dimension === dim)!.rows
      const sql = await sqlRows(p().from, p().to, dim)
      for (const k of keys) {
        const page = await metrics({ ...base(), [dim]: k, group_by: dim, granularity: 'none' })
        const figures = {
          list: list.find((r) => r[dim] === k)?.cost_usd,
          page: page[0]?.cost_usd,
          report: reportRows.find((r) => r.key === k)?.cost_usd,
          sql: sql.get(k),
        }
        expect(figures, `${dim} ${k}`).toEqual({ list: figures.sql, page: figures.sql, report: figures.sql, sql: figures.sql })
      }
      // events without the dimension: the list's "(none)" row and the report's
      expect(list.find((r) => r[dim] === null)?.cost_usd, `${dim} none`).toBe(sql.get(null))
      expect(reportRows.find((r) => r.key === null)?.cost_usd, `${dim} none in the report`).toBe(sql.get(null))
    }
  })

  it('the monthly report’s total for the month is the overview’s spend over that month', async () => {
    const month = ym(Date.parse(p().from))
    const report = await monthly(month)
    const t = totals(await metrics({ ...base(), granularity: 'none' }))
    expect(report.total.cost_usd).toBe(t.cost_usd)
    expect(report.total.events).toBe(t.events)
    expect(report.total.unpriced_events).toBe(t.unpriced_events)
    // its "Production" (production traffic in the production environment, the one definition) is the overview filtered so
    const [production] = await metrics({ ...base(), environment: 'production', traffic_source: 'production', granularity: 'none' })
    expect(report.total.production_cost_usd).toBe(production.cost_usd)
    const [all] = await metrics({ ...base(), granularity: 'none' })
    expect(all.production_cost_usd).toBe(production.cost_usd)
    // the period it compares with is the overview's "compare with the previous period" (for the month to date: the
    // month before to the same day and hour)
    const previous = totals(await metrics({ ...rangePeriods(range, now).previous, granularity: 'none' }))
    expect(report.total.previous_cost_usd).toBe(previous.cost_usd)
    expect(report.total.previous_events).toBe(previous.events)
    expect(report.previous.compared_to).toBe(rangePeriods(range, now).previous.to)
    // its sections add up to it as the lists do
    for (const s of report.sections) expectSameSpend(sumUsd(s.rows), report.total.cost_usd, s.rows.length, `report section ${s.dimension}`)
  })
})

describe('this month’s other figures agree with the month to date', () => {
  const mtd = () => period('mtd')

  it('budgets over the month: a workflow’s (every traffic source) is its spend, the whole organization’s (production, as the page says) the production spend', async () => {
    const res = await listBudgets(apiRequest('/api/v1/budgets', { key: readKey }), ctx())
    const budgets: TBudgetView[] = (await res.json()).budgets
    const support = budgets.find((b) => b.name === 'Support month')!
    const whole = budgets.find((b) => b.name === 'Org month')!
    expect(support.status.window.from).toBe(mtd().from)
    const [supportSpend] = await metrics({ ...mtd(), workflow_id: 'support-agent', granularity: 'none' })
    expect(support.status.actual_usd).toBe(supportSpend.cost_usd)
    expect(support.status.actual_usd).toBe(await sqlSpend(mtd().from, mtd().to, `workflow_id = 'support-agent'`))
    expect(whole.traffic_sources).toEqual(['production'])
    const [production] = await metrics({ ...mtd(), traffic_source: 'production', granularity: 'none' })
    expect(whole.status.actual_usd).toBe(production.cost_usd)
    expect(whole.status.actual_usd).toBe(await sqlSpend(mtd().from, mtd().to, `traffic_source = 'production'`))
  })

  it('the forecast’s spent this month so far is the spend from the first of the month to the start of today', async () => {
    const res = await getForecast(apiRequest('/api/v1/forecast', { key: readKey }), ctx())
    expect(res.status).toBe(200)
    const f: TForecast = await res.json()
    if (TODAY > MONTH_START) {
      const t = totals(await metrics({ from: mtd().from, to: new Date(TODAY).toISOString(), granularity: 'none' }))
      expect(f.month_end.actual_to_date_usd).toBe(t.cost_usd)
    }
    expect(f.month_end.actual_to_date_usd).toBe(await sqlSpend(MONTH_START, TODAY))
    // the same page's whole bill: its API inference to date (no pools here) is the same figure
    expect(f.bill!.month_end.actual_to_date.api_inference_usd).toBe(f.month_end.actual_to_date_usd)
    // a workflow's forecast, and the page's table by workflow and account: the same relation in each scope
    const wres = await getForecast(apiRequest('/api/v1/forecast?workflow_id=search', { key: readKey }), ctx())
    const wf: TForecast = await wres.json()
    expect(wf.month_end.actual_to_date_usd).toBe(await sqlSpend(MONTH_START, TODAY, `workflow_id = 'search'`))
    const sres = await getForecastSummary(apiRequest('/api/v1/forecast/summary', { key: readKey }), ctx())
    expect(sres.status).toBe(200)
    const rows: { kind: string; id: string; month_end: { actual_to_date_usd: string }; quarter_end: { actual_to_date_usd: string } }[] = (await sres.json())
      .rows
    const quarterStart = Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1)
    for (const r of rows) {
      const col = r.kind === 'workflow' ? 'workflow_id' : 'account_id'
      expect(r.month_end.actual_to_date_usd, `${r.kind} ${r.id}`).toBe(await sqlSpend(MONTH_START, TODAY, `${col} = $4`, [r.id]))
      expect(r.quarter_end.actual_to_date_usd, `${r.kind} ${r.id}`).toBe(await sqlSpend(quarterStart, TODAY, `${col} = $4`, [r.id]))
    }
    expect(rows.filter((r) => r.kind === 'workflow')).toHaveLength(Object.keys(WORKFLOWS).length)
  })

  it('the overview’s month to date and the monthly report’s whole bill (no pools, no line items here) are the month to date’s spend', async () => {
    const res = await getOverview(apiRequest('/api/v1/overview', { key: readKey }), ctx())
    const o = (await res.json()).month_to_date
    const t = totals(await metrics({ ...mtd(), granularity: 'none' }))
    // the whole bill reads the calls through Scenario cost, whose parts add up to the calls' cost rounded once
    expect(o.api_inference_usd).toBe(t.cost_usd)
    expect(o.total_usd).toBe(o.api_inference_usd)
    const report = await monthly(ym(MONTH_START))
    expect(report.total.cost_usd).toBe(t.cost_usd)
    expect(report.bill.total_usd).toBe(t.cost_usd)
    expect(report.bill.api_inference_usd).toBe(report.total.cost_usd)
  })

  it('the organization’s time zone moves no figure: ranges are UTC days on every page', async () => {
    const before = {
      mtd: totals(await metrics({ ...mtd(), granularity: 'none' })).cost_usd,
      last: (await monthly(ym(LAST_MONTH_START))).total.cost_usd,
      daily: await metrics({ ...mtd(), granularity: 'day' }),
    }
    await asOrg(orgId, () => setOrgSettings(orgId, { time_zone: 'Pacific/Auckland' }))
    try {
      expect(totals(await metrics({ ...mtd(), granularity: 'none' })).cost_usd).toBe(before.mtd)
      expect((await monthly(ym(LAST_MONTH_START))).total.cost_usd).toBe(before.last)
      expect(await metrics({ ...mtd(), granularity: 'day' })).toEqual(before.daily)
      expect(before.daily.every((r) => r.bucket!.endsWith('T00:00:00.000Z') && Date.parse(r.bucket!) % DAY_MS === 0)).toBe(true)
    } finally {
      await asOrg(orgId, () => setOrgSettings(orgId, { time_zone: 'UTC' }))
    }
  })
})
