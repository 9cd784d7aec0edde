import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN, answerUnavailable } from './fixtures'

// Finance's check: the overview's numbers equal a direct SQL sum of the events.
test('the demo overview equals a direct SQL sum of its events', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto('/')
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/overview`)
  await page.getByLabel('Date range').selectOption('90')

  const [all] = await sql<{ events: string; cost: string }>(
    `SELECT count(*)::text AS events, round(sum(cost_usd), 2)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1`,
    [DEMO_LOGIN.slug],
  )
  expect(Number(all.events)).toBeGreaterThan(10_000)
  await expect(page.getByTestId('kpi-events')).toHaveText(Number(all.events).toLocaleString('en-US'))
  await expect(page.getByTestId('kpi-spend')).toHaveText(usd(all.cost))

  const byWorkflow = await sql<{ workflow_id: string; cost: string }>(
    `SELECT workflow_id, round(sum(cost_usd), 6)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 GROUP BY workflow_id ORDER BY sum(cost_usd) DESC NULLS LAST`,
    [DEMO_LOGIN.slug],
  )
  const firstRow = page.getByTestId('by-workflow').getByRole('row').nth(1)
  await expect(firstRow).toContainText(byWorkflow[0].workflow_id)
  await expect(firstRow.locator('[data-cost]')).toHaveAttribute('data-cost', byWorkflow[0].cost)

  // Internal traffic (eval, replay, ops): its share of the bill, truncated to 6 decimals like every share.
  const [internal] = await sql<{ internal: string; total: string }>(
    `SELECT round(coalesce(sum(cost_usd) FILTER (WHERE traffic_source <> 'production'), 0) * 1000000)::text AS internal, round(sum(cost_usd) * 1000000)::text AS total
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1`,
    [DEMO_LOGIN.slug],
  )
  const share = Number((BigInt(internal.internal) * 1_000_000n) / BigInt(internal.total)) / 1_000_000
  expect(share).toBeGreaterThan(0)
  await expect(page.getByTestId('kpi-internal')).toContainText(`${(share * 100).toFixed(1)}%`)

  // Filter: staging only.
  const [staging] = await sql<{ cost: string }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 2)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND environment = 'staging'`,
    [DEMO_LOGIN.slug],
  )
  await page.getByLabel('Environment').selectOption('staging')
  await expect(page.getByTestId('kpi-spend')).toHaveText(usd(staging.cost))
  // The filters live in the URL: a reload (or a shared link) shows the same view.
  await expect(page).toHaveURL(/environment=staging/)
  await page.reload()
  await expect(page.getByTestId('kpi-spend')).toHaveText(usd(staging.cost))
  await expect(page.getByRole('img', { name: /^Spend per day, stacked by traffic source/ })).toBeVisible()

  // Drill down: a workflow opens its page with the same filters.
  await page.getByLabel('Environment').selectOption('')
  await page.getByTestId('by-workflow').getByRole('link', { name: byWorkflow[0].workflow_id, exact: true }).click()
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/workflows/${encodeURIComponent(byWorkflow[0].workflow_id)}?range=90`)
  await expect(page.getByRole('heading', { name: `Workflow ${byWorkflow[0].workflow_id}`, level: 1 })).toBeVisible()
  await expect(page.getByTestId('split-traffic-source')).toBeVisible()
})

// The cost SLO check needs two reads; when one fails the page says the check could not be made, instead of
// showing no breach as if there were none. The spend figures still answer.
test('the overview says when it could not check the cost SLOs', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(page, (url) => url.pathname === '/api/v1/feature-slos')
  await page.goto(`/${DEMO_LOGIN.slug}/overview`)
  await expect(page.getByRole('alert').filter({ hasText: 'Could not check the features’ cost SLOs: The database is unavailable' })).toBeVisible({
    timeout: 15_000,
  })
  await expect(page.getByTestId('kpi-spend')).not.toBeEmpty()
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})
