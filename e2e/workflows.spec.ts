import { readFile } from 'node:fs/promises'
import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN } from './fixtures'

// The engineer's check: the top workflow's spend, runs and retry tax on the
// page and in its CSV equal a direct SQL query on the events.
test('the workflows page and its CSV equal a direct SQL query per workflow', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  // The demo holds 14 days: all of them inside 90 days.
  await page.goto(`/${DEMO_LOGIN.slug}/workflows?range=90`)
  await expect(page.getByRole('heading', { name: 'Workflows', level: 1 })).toBeVisible()
  await expect(page.getByLabel('Date range')).toHaveValue('90')
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' })).toHaveAttribute('aria-current', 'page')

  const byWorkflow = await sql<{ workflow: string; cost: string; runs: string; retry: string }>(
    `SELECT coalesce(nullif(workflow_id, ''), '(no workflow)') AS workflow, round(sum(cost_usd), 6)::text AS cost,
            count(DISTINCT run_id)::text AS runs,
            round(coalesce(sum(cost_usd) FILTER (WHERE outcome IN ('retry', 'error')), 0), 6)::text AS retry
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 GROUP BY 1 ORDER BY sum(cost_usd) DESC NULLS LAST, 1`,
    [DEMO_LOGIN.slug],
  )
  expect(byWorkflow.length).toBeGreaterThan(1)
  const top = byWorkflow[0]
  expect(Number(top.retry)).toBeGreaterThan(0)

  const table = page.getByTestId('workflows-table')
  const firstRow = table.locator('tbody tr').first()
  await expect(firstRow.getByRole('rowheader')).toHaveText(top.workflow)
  await expect(firstRow.locator('[data-cost]')).toHaveAttribute('data-cost', top.cost)
  await expect(firstRow.locator('[data-cost]')).toHaveText(usd(top.cost))
  await expect(firstRow.locator('[data-runs]')).toHaveAttribute('data-runs', top.runs)
  await expect(firstRow.locator('[data-runs]')).toHaveText(Number(top.runs).toLocaleString('en-US'))
  await expect(firstRow.locator('[data-retry]')).toHaveAttribute('data-retry', top.retry)
  await expect(firstRow.locator('[data-retry]')).toHaveText(usd(top.retry))
  await expect(table.locator('tbody tr')).toHaveCount(byWorkflow.length)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toMatch(/^workflows-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/)
  const csv = await readFile(await download.path(), 'utf8')
  const lines = csv.trimEnd().split('\r\n')
  const header = lines[0].split(',')
  expect(header.slice(0, 7)).toEqual(['workflow', 'spend_usd', 'share_percent', 'change_usd', 'change_percent', 'runs', 'cost_per_run_usd'])
  const first = lines[1].split(',')
  expect(first[0]).toBe(top.workflow)
  expect(first[1]).toBe(top.cost)
  expect(first[header.indexOf('runs')]).toBe(top.runs)
  expect(first[header.indexOf('retry_error_usd')]).toBe(top.retry)
  expect(lines).toHaveLength(byWorkflow.length + 1)
})
