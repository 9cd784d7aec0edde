import { test, expect, apiSignIn, sql, usd, paidCapacitySql, lineItemsSql, microsApart } from './fixtures'
import { DAY_MS, HOUR_MS } from '../lib/domain'

// A finance lead opens the forecast: the month so far matches the books, the
// month- and quarter-end forecasts come with a band and a backtest error, and a
// workflow's row opens that workflow's own forecast.
test('forecast: month so far from the books, month and quarter end with a band, the whole bill part by part, per workflow', async ({ page, request }) => {
  const stamp = Date.now()
  const email = `forecast-${stamp}@example.com`
  const { org_slug } = await (
    await request.post('/api/auth/signup', { data: { org_name: `Forecast ${stamp}`, email, password: 'forecast-password-1' } })
  ).json()
  await apiSignIn(page.request, email, 'forecast-password-1')
  const { key } = await (await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'ingest', scopes: ['ingest'] } })).json()

  // 21 complete days: weekdays 4 calls, weekends 1 (gpt-4o-mini, 1M input tokens = $0.15 a call)
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())
  const events: Record<string, unknown>[] = []
  for (let d = 1; d <= 21; d++) {
    const dow = new Date(today - d * DAY_MS).getUTCDay()
    for (let i = 0; i < (dow === 0 || dow === 6 ? 1 : 4); i++) {
      events.push({
        id: `f-${d}-${i}`,
        timestamp: new Date(today - d * DAY_MS + HOUR_MS * (i + 1)).toISOString(),
        workflow_id: 'support',
        step: 'draft',
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens_in: 1_000_000,
      })
    }
  }
  expect((await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events } })).status()).toBe(202)
  const monthSoFar = async () =>
    (
      await sql<{ usd: string | null; n: number }>(
        `SELECT round(sum(e.cost_usd) FILTER (WHERE e.timestamp >= date_trunc('month', $2::timestamptz AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'), 6)::text AS usd, count(*)::int AS n
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1`,
        [org_slug, new Date(today).toISOString()],
      )
    )[0]
  await expect(async () => expect((await monthSoFar()).n).toBe(events.length)).toPass({ timeout: 60_000 })

  expect(
    (
      await page.request.post(`/api/v1/budgets?org=${org_slug}`, {
        data: { name: 'Support monthly', workflow_id: 'support', period: 'month', metric: 'spend', amount_usd: '100000' },
      })
    ).status(),
  ).toBe(201)

  // the whole bill: a GPU pool since before the month and a line item of the month, besides the calls
  const monthStart = Date.UTC(new Date(today).getUTCFullYear(), new Date(today).getUTCMonth(), 1)
  const monthEnd = Date.UTC(new Date(today).getUTCFullYear(), new Date(today).getUTCMonth() + 1, 1)
  const month = new Date(monthStart).toISOString().slice(0, 7)
  expect(
    (
      await page.request.post(`/api/v1/gpu/pools?org=${org_slug}`, {
        data: {
          name: 'bill-pool',
          role: 'production',
          gpu_type: 'L4',
          gpu_count: 2,
          pricing: 'hourly',
          gpu_hour_usd: '1.5',
          effective_from: new Date(monthStart - 10 * DAY_MS).toISOString(),
        },
      })
    ).status(),
  ).toBe(201)
  expect(
    (
      await page.request.post(`/api/v1/scenarios/line-items?org=${org_slug}`, {
        data: { scenario: 'support', month, category: 'operations', amount_usd: '250.25', note: 'on-call' },
      })
    ).status(),
  ).toBe(201)

  await page.goto(`/${org_slug}/overview`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forecast' }).click()
  await expect(page.getByRole('heading', { name: 'Forecast', level: 1 })).toBeVisible()
  await expect(page.getByTestId('kpi-month-actual')).toHaveText(usd((await monthSoFar()).usd ?? 0))
  // recorded to the start of today (the model forecasts whole days), so it names its end: the Overview's month to
  // date runs to now under its own label (docs/finance.md "Month to date")
  const THROUGH_YESTERDAY = 'Month to date (through yesterday)'
  await expect(page.getByTestId('kpi-month-actual').locator('xpath=..')).toContainText(THROUGH_YESTERDAY)
  await expect(page.getByTestId('forecast-bill').getByRole('columnheader', { name: THROUGH_YESTERDAY })).toBeVisible()
  await expect(page.getByTestId('forecast-summary').getByRole('columnheader', { name: THROUGH_YESTERDAY })).toBeVisible()
  await expect(page.getByText('This month to date')).toHaveCount(0)
  await expect(page.getByTestId('kpi-month')).toHaveText(/^\$\d/)
  await expect(page.getByText(/95% band \$/).first()).toBeVisible()
  await expect(page.getByRole('img', { name: /Daily spend of the whole organization and its forecast/ })).toBeVisible()
  // 21 days of history: fitted, but too short to backtest (needs 6 weeks)
  await expect(page.getByTestId('kpi-mape')).toHaveText('—')

  await expect(page.getByTestId('budget-outlook').locator('tr[data-budget="Support monthly"]')).toHaveAttribute('data-verdict', 'within')

  // the whole bill card: to date from the books (SQL), month end with the pools' known capacity and the month's line items
  const bill = page.getByTestId('forecast-bill')
  const gpuToDate = await paidCapacitySql(org_slug, new Date(monthStart).toISOString(), new Date(today).toISOString())
  const gpuMonth = await paidCapacitySql(org_slug, new Date(monthStart).toISOString(), new Date(monthEnd).toISOString())
  const items = await lineItemsSql(org_slug, month)
  const cell = async (part: string, attr: string) => (await bill.locator(`tr[data-part="${part}"] [${attr}]`).getAttribute(attr))!
  expect(microsApart(await cell('gpu_capacity_usd', 'data-actual'), gpuToDate.usd)).toBeLessThanOrEqual(1n)
  expect(microsApart(await cell('gpu_capacity_usd', 'data-month'), gpuMonth.usd)).toBeLessThanOrEqual(2n)
  expect(Number(await cell('line_items_usd', 'data-actual'))).toBe(today > monthStart ? Number(items) : 0) // counted once the month has begun
  expect(Number(await cell('line_items_usd', 'data-month'))).toBe(Number(items))
  expect(Number(items)).toBe(250.25)
  // no call runs on the pool: API inference is the calls' spend, the total the sum of the parts
  expect(Number(await cell('api_inference_usd', 'data-actual'))).toBe(Number((await monthSoFar()).usd ?? 0))
  const parts = ['api_inference_usd', 'gpu_capacity_usd', 'line_items_usd']
  let sum = 0n
  for (const p of parts) sum += BigInt(Math.round(Number(await cell(p, 'data-month')) * 1e6))
  expect(BigInt(Math.round(Number(await cell('total_usd', 'data-month')) * 1e6))).toBe(sum)
  // the same figures as the API
  const api = await (await page.request.get(`/api/v1/forecast?org=${org_slug}`)).json()
  expect(api.bill.month_end.actual_to_date.gpu_capacity_usd).toBe(await cell('gpu_capacity_usd', 'data-actual'))
  expect(api.bill.month_end.forecast.total_usd).toBe(await cell('total_usd', 'data-month'))
  // the budget's projection is the Budgets page's method: its month's spend to now at its pace
  await expect(page.getByTestId('budget-outlook').locator('tr[data-budget="Support monthly"] [data-projected]')).toHaveAttribute(
    'data-projected',
    /^\d+\.\d{6}$/,
  )

  const row = page.getByTestId('forecast-summary').locator('tr[data-row="workflow/support"]')
  await expect(row.locator('[data-month-end]')).toHaveText(/^\$\d/)
  await row.getByRole('link', { name: 'support' }).click()
  await expect(page.getByRole('heading', { name: 'Forecast: workflow support', level: 1 })).toBeVisible()
  await expect(page.getByTestId('kpi-month-actual')).toHaveText(usd((await monthSoFar()).usd ?? 0))
})
