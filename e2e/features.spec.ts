import { readFile } from 'node:fs/promises'
import { test, expect, apiSignIn, createOrg, sql, usd, DEMO_LOGIN } from './fixtures'

// Product's check: the top feature's spend and cost per action equal SQL on
// the events; a target under its cost per action shows it breached, here and
// on the overview; a target over it shows it within.
test('the features page: cost per action per feature against its cost SLO', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  // The demo holds 14 days: all of them inside 90 days.
  await page.goto(`/${DEMO_LOGIN.slug}/features?range=90`)
  await expect(page.getByRole('heading', { name: 'Features', level: 1 })).toBeVisible()
  await expect(page.getByLabel('Date range')).toHaveValue('90')
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Features' })).toHaveAttribute('aria-current', 'page')

  const byFeature = await sql<{ feature: string; cost: string }>(
    `SELECT coalesce(nullif(feature, ''), '(no feature)') AS feature, round(sum(cost_usd), 6)::text AS cost
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 GROUP BY 1 ORDER BY sum(cost_usd) DESC NULLS LAST, 1`,
    [DEMO_LOGIN.slug],
  )
  expect(byFeature.length).toBeGreaterThan(1)
  const top = byFeature[0]
  // A run counts for the feature of its first event; cost per action = spend ÷ runs, 6 decimals.
  const [{ runs, per_action }] = await sql<{ runs: string; per_action: string }>(
    `WITH first AS (
       SELECT DISTINCT ON (run_id) run_id, coalesce(nullif(feature, ''), '(no feature)') AS feature
       FROM inference_events e JOIN organizations o ON o.id = e.org_id
       WHERE o.slug = $1 AND run_id IS NOT NULL ORDER BY run_id, timestamp, event_id)
     SELECT count(*)::text AS runs, round($3::numeric / count(*), 6)::text AS per_action FROM first WHERE feature = $2`,
    [DEMO_LOGIN.slug, top.feature, top.cost],
  )
  expect(Number(runs)).toBeGreaterThan(0)

  const table = page.getByTestId('features-table')
  const row = table.locator('tbody tr').first()
  await expect(row.getByRole('rowheader')).toHaveText(top.feature)
  await expect(row.locator('[data-cost]')).toHaveAttribute('data-cost', top.cost)
  await expect(row.locator('[data-cost]')).toHaveText(usd(top.cost))
  await expect(row.locator('[data-runs]')).toHaveAttribute('data-runs', runs)
  await expect(row.locator('[data-cost-per-action]')).toHaveAttribute('data-cost-per-action', per_action)
  await expect(table.locator('tbody tr')).toHaveCount(byFeature.length)

  const target = row.getByLabel(`Target USD per run for ${top.feature}`)
  const status = row.locator('[data-status]')

  // A value the API refuses: its message next to the field.
  await target.fill('abc')
  await target.press('Enter')
  await expect(row.getByRole('alert')).toHaveText(/must be a positive USD amount/)
  await expect(target).toHaveAttribute('aria-invalid', 'true')
  expect(consoleErrors).toEqual([expect.stringContaining('status of 400')])
  consoleErrors.splice(0) // the browser logs the expected 400 itself

  // Under the cost per action: breached (keyboard only: type, Enter).
  const below = (Number(per_action) / 2).toFixed(6)
  await target.fill(below)
  await target.press('Enter')
  await expect(status).toHaveAttribute('data-status', 'breached')
  await expect(status).toHaveText('breached')
  await expect(row.getByRole('alert')).toHaveCount(0)
  await expect(row.locator('[data-compliance]')).toBeVisible()
  const [saved] = await sql<{ t: string }>(
    `SELECT s.target_usd_per_action::text AS t FROM feature_slos s JOIN organizations o ON o.id = s.org_id WHERE o.slug = $1 AND s.feature = $2`,
    [DEMO_LOGIN.slug, top.feature],
  )
  expect(Number(saved.t)).toBe(Number(below))
  await expect(page.getByTestId('kpi-slo-breached')).toHaveText('1 of 1')

  // The CSV carries the target and status.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toMatch(/^features-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/)
  const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n')
  const header = lines[0].split(',')
  const first = lines[1].split(',')
  expect(first[0]).toBe(top.feature)
  expect(first[header.indexOf('spend_usd')]).toBe(top.cost)
  expect(first[header.indexOf('cost_per_action_usd')]).toBe(per_action)
  expect(first[header.indexOf('slo_status')]).toBe('breached')

  // The overview lists it: the main navigation keeps the range.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Overview' }).click()
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/overview?range=90`)
  await expect(page.getByRole('heading', { name: 'Overview', level: 1 })).toBeVisible()
  await expect(page.getByLabel('Date range')).toHaveValue('90')
  const breaches = page.getByTestId('slo-breaches')
  await expect(breaches).toContainText(top.feature)
  await expect(breaches.locator('[data-cost-per-action]')).toHaveAttribute('data-cost-per-action', per_action)
  await breaches.getByRole('link', { name: top.feature }).click()
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/features?range=90`)

  // Over the cost per action: within; the overview no longer lists it.
  const row2 = page.getByTestId('features-table').locator('tbody tr').first()
  const target2 = row2.getByLabel(`Target USD per run for ${top.feature}`)
  await expect.poll(async () => Number(await target2.inputValue())).toBe(Number(below))
  await target2.fill((Number(per_action) * 2).toFixed(6))
  await target2.press('Enter')
  await expect(row2.locator('[data-status]')).toHaveAttribute('data-status', 'within')
  await expect(page.getByTestId('kpi-slo-breached')).toHaveText('0 of 1')

  await page.goto(`/${DEMO_LOGIN.slug}/overview`)
  await page.getByLabel('Date range').selectOption('90')
  await expect(page.getByTestId('by-workflow')).toBeVisible()
  await expect(page.getByTestId('slo-breaches')).toHaveCount(0)

  // Remove it again: the demo is left as it was.
  await page.goto(`/${DEMO_LOGIN.slug}/features?range=90`)
  await page
    .getByTestId('features-table')
    .locator('tbody tr')
    .first()
    .getByRole('button', { name: `Remove the SLO of ${top.feature}` })
    .click()
  await expect(page.getByTestId('features-table').locator('tbody tr').first().locator('[data-status]')).toHaveAttribute('data-status', 'no_slo')
})

