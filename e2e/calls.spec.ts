import { test, expect, apiSignIn, sql, DEMO_LOGIN, type Page } from './fixtures'
import { formatUsd } from '../lib/format'
import { periods } from '../lib/metrics/breakdown'

// The calls behind the figures (issue 21): the Calls explorer filtered by a workflow lists the same calls, in the
// same order, as SQL on the events; a run opens as its calls in order with the run's totals; a workflow step's
// "Calls" link lands on the explorer with the workflow and step pre-set. The period is set with explicit dates
// that span the demo's events, so no figure depends on the hour the test runs.

const ORG = DEMO_LOGIN.slug

/** The demo's events span: explicit from/to for the explorer and the same bounds for SQL. */
async function span(): Promise<{ from: string; to: string }> {
  const [r] = await sql<{ from: string; to: string }>(
    `SELECT to_char(min("timestamp") AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS from,
            to_char((max("timestamp") AT TIME ZONE 'UTC') + interval '1 day', 'YYYY-MM-DD') AS to
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1`,
    [ORG],
  )
  return r
}

const rowIds = (page: Page) => page.getByTestId('call-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))

test('filtering by workflow lists the calls SQL selects, newest first, and "Load more" continues where the page ended', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const { from, to } = await span()
  const [wf] = await sql<{ workflow_id: string }>(
    `SELECT workflow_id FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1
     GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1 OFFSET 1`,
    [ORG],
  )
  await page.goto(`/${ORG}/calls?from=${from}&to=${to}`)
  await expect(page.getByRole('heading', { name: 'Calls', level: 1 })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Calls' })).toHaveAttribute('aria-current', 'page')
  await expect(page.getByTestId('call-row').first()).toBeVisible()

  // the form by keyboard: type the workflow, Enter applies it and puts it in the URL
  await page.getByLabel('Workflow').fill(wf.workflow_id)
  await page.getByLabel('Workflow').press('Enter')
  await expect(page).toHaveURL(new RegExp(`workflow_id=${encodeURIComponent(wf.workflow_id)}`))

  const want = await sql<{ event_id: string }>(
    `SELECT event_id FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND workflow_id = $2 AND "timestamp" >= $3::date AND "timestamp" < $4::date
     ORDER BY "timestamp" DESC, event_id DESC LIMIT 100`,
    [ORG, wf.workflow_id, from, to],
  )
  expect(want.length).toBe(100) // the demo's second workflow has more than two pages of calls
  await expect(page.getByTestId('call-row')).toHaveCount(50)
  expect(await rowIds(page)).toEqual(want.slice(0, 50).map((r) => r.event_id))
  for (const title of await page
    .getByTestId('call-row')
    .locator('td:nth-child(2) div')
    .evaluateAll((ds) => ds.map((d) => d.getAttribute('title'))))
    expect(title?.startsWith(`${wf.workflow_id} / `)).toBe(true)

  await page.getByRole('button', { name: 'Load more' }).click()
  await expect(page.getByTestId('call-row')).toHaveCount(100)
  expect(await rowIds(page)).toEqual(want.map((r) => r.event_id))

  // a workflow without calls: the empty state says what to do
  await page.getByLabel('Workflow').fill('no-such-workflow')
  await page.getByRole('button', { name: 'Apply filters' }).click()
  await expect(page.getByTestId('calls-empty')).toContainText('No calls match these filters')
  await page.getByRole('button', { name: 'Clear the filters' }).click()
  await expect(page.getByTestId('call-row').first()).toBeVisible()
})

test("a run's link opens the run view: its calls in order, its totals as SQL sums them", async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const { from, to } = await span()
  // a run of several calls, so the timeline has an order to check
  const [run] = await sql<{ run_id: string; workflow_id: string }>(
    `SELECT run_id, min(workflow_id) AS workflow_id FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND run_id IS NOT NULL GROUP BY 1 HAVING count(*) >= 3 ORDER BY max("timestamp") DESC, 1 LIMIT 1`,
    [ORG],
  )
  await page.goto(`/${ORG}/calls?from=${from}&to=${to}&run_id=${encodeURIComponent(run.run_id)}`)
  const link = page
    .getByTestId('call-row')
    .first()
    .getByRole('link', { name: run.run_id.length > 14 ? `${run.run_id.slice(0, 13)}…` : run.run_id })
  await link.click()
  await expect(page).toHaveURL(new RegExp(`/${ORG}/calls/runs/${encodeURIComponent(run.run_id)}$`))
  await expect(page.getByRole('heading', { name: run.run_id, level: 1 })).toBeVisible()

  const calls = await sql<{ event_id: string }>(
    `SELECT event_id FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND run_id = $2 ORDER BY "timestamp", event_id`,
    [ORG, run.run_id],
  )
  const [totals] = await sql<{ cost: string; n: string }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS cost, count(*)::text AS n FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND run_id = $2`,
    [ORG, run.run_id],
  )
  await expect(page.getByTestId('run-call')).toHaveCount(calls.length)
  expect(await page.getByTestId('run-call').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-id')))).toEqual(calls.map((c) => c.event_id))
  await expect(page.getByTestId('run-calls')).toContainText(totals.n)
  await expect(page.getByTestId('run-cost')).toContainText(formatUsd(totals.cost, { precise: true }))
  // the first call starts the time axis
  await expect(page.getByTestId('run-call').first().locator('[data-left]')).toHaveAttribute('data-left', '0.0000')
})

test("a workflow step's Calls link opens the explorer with the workflow and step pre-set", async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const [top] = await sql<{ workflow: string }>(
    `SELECT workflow_id AS workflow FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 GROUP BY 1 ORDER BY sum(cost_usd) DESC NULLS LAST, 1 LIMIT 1`,
    [ORG],
  )
  await page.goto(`/${ORG}/workflows/${encodeURIComponent(top.workflow)}?range=90`)
  const first = page.getByTestId('steps-table').locator('tbody tr').first()
  const step = (await first.getByRole('rowheader').textContent())!.trim()
  await first.getByRole('link', { name: 'Calls' }).click()
  await expect(page).toHaveURL(/\/calls\?/)
  const url = new URL(page.url())
  expect(url.searchParams.get('workflow_id')).toBe(top.workflow)
  expect(url.searchParams.get('step')).toBe(step)
  expect(url.searchParams.get('range')).toBe('90')
  await expect(page.getByLabel('Workflow')).toHaveValue(top.workflow)
  await expect(page.getByLabel('Step')).toHaveValue(step)
  await expect(page.getByTestId('call-row').first()).toBeVisible()
  const titles = await page
    .getByTestId('call-row')
    .locator('td:nth-child(2) div')
    .evaluateAll((ds) => ds.map((d) => d.getAttribute('title')))
  expect(new Set(titles)).toEqual(new Set([`${top.workflow} / ${step}`]))
  // the newest of them is the newest such event of the period the range selects (the other pages' 90 days)
  const p = periods(90).current
  const [newest] = await sql<{ event_id: string }>(
    `SELECT event_id FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND workflow_id = $2 AND step = $3
     AND "timestamp" >= $4 AND "timestamp" < $5 ORDER BY "timestamp" DESC, event_id DESC LIMIT 1`,
    [ORG, top.workflow, step, p.from, p.to],
  )
  await expect(page.getByTestId('call-row').first()).toHaveAttribute('data-id', newest.event_id)
})
