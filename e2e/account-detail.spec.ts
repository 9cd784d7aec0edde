import { readFile } from 'node:fs/promises'
import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN, answerUnavailable } from './fixtures'

// Customer success's check: the demo's globex integration embeds every query
// twice; its account page says so, with the calls per run SQL gives, and its
// spend equals SQL on its events.
test('an account’s detail page flags a step it calls twice per run, against SQL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/accounts?range=90`)
  await page.getByTestId('accounts-table').getByRole('link', { name: 'globex', exact: true }).click()
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/accounts/globex?range=90`)
  await expect(page.getByRole('heading', { name: 'Account globex', level: 1 })).toBeVisible()

  const [spend] = await sql<{ cost: string }>(
    `SELECT round(sum(cost_usd), 6)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND account_id = 'globex'`,
    [DEMO_LOGIN.slug],
  )
  await expect(page.getByTestId('kpi-spend')).toHaveText(usd(spend.cost))
  // its share of every account's spend, from the organization's spend per step summed
  const [all] = await sql<{ cost: string }>(
    `SELECT round(sum(cost_usd), 6)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1`,
    [DEMO_LOGIN.slug],
  )
  await expect(page.getByTestId('kpi-share')).toHaveText(`${((Number(spend.cost) / Number(all.cost)) * 100).toFixed(1)}%`)
  await expect(page.getByText(`of ${usd(all.cost)} for every account`)).toBeVisible()

  // Its spend by traffic source and by environment (one read by both, summed per column on the page), against SQL
  for (const [dim, testId] of [
    ['traffic_source', 'split-traffic-source'],
    ['environment', 'split-environment'],
  ] as const) {
    const split = await sql<{ k: string; cost: string; calls: string }>(
      `SELECT coalesce(${dim}, '(none)') AS k, round(sum(cost_usd), 6)::text AS cost, count(*)::text AS calls
       FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND account_id = 'globex' GROUP BY 1`,
      [DEMO_LOGIN.slug],
    )
    expect(split.length).toBeGreaterThan(0)
    await expect(page.getByTestId(testId).locator('tbody tr')).toHaveCount(split.length)
    for (const x of split) {
      const row = page.getByTestId(testId).locator(`tr[data-key="${x.k}"]`)
      await expect(row.locator('td').last()).toHaveText(Number(x.calls).toLocaleString('en-US'))
      // the page sums its rows' micro-dollars: within a micro-dollar per environment of the SQL sum
      const cost = Number(await row.locator('td[data-cost]').getAttribute('data-cost'))
      expect(Math.abs(cost - Number(x.cost))).toBeLessThanOrEqual(0.00001)
    }
  }

  const [retrieve] = await sql<{ calls: string; runs: string }>(
    `SELECT count(*) FILTER (WHERE step = 'retrieve')::text AS calls, count(DISTINCT run_id)::text AS runs
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND account_id = 'globex' AND workflow_id = 'support-agent'`,
    [DEMO_LOGIN.slug],
  )
  const perRun = (Number(retrieve.calls) / Number(retrieve.runs)).toFixed(2)
  expect(Number(perRun)).toBeGreaterThan(1.5)
  await expect(page.getByTestId('anomalies')).toContainText(`support-agent / retrieve: ${perRun} calls per run`)
  const row = page.getByTestId('account-steps-table').getByRole('row', { name: /support-agent \/ retrieve/ })
  await expect(row).toHaveAttribute('data-flagged', 'true')
  await expect(row.locator('[data-calls-per-run]')).toHaveAttribute('data-calls-per-run', perRun)
  await expect(row.locator('[data-calls]')).toHaveAttribute('data-calls', retrieve.calls)
  // the median account's calls per run at that step (GET /api/v1/metrics/step-medians), against SQL on every account's events
  const [median] = await sql<{ median: number; accounts: string }>(
    `WITH per AS (
       SELECT account_id, count(*) FILTER (WHERE step = 'retrieve') AS calls, count(DISTINCT run_id) AS runs
       FROM inference_events e JOIN organizations o ON o.id = e.org_id
       WHERE o.slug = $1 AND workflow_id = 'support-agent' AND account_id IS NOT NULL GROUP BY account_id)
     SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY calls::float8 / runs) AS median, count(*)::text AS accounts FROM per WHERE calls > 0`,
    [DEMO_LOGIN.slug],
  )
  expect(Number(median.accounts)).toBeGreaterThan(3)
  await expect(row.locator('[data-median]')).toHaveAttribute('data-median', median.median.toFixed(2))
  await expect(row.locator('[data-median]')).toHaveAttribute('data-peers', median.accounts)
  // one flag only: the other steps of globex behave like everyone's
  await expect(page.getByTestId('account-steps-table').locator('tr[data-flagged]')).toHaveCount(1)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n')
  const header = lines[0].split(',')
  const flagged = lines
    .slice(1)
    .map((l) => l.split(','))
    .filter((c) => c[header.indexOf('flagged')] === 'yes')
  expect(flagged).toHaveLength(1)
  expect(flagged[0].slice(0, 3)).toEqual(['support-agent', 'retrieve', retrieve.calls])
  expect(flagged[0][header.indexOf('calls_per_run')]).toBe(perRun)

  // Its workflow links to the workflow's page, same range.
  await row.getByRole('link', { name: 'support-agent' }).click()
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/workflows/support-agent?range=90`)
  await expect(page.getByRole('heading', { name: 'Workflow support-agent', level: 1 })).toBeVisible()
})

