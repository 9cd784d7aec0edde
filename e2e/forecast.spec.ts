import { test, expect, apiSignIn, sql, usd } from './fixtures'
import { DAY_MS, HOUR_MS } from '../lib/domain'

// A finance lead opens the forecast: the month so far matches the books, the
// month- and quarter-end forecasts come with a band and a backtest error, and a
// workflow's row opens that workflow's own forecast.
test('forecast: month so far from the books, month and quarter end with a band, per workflow', async ({ page, request }) => {
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

  await page.goto(`/${org_slug}/overview`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Forecast' }).click()
  await expect(page.getByRole('heading', { name: 'Forecast', level: 1 })).toBeVisible()
  await expect(page.getByTestId('kpi-month-actual')).toHaveText(usd((await monthSoFar()).usd ?? 0))
  await expect(page.getByTestId('kpi-month')).toHaveText(/^\$\d/)
  await expect(page.getByText(/95% band \$/).first()).toBeVisible()
  await expect(page.getByRole('img', { name: /Daily spend of the whole organization and its forecast/ })).toBeVisible()
  // 21 days of history: fitted, but too short to backtest (needs 6 weeks)
  await expect(page.getByTestId('kpi-mape')).toHaveText('—')

  await expect(page.getByTestId('budget-outlook').locator('tr[data-budget="Support monthly"]')).toHaveAttribute('data-verdict', 'within')

  const row = page.getByTestId('forecast-summary').locator('tr[data-row="workflow/support"]')
  await expect(row.locator('[data-month-end]')).toHaveText(/^\$\d/)
  await row.getByRole('link', { name: 'support' }).click()
  await expect(page.getByRole('heading', { name: 'Forecast: workflow support', level: 1 })).toBeVisible()
  await expect(page.getByTestId('kpi-month-actual')).toHaveText(usd((await monthSoFar()).usd ?? 0))
})
