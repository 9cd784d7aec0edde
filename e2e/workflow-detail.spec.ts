import { readFile } from 'node:fs/promises'
import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN } from './fixtures'
import { bucketBounds, latencyBucket } from '../lib/metrics/latency'
import { pct, MIN_CALLS } from '../lib/metrics/views/latency-routing'
import { formatUsd } from '../lib/format'
import { usdPerUnit } from '../lib/cost/money'

// The workflow owner's check: from the list, the top workflow's page shows its
// spend, its steps' spend, calls and latency, and its retry spend as direct SQL
// on the events gives them; the steps CSV carries the same numbers.
test('a workflow’s detail page: steps, models, outcomes and latency equal SQL on its events', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/workflows?range=90`)
  const [top] = await sql<{ workflow: string; cost: string; runs: string }>(
    `SELECT workflow_id AS workflow, round(sum(cost_usd), 6)::text AS cost, count(DISTINCT run_id)::text AS runs
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 GROUP BY 1 ORDER BY sum(cost_usd) DESC NULLS LAST, 1 LIMIT 1`,
    [DEMO_LOGIN.slug],
  )
  await page.getByTestId('workflows-table').getByRole('link', { name: top.workflow, exact: true }).click()
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/workflows/${encodeURIComponent(top.workflow)}?range=90`)
  await expect(page.getByRole('heading', { name: `Workflow ${top.workflow}`, level: 1 })).toBeVisible()
  await expect(page.getByLabel('Date range')).toHaveValue('90')
  await expect(page.getByTestId('kpi-spend')).toHaveText(usd(top.cost))

  const steps = await sql<{ step: string; cost: string; calls: string; p50: number; p95: number }>(
    `SELECT step, round(sum(cost_usd), 6)::text AS cost, count(*)::text AS calls,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND workflow_id = $2 GROUP BY 1 ORDER BY sum(cost_usd) DESC NULLS LAST, 1`,
    [DEMO_LOGIN.slug, top.workflow],
  )
  const table = page.getByTestId('steps-table')
  await expect(table.locator('tbody tr')).toHaveCount(steps.length)
  const first = table.locator('tbody tr').first()
  await expect(first.getByRole('rowheader')).toHaveText(steps[0].step)
  await expect(first.locator('[data-cost]')).toHaveAttribute('data-cost', steps[0].cost)
  await expect(first.locator('[data-calls]')).toHaveAttribute('data-calls', steps[0].calls)
  // Latency quantiles come from the rollups' histograms: inside the bucket of the exact value.
  for (const q of ['p50', 'p95'] as const) {
    const shown = Number(await first.locator(`[data-${q}]`).getAttribute(`data-${q}`))
    const [lo, hi] = bucketBounds(latencyBucket(steps[0][q]))
    expect(shown, `${q}: exact ${steps[0][q]} ms`).toBeGreaterThanOrEqual(Math.floor(lo))
    expect(shown).toBeLessThanOrEqual(Math.ceil(hi))
  }
  await expect(page.getByTestId('kpi-latency')).not.toHaveText(/—/)

  // Spend per outcome: the demo's top workflow always has retries, fallbacks and escalations (a check that could skip is none).
  const outcomes = await sql<{ outcome: string; cost: string }>(
    `SELECT outcome, round(sum(cost_usd), 6)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND workflow_id = $2 AND outcome IN ('retry', 'fallback', 'escalation') GROUP BY 1 ORDER BY 1`,
    [DEMO_LOGIN.slug, top.workflow],
  )
  expect(outcomes.map((o) => o.outcome)).toEqual(['escalation', 'fallback', 'retry'])
  for (const o of outcomes) {
    expect(Number(o.cost), o.outcome).toBeGreaterThan(0)
    await expect(
      page
        .getByTestId('outcomes-table')
        .getByRole('row', { name: new RegExp(`^${o.outcome}`) })
        .locator('[data-cost]'),
    ).toHaveAttribute('data-cost', o.cost)
  }
  // Cost per accepted outcome: production cost (production environment and traffic) ÷ accepted outcomes, as SQL gives them.
  const [perOutcome] = await sql<{ cost: string; accepted: string }>(
    `SELECT (SELECT round(coalesce(sum(cost_usd), 0), 6)::text FROM inference_events e
              WHERE e.org_id = o.id AND workflow_id = $2 AND environment = 'production' AND traffic_source = 'production') AS cost,
            (SELECT count(*)::text FROM outcomes x WHERE x.org_id = o.id AND workflow_id = $2 AND accepted) AS accepted
     FROM organizations o WHERE o.slug = $1`,
    [DEMO_LOGIN.slug, top.workflow],
  )
  expect(Number(perOutcome.accepted)).toBeGreaterThan(0)
  await expect(page.getByTestId('kpi-cost-per-outcome')).toHaveText(formatUsd(usdPerUnit(perOutcome.cost, Number(perOutcome.accepted))!, { precise: true }))
  await expect(page.getByTestId('models-table').locator('tbody tr').first()).toBeVisible()
  await expect(page.getByRole('img', { name: `Spend per day of ${top.workflow}, stacked by step` })).toBeVisible()

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toMatch(new RegExp(`^workflow-${top.workflow}-steps-\\d{4}-\\d{2}-\\d{2}-\\d{4}-\\d{2}-\\d{2}\\.csv$`))
  const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n')
  const header = lines[0].split(',')
  const row = lines[1].split(',')
  expect(row[0]).toBe(steps[0].step)
  expect(row[header.indexOf('spend_usd')]).toBe(steps[0].cost)
  expect(row[header.indexOf('calls')]).toBe(steps[0].calls)
  expect(lines).toHaveLength(steps.length + 1)

  // The breadcrumb goes back to the list with the same range.
  await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Workflows' }).click()
  await expect(page).toHaveURL(`/${DEMO_LOGIN.slug}/workflows?range=90`)
})

