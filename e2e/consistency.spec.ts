import { test, expect, apiSignIn, createOrg, sql, usd, DEMO_LOGIN } from './fixtures'
import { rangePeriods } from '../lib/metrics/range'
import { DAY_MS } from '../lib/domain'
import type { Page } from '@playwright/test'

// Issue 21: one figure per measure, range and scope, whichever page shows it. On the seeded demo organization
// (read only), for the range picker's month to date and last month: the overview's spend, the workflows list's,
// a workflow's page, the monthly report, and (this month) the budgets page and the forecast's "spent this month
// so far", read as displayed, agree with each other and with SQL over inference_events. Relations that are so by
// definition are asserted as the pages state them: a budget counts its scope and traffic sources (the demo's
// monthly budget: production traffic in the production environment), the forecast counts to the start of today.

const ORG = DEMO_LOGIN.slug
const EVENTS = `FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND e."timestamp" >= $2 AND e."timestamp" < $3`

async function sqlSpend(from: string, to: string, where = 'true', params: unknown[] = []): Promise<string> {
  const [r] = await sql<{ usd: string }>(`SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS usd ${EVENTS} AND ${where}`, [ORG, from, to, ...params])
  return r.usd
}

/** The displayed money of a locator's [data-cost] cells, summed exactly (micro-dollars). */
async function sumDataCost(page: Page, testId: string): Promise<{ micros: bigint; rows: number }> {
  const costs = await page
    .getByTestId(testId)
    .locator('[data-cost]')
    .evaluateAll((xs) => xs.map((x) => x.getAttribute('data-cost') ?? '0'))
  return { micros: costs.reduce((a, c) => a + BigInt(Math.round(Number(c) * 1e6)), 0n), rows: costs.length }
}
const toMicros = (usd: string) => BigInt(Math.round(Number(usd) * 1e6))

for (const range of ['mtd', 'last_month'] as const) {
  test(`${range}: overview, workflows list, a workflow's page and the monthly report show the same spend, equal to SQL`, async ({ page, consoleErrors }) => {
    await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
    const p = rangePeriods(range).current
    const total = await sqlSpend(p.from, p.to)
    expect(Number(total)).toBeGreaterThan(0)
    const byWorkflow = await sql<{ workflow_id: string; usd: string }>(
      `SELECT workflow_id, round(coalesce(sum(cost_usd), 0), 6)::text AS usd ${EVENTS} GROUP BY workflow_id ORDER BY sum(cost_usd) DESC NULLS LAST, workflow_id`,
      [ORG, p.from, p.to],
    )
    const top = byWorkflow[0]
    const shown = usd(total)

    // the period compared with (for the month to date: the month before to the same day and hour)
    const before = rangePeriods(range).previous
    const previous = usd(await sqlSpend(before.from, before.to))

    // the overview: the range's spend and the previous period's, and its breakdowns (top rows and "Other") add up to it
    await page.goto(`/${ORG}/overview?range=${range}`)
    await expect(page.getByTestId('kpi-spend')).toHaveText(shown)
    await expect(page.getByRole('region', { name: 'Totals' })).toContainText(`previous ${previous},`)
    await expect(page.getByTestId('by-workflow').locator(`[data-key="${top.workflow_id}"] [data-cost]`)).toHaveAttribute('data-cost', top.usd)
    for (const id of ['by-workflow', 'by-model']) {
      const s = await sumDataCost(page, id)
      const diff = s.micros - toMicros(total)
      expect(diff < 0n ? -diff : diff, `${id}: rows rounded to the micro-dollar each`).toBeLessThanOrEqual(BigInt(byWorkflow.length + 20))
    }

    // the workflows list: its spend tile and every row
    await page.goto(`/${ORG}/workflows?range=${range}`)
    await expect(page.getByTestId('kpi-spend')).toHaveText(shown)
    const table = page.getByTestId('workflows-table')
    for (const w of byWorkflow.slice(0, 5)) await expect(table.locator(`[data-key="${w.workflow_id}"] [data-cost]`).first()).toHaveAttribute('data-cost', w.usd)

    // a workflow's page, for the top workflow and a small one
    for (const w of [top, byWorkflow.at(-1)!]) {
      await page.goto(`/${ORG}/workflows/${encodeURIComponent(w.workflow_id)}?range=${range}`)
      await expect(page.getByTestId('kpi-spend')).toHaveText(usd(w.usd))
    }

    // the monthly report of the range's month: its total, and the workflow's row
    const month = p.from.slice(0, 7)
    await page.goto(`/${ORG}/reports/monthly?month=${month}`)
    await expect(page.getByTestId('report-total')).toHaveText(shown)
    await expect(page.getByTestId('report-previous')).toHaveText(previous)
    await expect(page.getByTestId('report-workflow_id').locator(`[data-key="${top.workflow_id}"] [data-cost]`)).toHaveAttribute('data-cost', top.usd)
    expect(consoleErrors).toEqual([])
  })
}

