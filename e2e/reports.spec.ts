import { readFile } from 'node:fs/promises'
import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN } from './fixtures'

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
  await expect(page.getByRole('heading', { name: /^Monthly report: / , level: 1 })).toBeVisible()
  if (!current) await page.goto(`/${DEMO_LOGIN.slug}/reports/monthly?month=${month}`)

  const [total] = await sql<{ usd: string; prod: string; n: number }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS usd, count(*)::int AS n,
            round(coalesce(sum(cost_usd) FILTER (WHERE traffic_source = 'production' AND environment = 'production'), 0), 6)::text AS prod
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '1 month')`, [DEMO_LOGIN.slug, monthStart])
  expect(total.n).toBeGreaterThan(0)
  await expect(page.getByTestId('report-total')).toHaveText(usd(total.usd))
  await expect(page.getByTestId('report-production')).toHaveText(usd(total.prod))
  if (current) await expect(page.getByTestId('report-forecast')).toHaveText(/^\$\d|—/)

  const byWorkflow = await sql<{ workflow: string; usd: string }>(
    `SELECT workflow_id AS workflow, round(sum(cost_usd), 6)::text AS usd FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '1 month') GROUP BY 1`, [DEMO_LOGIN.slug, monthStart])
  const section = page.getByTestId('report-workflow_id')
  for (const w of byWorkflow) await expect(section.locator(`tr[data-key="${w.workflow}"] [data-cost]`)).toHaveAttribute('data-cost', w.usd)
  await expect(section.locator('tbody tr')).toHaveCount(byWorkflow.length)
  // traffic sources: eval is a line item of its own
  const [evalSpend] = await sql<{ usd: string }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS usd FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND traffic_source = 'eval' AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '1 month')`, [DEMO_LOGIN.slug, monthStart])
  await expect(page.getByTestId('report-traffic_source').locator('tr[data-key="eval"] [data-cost]')).toHaveText(usd(evalSpend.usd))
  // scenarios: each scenario_id of the month, and the workflows' calls without one under the workflow
  const scenarios = await sql<{ scenario: string; usd: string }>(
    `SELECT coalesce(scenario_id, workflow_id) AS scenario, round(sum(cost_usd), 6)::text AS usd FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '1 month') GROUP BY 1`, [DEMO_LOGIN.slug, monthStart])
  for (const sc of scenarios) await expect(page.getByTestId('report-scenario').locator(`tr[data-key="${sc.scenario}"] [data-cost]`)).toHaveAttribute('data-cost', sc.usd)

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
  await expect(page.getByTestId('audit-flagged')).toHaveText('1')

  // the production sample, in SQL: each day's share of 100 by largest remainder of its calls, that day's calls from its start instant
  // (day + md5(quarter|workflow|side|date) mod 24 h) on in time order, then from midnight
  const qStart = new Date(Date.UTC(now.getUTCFullYear(), Math.floor(now.getUTCMonth() / 3) * 3, 1)).toISOString()
  const [{ mean, n }] = await sql<{ mean: string; n: number }>(
    `WITH raw AS (
       SELECT e.event_id, e.cost_usd, e.timestamp, date_trunc('day', e.timestamp AT TIME ZONE 'UTC') AS day
       FROM inference_events e JOIN organizations o ON o.id = e.org_id
       WHERE o.slug = $1 AND e.workflow_id = 'email-drafter' AND e.traffic_source = 'production' AND e.environment = 'production' AND e.cost_usd IS NOT NULL
         AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '3 months')),
     calls AS (
       SELECT r.*, row_number() OVER (PARTITION BY r.day ORDER BY r.timestamp < r.start, r.timestamp, r.event_id) AS pos
       FROM (SELECT raw.*, (day AT TIME ZONE 'UTC') + make_interval(secs => (('x' || substr(md5($3 || '|email-drafter|production|' || to_char(day, 'YYYY-MM-DD')), 1, 8))::bit(32)::bigint % 86400000) / 1000.0) AS start
             FROM raw) r),
     days AS (SELECT day, count(*) AS c, (sum(count(*)) OVER ())::bigint AS total FROM calls GROUP BY day),
     base AS (SELECT day, (c * 100) / total AS n, (c * 100) % total AS rem FROM days),
     shares AS (SELECT day, n + CASE WHEN row_number() OVER (ORDER BY rem DESC, day) <= 100 - sum(n) OVER () THEN 1 ELSE 0 END AS n FROM base)
     SELECT round(avg(c.cost_usd), 6)::text AS mean, count(*)::int AS n FROM calls c JOIN shares s ON s.day = c.day WHERE c.pos <= s.n`, [DEMO_LOGIN.slug, qStart, quarter])
  expect(n).toBe(100)
  await expect(row.locator('[data-prod-mean]')).toHaveAttribute('data-prod-mean', mean)
  const precise = Number(mean).toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: Number(mean) < 0.01 ? 6 : 4 })
  await expect(row.locator('[data-prod-mean]')).toHaveText(precise)

  const evidence = page.getByTestId('audit-evidence-email-drafter')
  await expect(evidence).toContainText(/Production costs \d+(\.\d)?× more per call than eval/)
  await evidence.getByText(/The sampled calls/).click()
  await expect(evidence.locator('details table').first().locator('tbody tr')).toHaveCount(15)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toBe(`outlay-audit-${quarter}.csv`)
  const csv = await readFile(await download.path(), 'utf8')
  expect(csv).toContain(`${quarter},email-drafter,flagged,`)
})

test('reports of one organization are not visible to another, by page, session or key', async ({ page, request, consoleErrors }) => {
  const email = `reports-other-${Date.now()}@example.com`
  const { org_slug } = await (await request.post('/api/auth/signup', { data: { org_name: `Reports other ${Date.now()}`, email, password: 'another-password-1' } })).json()
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
