import { formatUsd } from '../lib/format'
import { readFile } from 'node:fs/promises'
import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN, paidCapacitySql, lineItemsSql, microsApart } from './fixtures'
import { expectedAuditSample } from '../lib/testing/audit-sample'

// Finance's month end: the monthly report of the demo organization equals SQL
// on its events, exports the same figures as CSV and prints without the
// navigation; the quarterly audit flags the workflow whose eval calls cost far
// less than its production calls, with the sample's mean checked against SQL.

// the month and quarter of a week ago: the 14 demo days always give them a week of data, even on the 1st
const ref = new Date(Date.now() - 7 * 86_400_000)
const month = ref.toISOString().slice(0, 7)
const current = month === new Date().toISOString().slice(0, 7)
const monthStart = `${month}-01T00:00:00Z`

test('monthly report: totals and every workflow from the books, CSV, print', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/overview`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Reports' }).click()
  await expect(page).toHaveURL(new RegExp(`/${DEMO_LOGIN.slug}/reports/monthly$`))
  await expect(page.getByRole('heading', { name: /^Monthly report: /, level: 1 })).toBeVisible()
  if (!current) await page.goto(`/${DEMO_LOGIN.slug}/reports/monthly?month=${month}`)

  const [total] = await sql<{ usd: string; prod: string; n: number }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS usd, count(*)::int AS n,
            round(coalesce(sum(cost_usd) FILTER (WHERE traffic_source = 'production' AND environment = 'production'), 0), 6)::text AS prod
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '1 month')`,
    [DEMO_LOGIN.slug, monthStart],
  )
  expect(total.n).toBeGreaterThan(0)
  await expect(page.getByTestId('report-total')).toHaveText(usd(total.usd))
  await expect(page.getByTestId('report-production')).toHaveText(usd(total.prod))
  if (current) await expect(page.getByTestId('report-forecast')).toHaveText(/^\$\d|—/)

  const byWorkflow = await sql<{ workflow: string; usd: string }>(
    `SELECT workflow_id AS workflow, round(coalesce(sum(cost_usd), 0), 6)::text AS usd FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '1 month') GROUP BY 1`,
    [DEMO_LOGIN.slug, monthStart],
  )
  const section = page.getByTestId('report-workflow_id')
  for (const w of byWorkflow) await expect(section.locator(`tr[data-key="${w.workflow}"] [data-cost]`)).toHaveAttribute('data-cost', w.usd)
  await expect(section.locator('tbody tr')).toHaveCount(byWorkflow.length)
  // traffic sources: eval is a line item of its own
  const [evalSpend] = await sql<{ usd: string }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS usd FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND traffic_source = 'eval' AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '1 month')`,
    [DEMO_LOGIN.slug, monthStart],
  )
  await expect(page.getByTestId('report-traffic_source').locator('tr[data-key="eval"] [data-cost]')).toHaveText(usd(evalSpend.usd))
  // scenarios: each scenario_id of the month, and the workflows' calls without one under the workflow
  const scenarios = await sql<{ scenario: string; usd: string }>(
    `SELECT coalesce(scenario_id, workflow_id) AS scenario, round(coalesce(sum(cost_usd), 0), 6)::text AS usd FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '1 month') GROUP BY 1`,
    [DEMO_LOGIN.slug, monthStart],
  )
  for (const sc of scenarios)
    await expect(page.getByTestId('report-scenario').locator(`tr[data-key="${sc.scenario}"] [data-cost]`)).toHaveAttribute('data-cost', sc.usd)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toBe(`outlay-monthly-${month}.csv`)
  const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n')
  expect(lines[0]).toBe('month,section,key,key_from,cost_usd,events,share,previous_month,previous_cost_usd,previous_events,change_usd')
  expect(lines.find((l) => l.startsWith(`${month},total,`))).toContain(`,${total.usd},${total.n},`)

  // the month picker is a plain form: keyboard and URL
  await page.getByLabel('Month', { exact: true }).fill('2026-01')
  await page.getByLabel('Month', { exact: true }).press('Enter')
  await expect(page).toHaveURL(/month=2026-01/)
  await expect(page.getByRole('heading', { name: 'Monthly report: January 2026', level: 1 })).toBeVisible()
  await expect(page.getByText(/No spend recorded in January 2026/)).toBeVisible()

  // print: no navigation, no controls
  await page.goto(`/${DEMO_LOGIN.slug}/reports/monthly?month=${month}`)
  await page.emulateMedia({ media: 'print' })
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
  await expect(page.getByRole('button', { name: 'Print' })).toBeHidden()
  await expect(page.getByTestId('report-total')).toBeVisible()
  const pdf = await page.pdf({ format: 'A4', printBackground: true })
  expect(pdf.subarray(0, 5).toString()).toBe('%PDF-')
})

test('monthly report: the whole bill part by part against SQL and Scenario cost; scenarios both ways', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const q = `?org=${DEMO_LOGIN.slug}&month=${month}`
  const monthEnd = new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth() + 1, 1)).toISOString()
  // a running month's capacity grows by the second: read the books before and after the page, the page lies between
  const before = new Date().toISOString()
  const scBefore = await (await page.request.get(`/api/v1/scenarios/cost${q}`)).json()
  const gpuBefore = await paidCapacitySql(DEMO_LOGIN.slug, `${month}-01T00:00:00Z`, current ? before : monthEnd)
  await page.goto(`/${DEMO_LOGIN.slug}/reports/monthly?month=${month}`)
  const bill = page.getByTestId('report-bill')
  await expect(bill).toBeVisible()
  const after = new Date().toISOString()
  const scAfter = await (await page.request.get(`/api/v1/scenarios/cost${q}`)).json()
  const gpuAfter = await paidCapacitySql(DEMO_LOGIN.slug, `${month}-01T00:00:00Z`, current ? after : monthEnd)
  const cell = async (part: string) => (await bill.locator(`tr[data-part="${part}"] [data-cost]`).getAttribute('data-cost'))!
  const m = (x: string) => BigInt(Math.round(Number(x) * 1e6))
  const within = (v: string, lo: string, hi: string, slack: bigint) => m(v) >= m(lo) - slack && m(v) <= m(hi) + slack

  const gpu = await cell('gpu_capacity_usd')
  expect(gpuBefore.pools).toBeGreaterThan(0)
  expect(within(gpu, gpuBefore.usd, gpuAfter.usd, BigInt(gpuBefore.pools))).toBe(true)
  expect(await cell('line_items_usd')).toBe(await lineItemsSql(DEMO_LOGIN.slug, month))
  const total = await cell('total_usd')
  expect(m(total)).toBe(m(await cell('api_inference_usd')) + m(gpu) + m(await cell('line_items_usd')))
  // the total is Scenario cost's total for the month (for a running month: between the two reads around the page)
  if (current) expect(within(total, scBefore.total_usd, scAfter.total_usd, 0n)).toBe(true)
  else expect(total).toBe(scAfter.total_usd)
  // API inference: the month's calls (the report's own total, SQL above) less the GPU time they used on the fleet's pools
  const [calls] = await sql<{ usd: string; used: string }>(
    `SELECT round(coalesce(sum(e.cost_usd), 0), 6)::text AS usd,
            round(coalesce(sum(e.gpu_seconds * pr.gpu_hour_usd / 3600) FILTER (WHERE p.id IS NOT NULL), 0), 6)::text AS used
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     LEFT JOIN gpu_pools p ON p.org_id = e.org_id AND p.name = e.gpu_pool
     LEFT JOIN LATERAL (SELECT gpu_hour_usd FROM gpu_pool_prices x WHERE x.org_id = e.org_id AND x.pool = e.gpu_pool AND x.effective_from <= e.timestamp
                        ORDER BY x.effective_from DESC LIMIT 1) pr ON true
     WHERE o.slug = $1 AND e.timestamp >= $2::timestamptz AND e.timestamp < $3::timestamptz`,
    [DEMO_LOGIN.slug, `${month}-01T00:00:00Z`, current ? after : monthEnd],
  )
  // Scenario cost rounds each scenario's part once: a few micro-dollars per scenario apart from one SQL rounding at most
  const slack = BigInt(3 * scAfter.scenarios.length + 3)
  if (!current) expect(microsApart(await cell('api_inference_usd'), String(Number(calls.usd) - Number(calls.used)))).toBeLessThanOrEqual(slack)

  // each scenario both ways, named: API cost (its calls) and fully loaded (Scenario cost's total)
  const rows = page.getByTestId('report-scenarios')
  await expect(rows.getByRole('columnheader', { name: 'API cost', exact: true })).toBeVisible()
  await expect(rows.getByRole('columnheader', { name: 'Fully loaded cost', exact: true })).toBeVisible()
  for (const s of scAfter.scenarios.slice(0, 5)) {
    const row = rows.locator(`tr[data-scenario="${s.scenario}"]`)
    const loaded = (await row.locator('[data-loaded]').getAttribute('data-loaded'))!
    const before = scBefore.scenarios.find((x: { scenario: string }) => x.scenario === s.scenario)
    if (current) expect(within(loaded, before?.total_usd ?? '0', s.total_usd, 0n)).toBe(true)
    else expect(loaded).toBe(s.total_usd)
    // the API cost is the scenario section's calls-only rows (a scenario_id and a workflow of the same name are one scenario),
    // each rounded once where Scenario cost rounds each of its three call parts: a micro-dollar or two apart at most
    const api = (await row.locator('[data-api]').getAttribute('data-api'))!
    const lines = await page
      .getByTestId('report-scenario')
      .locator(`tr[data-key="${s.scenario}"] [data-cost]`)
      .evaluateAll((xs) => xs.map((x) => x.getAttribute('data-cost')!))
    expect(microsApart(api, String(lines.reduce((a, x) => a + Number(x), 0)))).toBeLessThanOrEqual(3n)
  }
  // production is defined once and stated on hover
  await expect(page.locator('abbr[title^="Production: calls with traffic_source production in the production environment"]').first()).toBeVisible()
})

test('quarterly audit: the workflow whose eval costs far less than production is flagged, its sample mean equals SQL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/reports/monthly?month=${month}`)
  await page.getByRole('link', { name: 'Quarterly audit' }).click()
  const now = ref
  const quarter = `${now.getUTCFullYear()}-Q${Math.floor(now.getUTCMonth() / 3) + 1}`
  await expect(page).toHaveURL(new RegExp(`reports/audit\\?quarter=${quarter}`))
  await expect(page.getByRole('heading', { name: `Quarterly audit: ${quarter.replace('-', ' ')}`, level: 1 })).toBeVisible()

  const row = page.getByTestId('audit-table').locator('tr[data-workflow="email-drafter"]')
  await expect(row).toHaveAttribute('data-status', 'flagged')
  await expect(page.getByTestId('audit-table').locator('tr[data-workflow="support-agent"]')).toHaveAttribute('data-status', 'within')
  // the count says how many rows are flagged (kb-search's self-hosted sample sits near the 2× limit: 1 or 2 by the hour)
  const flaggedRows = await page.getByTestId('audit-table').locator('tr[data-status="flagged"]').count()
  expect(flaggedRows).toBeGreaterThanOrEqual(1)
  await expect(page.getByTestId('audit-flagged')).toHaveText(String(flaggedRows))

  // the production sample recomputed from the events (SQL; lib/testing/audit-sample.ts): each day's share of 100 by largest remainder
  // of its calls, spread over its hours as the calls are, each hour's calls taken from its md5 instant after an md5 skip
  const qStart = Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1)
  const [{ id: orgId }] = await sql<{ id: string }>('SELECT id FROM organizations WHERE slug = $1', [DEMO_LOGIN.slug])
  const ids = await expectedAuditSample((text, params) => sql(text, params), {
    orgId,
    workflow: 'email-drafter',
    side: 'production',
    quarter,
    from: new Date(qStart),
    to: new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3 + 3, 1)),
  })
  const [{ mean, n }] = await sql<{ mean: string; n: number }>(
    `SELECT round(avg(cost_usd), 6)::text AS mean, count(*)::int AS n FROM inference_events WHERE org_id = $1 AND event_id = ANY($2)`,
    [orgId, ids],
  )
  expect(n).toBe(100)
  await expect(row.locator('[data-prod-mean]')).toHaveAttribute('data-prod-mean', mean)
  const precise = formatUsd(mean, { precise: true })
  await expect(row.locator('[data-prod-mean]')).toHaveText(precise)

  const evidence = page.getByTestId('audit-evidence-email-drafter')
  await expect(evidence).toContainText(/Production costs \d[\d,]*(\.\d)?× more per call than eval/)
  await evidence.getByText(/The sampled calls/).click()
  await expect(evidence.locator('details table').first().locator('tbody tr')).toHaveCount(15)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toBe(`outlay-audit-${quarter}.csv`)
  const csv = await readFile(await download.path(), 'utf8')
  expect(csv).toContain(`${quarter},email-drafter,flagged,`)
})