// A feature none of whose calls had a price: its spend is unknown, not $0, so its cost SLO is neither met nor
// missed — the page says "no priced calls" (it read "within" from the $0).
test('a feature with only unpriced calls shows no SLO status from its $0', async ({ page, request }) => {
  const stamp = Date.now()
  const email = `slo-unpriced-${stamp}@example.com`
  const { org_slug, api_key } = createOrg(`SLO unpriced ${stamp}`, email, 'slo-unpriced-password-1', ['ingest'])
  const now = new Date().toISOString()
  const call = (i: number) => ({
    id: `u${i}`,
    timestamp: now,
    workflow_id: 'reviews',
    run_id: `run-${i}`,
    step: 'classify',
    feature: 'sentiment',
    provider: 'acme',
    model: 'acme-tiny-2026-11-01',
    tokens_in: 500,
    tokens_out: 20,
  })
  const res = await request.post('/api/v1/events', { headers: { authorization: `Bearer ${api_key}` }, data: { events: [1, 2, 3].map(call) } })
  expect(res.status()).toBe(202)
  await apiSignIn(page.request, email, 'slo-unpriced-password-1')

  const row = page.getByTestId('features-table').locator('tbody tr[data-key="sentiment"]')
  await expect(async () => {
    await page.goto(`/${org_slug}/features`)
    await expect(row.locator('[data-runs]')).toHaveAttribute('data-runs', '3', { timeout: 5000 })
  }).toPass({ timeout: 60_000 })
  await expect(row.locator('[data-cost-per-action]')).toHaveAttribute('data-cost-per-action', '')

  const target = row.getByLabel('Target USD per run for sentiment')
  await target.fill('0.01')
  await target.press('Enter')
  const status = row.locator('[data-status]')
  await expect(status).toHaveAttribute('data-status', 'no_priced_calls')
  await expect(status).toHaveText('no priced calls')
  await expect(row.locator('[data-compliance]')).toHaveCount(0)
  await expect(page.getByTestId('kpi-slo-breached')).toHaveText('0 of 1')
})
