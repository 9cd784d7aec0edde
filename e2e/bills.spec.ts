import { readFile } from 'node:fs/promises'
import { parse } from 'csv-parse/sync'
import { test, expect, apiSignIn, sql, DEMO_LOGIN } from './fixtures'

/** The demo's fine-tuned model with no price (UNPRICED in lib/bills/demo.ts). */
const FINE_TUNE = 'ft:gpt-4.1-mini-2025-04-14:demo-co:sentiment:B7x2kQ'

// Finance imports a bill on the Bills page and reads it against Outlay's figures on Reconciliation: the upload
// shows its import with the bill's total, and the bill's provider × model × day row carries the billed amount
// and what the events cost that day, both equal to SQL.
test('bills: upload a CSV, see the import, and a reconciliation row whose figures equal SQL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const day = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
  const next = new Date(Date.now()).toISOString().slice(0, 10)
  // A plain-named model of yesterday's events (no provider prefix, no dated suffix: compared as sent).
  const [pick] = await sql<{ provider: string; model: string }>(
    `SELECT e.provider, e.model FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.timestamp >= $2::date AND e.timestamp < $3::date AND e.cost_usd > 0
       AND e.provider IN ('openai', 'anthropic') AND e.model ~ '^[a-z][a-z0-9.-]*$' AND e.model !~ '-([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}|[0-9]{4})$'
     GROUP BY 1, 2 ORDER BY sum(e.cost_usd) DESC NULLS LAST LIMIT 1`,
    [DEMO_LOGIN.slug, day, next],
  )
  expect(pick, 'the demo has priced events yesterday').toBeTruthy()
  // What the events of that provider and model (any snapshot of it) cost that day: per model as sent, rounded to the micro-dollar.
  const [computed] = await sql<{ usd: string }>(
    `SELECT coalesce(sum(r), 0)::numeric(30, 6)::text AS usd FROM (
       SELECT round(sum(e.cost_usd), 6) AS r FROM inference_events e JOIN organizations o ON o.id = e.org_id
       WHERE o.slug = $1 AND e.timestamp >= $2::date AND e.timestamp < $3::date AND lower(e.provider) = $4
         AND regexp_replace(lower(e.model), '(-([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}|[0-9]{4}))+$', '') = $5
       GROUP BY e.provider, e.model) x`,
    [DEMO_LOGIN.slug, day, next, pick.provider, pick.model],
  )
  const billed = (Number(computed.usd) + 1.25).toFixed(6)
  const source = `e2e-bill-${Date.now()}`
  const csv = `date,provider,model,cost_usd,description\n${day},${pick.provider},${pick.model},${billed},the model's day\n${day},${pick.provider},${pick.model},oops,a bad line\n`

  await page.goto(`/${DEMO_LOGIN.slug}/reports/monthly`)
  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Bills' }).click()
  await expect(page.getByRole('heading', { name: 'Bills', level: 1 })).toBeVisible()
  await page.getByLabel('File').setInputFiles({ name: 'bill.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await page.getByLabel('Source').fill(source)
  await page.getByRole('button', { name: 'Import', exact: true }).click()
  const result = page.getByTestId('import-result')
  await expect(result).toContainText(`Imported “${source}” (Simple CSV): 1 line`)
  await expect(result).toContainText('1 refused')
  await expect(result).toContainText('cost_usd: must be a decimal number of USD')
  const [imported] = await sql<{ total: string }>(
    `SELECT (i.total_micros / 1000000.0)::numeric(30, 6)::text AS total FROM bill_imports i JOIN organizations o ON o.id = i.org_id WHERE o.slug = $1 AND i.source = $2`,
    [DEMO_LOGIN.slug, source],
  )
  expect(imported.total).toBe(billed)
  await expect(page.getByTestId(`bill-${source}`).getByTestId('bill-total')).toHaveAttribute('data-usd', billed)

  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Reconciliation' }).click()
  await expect(page.getByRole('heading', { name: 'Reconciliation', level: 1 })).toBeVisible()
  await page.getByLabel('From').fill(day)
  await page.getByLabel('To (exclusive)').fill(next)
  await page.getByRole('button', { name: 'Show' }).click()
  const row = page.locator(`[data-testid="reconciliation-row"][data-day="${day}"][data-provider="${pick.provider}"][data-model="${pick.model}"]`)
  // Every bill's lines of that day, provider and model (the demo's own bills are last month's: on the 1st they count too).
  const [onBills] = await sql<{ usd: string }>(
    `SELECT (sum(l.cost_micros) / 1000000.0)::numeric(30, 6)::text AS usd FROM bill_lines l JOIN organizations o ON o.id = l.org_id
     WHERE o.slug = $1 AND l.day = $2::date AND lower(l.provider) = $3 AND regexp_replace(lower(l.model), '(-([0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{8}|[0-9]{4}))+$', '') = $4`,
    [DEMO_LOGIN.slug, day, pick.provider, pick.model],
  )
  await expect(row.getByTestId('row-billed')).toHaveAttribute('data-usd', onBills.usd)
  await expect(row.getByTestId('row-computed')).toHaveAttribute('data-usd', computed.usd)
  const difference = (Number(onBills.usd) - Number(computed.usd)).toFixed(6)
  await expect(row.getByTestId('row-difference')).toHaveAttribute('data-usd', difference)
  await expect(row).toHaveAttribute('data-flagged', Math.abs(Number(difference)) > Number(onBills.usd) * 0.01 ? 'true' : 'false')
  await expect(page.getByTestId('total-billed')).not.toBeEmpty()

  // Clean up: the bill goes with its delete button (the demo's other specs read reconciliation-free figures).
  await page.getByRole('navigation', { name: 'Reports' }).getByRole('link', { name: 'Bills' }).click()
  const line = page.getByTestId(`bill-${source}`)
  await line.getByRole('button', { name: 'Delete' }).click()
  await line.getByRole('button', { name: 'Delete' }).click()
  await expect(line).toHaveCount(0)
})

// The demo's last-month bills tell their story: OpenAI raised gpt-4.1's price mid-month (flagged, billed above
// computed, the cause names the day and the percent), OpenAI bills a fine-tuned model Outlay has no price for, and
// Anthropic bills a model no event reports (unexplained spend); the figures are the bill lines' in SQL.
test('reconciliation: the demo bills flag a price change, an unpriced model and unreported traffic', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  // the month the demo billed: last month, or this month so far when the demo's days do not reach last month (lib/bills/demo.ts)
  const [bill] = await sql<{ source: string }>(
    `SELECT i.source FROM bill_imports i JOIN organizations o ON o.id = i.org_id WHERE o.slug = $1 AND i.source LIKE 'openai-%'`,
    [DEMO_LOGIN.slug],
  )
  expect(bill, 'the demo imports an OpenAI bill').toBeTruthy()
  const month = bill.source.slice('openai-'.length)
  const from = `${month}-01`
  const next = new Date(`${from}T00:00:00Z`)
  next.setUTCMonth(next.getUTCMonth() + 1)
  const to = next.toISOString().slice(0, 10)
  const billedOf = async (provider: string, model: string) =>
    (
      await sql<{ usd: string }>(
        `SELECT (sum(l.cost_micros) / 1000000.0)::numeric(30, 6)::text AS usd FROM bill_lines l JOIN organizations o ON o.id = l.org_id
         WHERE o.slug = $1 AND l.day >= $2::date AND l.day < $3::date AND l.provider = $4 AND regexp_replace(l.model, '-[0-9]{8}$', '') = $5`,
        [DEMO_LOGIN.slug, from, to, provider, model],
      )
    )[0].usd
  await page.goto(`/${DEMO_LOGIN.slug}/reports/reconciliation?from=${from}&to=${to}&granularity=month`)
  const row = (provider: string, model: string) =>
    page.locator(`[data-testid="reconciliation-row"][data-day="${from}"][data-provider="${provider}"][data-model="${model}"]`)
  const changed = row('openai', 'gpt-4.1')
  await expect(changed).toHaveAttribute('data-flagged', 'true')
  await expect(changed.getByTestId('row-billed')).toHaveAttribute('data-usd', await billedOf('openai', 'gpt-4.1'))
  expect(Number(await changed.getByTestId('row-difference').getAttribute('data-usd'))).toBeGreaterThan(0)
  await expect(changed.locator('[data-kind="price_change"]')).toContainText(/^the provider’s rate changed \+8\.0% from \d{4}-\d{2}-\d{2} /)
  const ft = row('openai', FINE_TUNE.toLowerCase())
  await expect(ft).toHaveAttribute('data-flagged', 'true')
  await expect(ft.getByTestId('row-computed')).toHaveAttribute('data-usd', '0.000000')
  const [unpriced] = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.model = $2 AND e.cost_usd IS NULL AND e.timestamp >= $3::date AND e.timestamp < $4::date`,
    [DEMO_LOGIN.slug, FINE_TUNE, from, to],
  )
  expect(unpriced.n).toBeGreaterThan(0)
  await expect(ft.locator('[data-kind="unpriced_events"]')).toHaveText(
    `${unpriced.n.toLocaleString('en-US')} events of ${FINE_TUNE.toLowerCase()} have no price in Outlay and count $0: add its price and they are re-priced`,
  )
  const unreported = row('anthropic', 'claude-3-5-haiku')
  await expect(unreported).toHaveAttribute('data-flagged', 'true')
  await expect(unreported.getByTestId('row-computed')).toHaveAttribute('data-usd', '0.000000')
  await expect(unreported.getByTestId('row-billed')).toHaveAttribute('data-usd', await billedOf('anthropic', 'claude-3-5-haiku'))
  await expect(unreported).toContainText('billed traffic Outlay never received')
  await expect(page.getByTestId('total-unexplained')).not.toHaveText('$0.00')

  // The page's range as FOCUS CSV: its BilledCost sums to SQL over the events (per provider × model × day, to the micro-dollar).
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Export FOCUS CSV' }).click()])
  expect(download.suggestedFilename()).toBe(`outlay-focus-${from}-${to}.csv`)
  const records = parse(await readFile(await download.path(), 'utf8'), { columns: true }) as Record<string, string>[]
  expect(records.length).toBeGreaterThan(0)
  expect(Object.keys(records[0]).slice(0, 5)).toEqual(['BilledCost', 'EffectiveCost', 'ListCost', 'ContractedCost', 'BillingCurrency'])
  const microsOf = (usd: string) => BigInt(usd.replace('.', ''))
  const [expected] = await sql<{ micros: string }>(
    `SELECT coalesce(sum(usd * 1000000), 0)::bigint::text AS micros FROM (
       SELECT round(coalesce(sum(e.cost_usd), 0), 6) AS usd FROM inference_events e JOIN organizations o ON o.id = e.org_id
       WHERE o.slug = $1 AND e.timestamp >= $2::date AND e.timestamp < $3::date GROUP BY (e.timestamp AT TIME ZONE 'UTC')::date, e.provider, e.model) g`,
    [DEMO_LOGIN.slug, from, to],
  )
  expect(records.reduce((s, r) => s + microsOf(r.BilledCost), 0n).toString()).toBe(expected.micros)
  expect(records.every((r) => r.BillingCurrency === 'USD' && r.ChargeCategory === 'Usage' && r.x_workflow_id !== undefined)).toBe(true)

  // A flagged row links to the model's price: the pricing page opens on openai/gpt-4.1, its catalog row highlighted
  // (not github-copilot's or openrouter's gpt-4.1, which the search also lists).
  await changed.getByRole('link', { name: 'gpt-4.1’s price' }).click()
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/pricing?model=openai%2Fgpt-4.1`)
  await expect(page.getByTestId('price-focus')).toContainText('openai/gpt-4.1')
  await expect(page.getByLabel('Search the catalog')).toHaveValue('gpt-4.1')
  await expect(page.getByTestId('catalog').locator('tr[data-focused]')).toHaveCount(1)
  await expect(page.getByTestId('catalog').locator('tr[data-focused]')).toContainText('openai/gpt-4.1')
})
