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
     WHERE o.slug = $1 GROUP BY 1, 2 ORDER BY sum(cost_usd) DESC NULLS LAST LIMIT 1`,
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

// Issue 21: the record names its majority scenario (SQL on the step's calls), labels the cheapest with its
// minimum sample, and its "create one on the Routing page" link drafts the policy: workflow, step and the
// step's models as candidates.
test('a decision record’s majority scenario, its cheapest (≥ 30 calls), and its link pre-filling a new policy', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  // the costliest step without a routing policy
  const [s] = await sql<{ workflow: string; step: string }>(
    `SELECT e.workflow_id AS workflow, e.step FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND NOT EXISTS (SELECT 1 FROM routing_policies p WHERE p.org_id = e.org_id AND p.workflow_id = e.workflow_id AND p.step = e.step)
     GROUP BY 1, 2 ORDER BY sum(cost_usd) DESC NULLS LAST LIMIT 1`,
    [DEMO_LOGIN.slug],
  )
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/${encodeURIComponent(s.workflow)}/steps/${encodeURIComponent(s.step)}?range=90`)
  await expect(page.getByRole('heading', { name: `Decision record: ${s.workflow} / ${s.step}`, level: 1 })).toBeVisible()

  // The majority scenario: most calls among the step's latest 20,000 (calls without a scenario_id count together).
  const scenarios = await sql<{ scenario: string | null; calls: number }>(
    `SELECT scenario_id AS scenario, count(*)::int AS calls FROM (
       SELECT e.scenario_id FROM inference_events e JOIN organizations o ON o.id = e.org_id
       WHERE o.slug = $1 AND e.workflow_id = $2 AND e.step = $3 ORDER BY e.timestamp DESC LIMIT 20000) x
     GROUP BY 1 ORDER BY 2 DESC, (scenario_id IS NULL), 1`,
    [DEMO_LOGIN.slug, s.workflow, s.step],
  )
  const counted = scenarios.reduce((n, r) => n + r.calls, 0)
  const top = scenarios[0]
  const majority = page.locator('[data-field="scenario"]')
  await expect(page.getByTestId('majority-scenario')).toHaveText(top.scenario ?? 'Not set on most calls')
  await expect(majority).toContainText(`the majority: ${top.calls.toLocaleString('en-US')} of ${counted.toLocaleString('en-US')}`)
  for (const other of scenarios.slice(1, 3))
    await expect(page.getByTestId('other-scenarios')).toContainText(`${other.scenario ?? 'not set'} (${other.calls.toLocaleString('en-US')} calls)`)

  // "cheapest" says its minimum sample
  const cheapest = page.getByTestId('cheapest')
  if (await cheapest.count()) {
    await expect(page.locator('dd').filter({ has: cheapest })).toContainText('cheapest per call (≥ 30 calls)')
    await expect(page.getByTestId('options-table')).toContainText('cheapest (≥ 30 calls)')
  }

  // the link drafts the policy: workflow, step and the step's models as candidates
  const models = await sql<{ model: string }>(
    `SELECT e.provider || '/' || e.model AS model FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.workflow_id = $2 AND e.step = $3 AND e.model IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1`,
    [DEMO_LOGIN.slug, s.workflow, s.step],
  )
  await page.locator('[data-field="routing"]').getByRole('link', { name: 'create one on the Routing page' }).click()
  await expect(page).toHaveURL(/\/routing\?.*from=decision-record/)
  await expect(page.getByTestId('drafted-change')).toContainText(`Drafted from the decision record: ${s.workflow} / ${s.step} has no routing policy yet`)
  const form = page.getByRole('form', { name: 'New policy' })
  await expect(form.getByLabel('Workflow', { exact: true })).toHaveValue(s.workflow)
  await expect(form.getByLabel('Step', { exact: true })).toHaveValue(s.step)
  await expect(form.getByLabel('Candidate models', { exact: true })).toHaveValue(models.map((m) => m.model).join('\n'))
})