test('this month: the budget over the month and the forecast’s spent so far agree with the overview for the same scope and span, and with SQL', async ({
  page,
  consoleErrors,
}) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const p = rangePeriods('mtd').current
  // the demo's monthly budget: production traffic in the production environment, over the calendar month to now
  const name = 'All production, monthly'
  const budget = await sqlSpend(p.from, p.to, `environment = 'production' AND traffic_source = 'production'`)
  await page.goto(`/${ORG}/budgets`)
  const row = page.locator(`[data-budget="${name}"]`)
  await expect(row).toContainText('production traffic')
  await expect(row.locator('[data-actual]')).toHaveAttribute('data-actual', budget)
  const budgetShown = (await row.locator('[data-actual]').textContent())!.trim()
  expect(budgetShown).toBe(usd(budget))
  // the overview with the budget's scope (the same filters) shows the same figure, and so does the monthly report's
  // "Production" (production traffic in the production environment: the budget's scope)
  await page.goto(`/${ORG}/overview?range=mtd&environment=production&traffic_source=production`)
  await expect(page.getByTestId('kpi-spend')).toHaveText(budgetShown)
  await page.goto(`/${ORG}/reports/monthly?month=${p.from.slice(0, 7)}`)
  await expect(page.getByTestId('report-production')).toHaveText(budgetShown)

  // the forecast counts from the first of the month to the start of today (its tile says so): the overview's custom
  // range over the same whole days shows the same figure
  const today = Date.parse(`${new Date().toISOString().slice(0, 10)}T00:00:00Z`)
  const actual = await sqlSpend(p.from, new Date(today).toISOString())
  await page.goto(`/${ORG}/forecast`)
  await expect(page.getByTestId('kpi-month-actual')).toHaveText(usd(actual))
  await expect(page.getByText('From the 1st to 00:00 UTC today, recorded; today onwards is forecast')).toBeVisible()
  if (today > Date.parse(p.from)) {
    const lastDay = new Date(today - DAY_MS).toISOString().slice(0, 10)
    await page.goto(`/${ORG}/overview?range=${p.from.slice(0, 10)}..${lastDay}`)
    await expect(page.getByTestId('kpi-spend')).toHaveText(usd(actual))
  }
  expect(consoleErrors).toEqual([])
})

test('an organization in another time zone: ranges stay UTC days (the pages say so), and the overview, workflows list and monthly report agree with SQL', async ({
  page,
  consoleErrors,
}) => {
  const stamp = Date.now()
  const email = `zone-${stamp}@example.com`
  const password = 'zone-password-1'
  const { org_slug: org, api_key: key } = createOrg(`Zone ${stamp}`, email, password, ['ingest', 'read'])
  await apiSignIn(page.request, email, password)
  expect((await page.request.patch(`/api/v1/organization?org=${org}`, { data: { time_zone: 'Pacific/Auckland' } })).status()).toBe(200)
  // two calls two hours before this month's first UTC instant (already this month in Auckland, UTC+13) and two since
  const monthStart = Date.parse(rangePeriods('mtd').current.from)
  const now = Date.now()
  const call = (id: string, t: number, workflow_id: string) => ({
    id,
    timestamp: new Date(t).toISOString(),
    workflow_id,
    step: 'answer',
    provider: 'openai',
    model: 'gpt-4o-mini',
    tokens_in: 1_234_567,
    tokens_out: 54_321,
  })
  const events = [
    call('before-1', monthStart - 2 * 3_600_000, 'search'),
    call('before-2', monthStart - 2 * 3_600_000 + 60_000, 'support'),
    call('since-1', Math.max(monthStart, now - 30 * 60_000), 'search'),
    call('since-2', Math.max(monthStart, now - 20 * 60_000), 'support'),
  ]
  const res = await page.request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events } })
  expect(res.status()).toBe(202)
  const orgEvents = `FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1`
  await expect.poll(async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n ${orgEvents}`, [org]))[0].n, { timeout: 30_000 }).toBe(4)

  for (const range of ['mtd', 'last_month'] as const) {
    const p = rangePeriods(range).current
    const [s] = await sql<{ usd: string }>(
      `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS usd ${orgEvents} AND e."timestamp" >= $2 AND e."timestamp" < $3`,
      [org, p.from, p.to],
    )
    expect(Number(s.usd)).toBeGreaterThan(0)
    await page.goto(`/${org}/overview?range=${range}`)
    await expect(page.getByText('Days and ranges are UTC days; times are shown in Pacific/Auckland.')).toBeVisible()
    await expect(page.getByTestId('kpi-spend')).toHaveText(usd(s.usd))
    await page.goto(`/${org}/workflows?range=${range}`)
    await expect(page.getByTestId('kpi-spend')).toHaveText(usd(s.usd))
    await page.goto(`/${org}/reports/monthly?month=${p.from.slice(0, 7)}`)
    await expect(page.getByTestId('report-total')).toHaveText(usd(s.usd))
  }
  expect(consoleErrors).toEqual([])
})