// Per end-user cost: the demo's acme-corp sync service user carries 30% of the account's runs for a week; the
// account page lists it first, flagged above the account's median user, with the spend SQL gives.
test('an account’s page lists its top end users and flags one far above the median, against SQL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/accounts/acme-corp?range=90`)
  const users = await sql<{ user_id: string; cost: string }>(
    `SELECT user_id, round(sum(cost_usd), 6)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND account_id = 'acme-corp' AND user_id IS NOT NULL GROUP BY 1 ORDER BY sum(cost_usd) DESC NULLS LAST, 1`,
    [DEMO_LOGIN.slug],
  )
  const costs = users.map((u) => Number(u.cost)).sort((a, b) => a - b)
  const median = costs[Math.floor((costs.length - 1) / 2)]
  expect(users[0].user_id).toBe('svc-acme-sync')
  expect(Number(users[0].cost)).toBeGreaterThan(20 * median)
  const table = page.getByTestId('end-users-table')
  const first = table.locator('tbody tr').first()
  await expect(first).toHaveAttribute('data-user', 'svc-acme-sync')
  await expect(first).toHaveAttribute('data-cost', users[0].cost)
  await expect(first).toHaveAttribute('data-flagged', 'true')
  await expect(table.locator('tbody tr[data-flagged]')).toHaveCount(1)
  await expect(page.getByTestId('end-users-flagged')).toContainText('svc-acme-sync')

  // the organization's top users, on the accounts page
  await page.goto(`/${DEMO_LOGIN.slug}/accounts?range=90`)
  const [top] = await sql<{ user_id: string; cost: string }>(
    `SELECT user_id, round(sum(cost_usd), 6)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND user_id IS NOT NULL GROUP BY coalesce(account_id, ''), user_id ORDER BY sum(cost_usd) DESC NULLS LAST, 1 LIMIT 1`,
    [DEMO_LOGIN.slug],
  )
  await expect(page.getByTestId('end-users-table').locator('tbody tr').first()).toHaveAttribute('data-cost', top.cost)
})

// A failed read says so in its card instead of loading forever, and the rest of the page still answers.
test('the traffic split card says when its read failed', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(page, (url) => url.pathname === '/api/v1/metrics' && url.searchParams.get('group_by') === 'traffic_source,environment')
  await page.goto(`/${DEMO_LOGIN.slug}/accounts/globex?range=90`)
  await expect(page.getByRole('alert').filter({ hasText: 'Could not load the split: The database is unavailable' })).toBeVisible({ timeout: 15_000 })
  await expect(page.getByTestId('split-traffic-source')).toHaveCount(0)
  await expect(page.getByTestId('kpi-spend')).not.toBeEmpty()
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})
