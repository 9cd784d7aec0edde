import { formatUsd } from '../lib/format'
import { test, expect, apiSignIn, sql, DEMO_LOGIN } from './fixtures'

// The engineer's check before changing a step's model: from the workflow page,
// a step's decision record carries its owner, its cache-adjusted cost equal to
// SQL on the events, each model option's cost per call, and copies as Markdown.
test('a step’s decision record, from the workflow page, equals SQL on its events', async ({ page, context }) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const [top] = await sql<{ workflow: string; step: string }>(
    `SELECT workflow_id AS workflow, step FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 GROUP BY 1, 2 ORDER BY sum(cost_usd) DESC LIMIT 1`,
    [DEMO_LOGIN.slug],
  )
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/${encodeURIComponent(top.workflow)}?range=90`)
  await page.getByTestId('steps-table').getByRole('link', { name: top.step, exact: true }).click()
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/workflows/${encodeURIComponent(top.workflow)}/steps/${encodeURIComponent(top.step)}?range=90`)
  await expect(page.getByRole('heading', { name: `Decision record: ${top.workflow} / ${top.step}`, level: 1 })).toBeVisible()

  const [sum] = await sql<{ cost: string; raw: string; owner: string | null }>(
    `SELECT round(sum(cost_usd), 6)::text AS cost, round(sum(cost_usd + coalesce(cache_savings_usd, 0)), 6)::text AS raw, max(owner) AS owner
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND workflow_id = $2 AND step = $3`,
    [DEMO_LOGIN.slug, top.workflow, top.step],
  )
  const money = (s: string) => formatUsd(s)
  await expect(page.getByTestId('kpi-cost')).toHaveText(money(sum.cost))
  await expect(page.getByTestId('kpi-raw-cost')).toHaveText(money(sum.raw))
  if (sum.owner) await expect(page.locator('[data-field="owner"]')).toHaveText(sum.owner)

  const options = await sql<{ model: string; per_call: string }>(
    `SELECT provider || '/' || model AS model, round(sum(cost_usd) / count(*), 6)::text AS per_call
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND workflow_id = $2 AND step = $3
     GROUP BY 1 ORDER BY count(*) DESC, 1`,
    [DEMO_LOGIN.slug, top.workflow, top.step],
  )
  const rows = page.getByTestId('options-table').locator('tbody tr')
  await expect(rows).toHaveCount(options.length)
  await expect(rows.first().getByRole('rowheader')).toContainText(options[0].model)
  await expect(rows.first().locator('[data-cost-per-call]')).toHaveAttribute('data-cost-per-call', options[0].per_call)

  await page.getByRole('button', { name: 'Copy as Markdown' }).click()
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible()
  const md = await page.evaluate(() => navigator.clipboard.readText())
  expect(md).toContain(`# Decision record: ${top.workflow} / ${top.step}`)
  expect(md).toContain(`cache-adjusted cost: $${sum.cost}`)

  // Back to the workflow through the breadcrumb.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: top.workflow }).click()
  await expect(page.getByRole('heading', { name: `Workflow ${top.workflow}`, level: 1 })).toBeVisible()
})