test('reports of one organization are not visible to another, by page, session or key', async ({ page, request, consoleErrors }) => {
  const email = `reports-other-${Date.now()}@example.com`
  const { org_slug } = await (
    await request.post('/api/auth/signup', { data: { org_name: `Reports other ${Date.now()}`, email, password: 'another-password-1' } })
  ).json()
  await apiSignIn(page.request, email, 'another-password-1')
  for (const path of ['reports/monthly', 'reports/audit']) {
    expect((await page.goto(`/${DEMO_LOGIN.slug}/${path}`))?.status()).toBe(404)
  }
  consoleErrors.splice(0) // the browser logs the expected 404s itself
  expect((await page.request.get(`/api/v1/reports/monthly?org=${DEMO_LOGIN.slug}`)).status()).toBe(403)
  expect((await page.request.get(`/api/v1/reports/audit?org=${DEMO_LOGIN.slug}`)).status()).toBe(403)
  const { key } = await (await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'reader', scopes: ['read'] } })).json()
  const monthly = await (await request.get('/api/v1/reports/monthly', { headers: { authorization: `Bearer ${key}` } })).json()
  expect(monthly.total).toMatchObject({ cost_usd: '0.000000', events: 0 })
  expect(monthly.sections.every((s: { rows: unknown[] }) => s.rows.length === 0)).toBe(true)
  const audit = await (await request.get('/api/v1/reports/audit', { headers: { authorization: `Bearer ${key}` } })).json()
  expect(audit.workflows).toEqual([])
  // the empty state says what to do
  await page.goto(`/${org_slug}/reports/audit`)
  await expect(page.getByText(/No priced production or eval calls in \d{4}-Q\d/)).toBeVisible()
})