// The on-call engineer's check: over the last 7 days, per hour, the workflow's
// latency sits beside its fallback and escalation rates; every hour's figures
// are SQL's on the events, and the sentence names the hour of the demo's
// Anthropic overload, when p95 hit the 30 s timeout and calls fell back.
test('a workflow’s latency beside its fallback and escalation rate, per hour, equals SQL on its events', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const [top] = await sql<{ workflow: string }>(
    `SELECT workflow_id AS workflow FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 GROUP BY 1 ORDER BY sum(cost_usd) DESC NULLS LAST, 1 LIMIT 1`,
    [DEMO_LOGIN.slug],
  )
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/${encodeURIComponent(top.workflow)}?range=7`)
  await expect(page.getByRole('img', { name: `Latency p50 and p95 of ${top.workflow} per hour, beside its fallback and escalation rates` })).toBeVisible()

  const table = page.getByTestId('latency-routing-table')
  await expect(table.locator('tbody tr').first()).toBeAttached()
  const shown = await table.locator('tbody tr').evaluateAll((trs) =>
    trs.map((tr) => {
      const d = (tr as HTMLElement).dataset
      return { bucket: d.bucket!, calls: Number(d.calls), fallbacks: Number(d.fallbacks), escalations: Number(d.escalations), p50: d.p50!, p95: d.p95! }
    }),
  )
  const from = shown[0].bucket
  const to = new Date(Date.parse(shown[shown.length - 1].bucket) + 3_600_000).toISOString()
  const hours = await sql<{ bucket: string; calls: number; fallbacks: number; escalations: number; p50: number | null; p95: number | null }>(
    `SELECT to_char(date_trunc('hour', e.timestamp AT TIME ZONE 'UTC'), 'YYYY-MM-DD"T"HH24:00:00.000"Z"') AS bucket, count(*)::int AS calls,
            count(*) FILTER (WHERE outcome = 'fallback')::int AS fallbacks, count(*) FILTER (WHERE outcome = 'escalation')::int AS escalations,
            percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND workflow_id = $2 AND e.timestamp >= $3 AND e.timestamp < $4 GROUP BY 1 ORDER BY 1`,
    [DEMO_LOGIN.slug, top.workflow, from, to],
  )
  expect(shown.map(({ bucket, calls, fallbacks, escalations }) => ({ bucket, calls, fallbacks, escalations }))).toEqual(
    hours.map(({ bucket, calls, fallbacks, escalations }) => ({ bucket, calls, fallbacks, escalations })),
  )
  // Latency quantiles come from the rollups' histograms: inside the bucket of the exact value, every hour.
  hours.forEach((h, i) => {
    for (const q of ['p50', 'p95'] as const) {
      const exact = h[q]
      if (exact === null) {
        expect(shown[i][q], `${h.bucket} ${q}`).toBe('')
        continue
      }
      const [lo, hi] = bucketBounds(latencyBucket(exact))
      expect(Number(shown[i][q]), `${h.bucket} ${q}: exact ${exact} ms`).toBeGreaterThanOrEqual(Math.floor(lo))
      expect(Number(shown[i][q]), `${h.bucket} ${q}: exact ${exact} ms`).toBeLessThanOrEqual(Math.ceil(hi))
    }
  })

  // The sentence names the hour of the highest p95 shown (among hours with enough calls): by SQL, the overload's, at the
  // 30 s timeout, and its share of calls that fell back.
  const story = page.getByTestId('latency-routing-story')
  await expect(story).toHaveAttribute('data-kind', /^(fallback|both)$/)
  const peakBucket = await story.getAttribute('data-peak')
  const highest = Math.max(...shown.filter((h) => h.calls >= MIN_CALLS && h.p95 !== '').map((h) => Number(h.p95)))
  expect(Number(shown.find((h) => h.bucket === peakBucket)?.p95)).toBe(highest)
  const peak = hours.find((h) => h.bucket === peakBucket)!
  expect(peak.p95).toBeGreaterThanOrEqual(30_000)
  await expect(story).toContainText(`when ${pct(peak.fallbacks / peak.calls)} of calls fell back`)
})

test('a workflow without spend says so and links back', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/no-such-workflow?range=7`)
  await expect(page.getByText('No spend for no-such-workflow in this period')).toBeVisible()
  await expect(page.getByRole('main').getByRole('link', { name: 'all workflows' })).toHaveAttribute('href', `/${DEMO_LOGIN.slug}/workflows?range=7`)
})

// "Did the new prompt change anything?" by version: the demo's support-agent/generate prompt v16 (the last 20
// hours) beside v15, its calls, spend and cached share as SQL on the events gives them.
test('the workflow page compares prompt versions: v16 after v15, against SQL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/support-agent?range=90`)
  const rows = await sql<{ version: string; calls: string; cost: string; cached: string; tokens_in: string; tokens_out: string }>(
    `SELECT prompt_version AS version, count(*)::text AS calls, round(sum(cost_usd), 6)::text AS cost, sum(cached_tokens_in)::text AS cached,
       sum(tokens_in)::text AS tokens_in, sum(tokens_out)::text AS tokens_out
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND workflow_id = 'support-agent' AND step = 'generate' AND prompt_version IN ('v15', 'v16') GROUP BY 1 ORDER BY 1`,
    [DEMO_LOGIN.slug],
  )
  expect(rows.map((r) => r.version)).toEqual(['v15', 'v16'])
  const table = page.getByTestId('prompt-versions-table')
  for (const r of rows) {
    const row = table.locator(`tr[data-step="generate"][data-version="${r.version}"]`)
    await expect(row).toHaveAttribute('data-cost', r.cost)
    await expect(row).toHaveAttribute('data-calls', r.calls)
    await expect(row).toHaveAttribute('data-tokens-out', r.tokens_out)
  }
  const share = (r: (typeof rows)[number]) => Number(r.cached) / Number(r.tokens_in)
  const [v15, v16] = rows
  expect(share(v16)).toBeLessThan(share(v15) - 0.2) // the cache stopped hitting
  const v16Row = table.locator('tr[data-step="generate"][data-version="v16"]')
  await expect(v16Row.getByRole('rowheader')).toContainText('after v15')
  await expect(v16Row.getByTestId('cached-share')).toContainText(`${(share(v16) * 100).toFixed(1)}%`)
  await expect(v16Row.getByTestId('cached-share')).toContainText(`−${Math.round((share(v15) - share(v16)) * 100)} pts`)
})
