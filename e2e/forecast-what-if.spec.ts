import { formatUsd } from '../lib/format'
import { test, expect, apiSignIn, sql, DEMO_LOGIN, answerUnavailable } from './fixtures'
import { DAY_MS, HOUR_MS } from '../lib/domain'

// "What if the draft step ran on our negotiated model, and traffic grew 20% a
// month?": the step's 30 days of calls are priced on the target model from its
// token totals (checked against SQL on the events and the price), the scenario
// is drawn beside the baseline, and the what-if lives in the URL.

const precise = (n: number) => formatUsd(n, { precise: true })

test('forecast what-if: traffic growth and a step moved to another model, priced from its token profile', async ({ page, request, consoleErrors }) => {
  const stamp = Date.now()
  const email = `whatif-${stamp}@example.com`
  const { org_slug } = await (await request.post('/api/auth/signup', { data: { org_name: `What-if ${stamp}`, email, password: 'whatif-password-1' } })).json()
  await apiSignIn(page.request, email, 'whatif-password-1')
  const { key } = await (await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'ingest', scopes: ['ingest'] } })).json()
  // the target: a negotiated model with the organization's own price ($/Mtok: in 1, cached 0.1, out 4)
  expect(
    (
      await page.request.put(`/api/v1/prices?org=${org_slug}`, {
        data: {
          prices: [
            {
              provider: 'acme',
              model: 'tiny-model',
              effective_from: '2020-01-01T00:00:00Z',
              input_per_mtok: '1',
              cached_input_per_mtok: '0.1',
              output_per_mtok: '4',
            },
          ],
        },
      })
    ).status(),
  ).toBe(200)

  // 35 complete days: a draft step on gpt-4o-mini and a retrieve step, 3 runs a day
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())
  const events: Record<string, unknown>[] = []
  for (let d = 1; d <= 35; d++) {
    for (let i = 0; i < 3; i++) {
      const t = today - d * DAY_MS + HOUR_MS * (i + 2)
      events.push({
        id: `w-${d}-${i}-draft`,
        timestamp: new Date(t).toISOString(),
        workflow_id: 'support',
        step: 'draft',
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens_in: 200_000 + 1_000 * i,
        cached_tokens_in: 50_000,
        tokens_out: 2_000 + d,
      })
      events.push({
        id: `w-${d}-${i}-retrieve`,
        timestamp: new Date(t + 1000).toISOString(),
        workflow_id: 'support',
        step: 'retrieve',
        call_type: 'embedding',
        provider: 'openai',
        model: 'text-embedding-3-small',
        tokens_in: 5_000,
      })
    }
  }
  expect((await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events } })).status()).toBe(202)
  await expect(async () => {
    const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM rollups_hourly r JOIN organizations o ON o.id = r.org_id WHERE o.slug = $1`, [
      org_slug,
    ])
    const [{ e }] = await sql<{ e: number }>(
      `SELECT coalesce(sum(events), 0)::int AS e FROM rollups_hourly r JOIN organizations o ON o.id = r.org_id WHERE o.slug = $1`,
      [org_slug],
    )
    expect(n).toBeGreaterThan(0)
    expect(e).toBe(events.length)
  }).toPass({ timeout: 60_000 })

  await page.goto(`/${org_slug}/forecast`)
  await expect(page.getByRole('heading', { name: 'Forecast', level: 1 })).toBeVisible()
  await page.getByLabel('Traffic growth, % per month').fill('20')
  await page.getByLabel('Workflow').selectOption('support')
  await page.getByLabel('Step to move').selectOption('draft')
  await page.getByLabel('To model (provider/model)').fill('acme/tiny-model')
  await page.getByLabel('To model (provider/model)').press('Enter')
  await expect(page).toHaveURL(/growth_pct=20&move_workflow_id=support&move_step=draft&move_to=acme%2Ftiny-model/)

  // the window: the 30 complete days before today
  const [w] = await sql<{ calls: number; usd: string; fresh: string; cached: string; out: string }>(
    `SELECT count(*)::int AS calls, round(sum(cost_usd), 6)::text AS usd, sum(tokens_in - cached_tokens_in - cache_write_tokens)::text AS fresh,
            sum(cached_tokens_in)::text AS cached, sum(tokens_out)::text AS out
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.workflow_id = 'support' AND e.step = 'draft' AND e.timestamp >= $2 AND e.timestamp < $3`,
    [org_slug, new Date(today - 30 * DAY_MS).toISOString(), new Date(today).toISOString()],
  )
  expect(w.calls).toBe(90)
  // integer micro-dollars: fresh × $1 + cached × $0.10 + out × $4 per million tokens
  const targetMicros = BigInt(w.fresh) + BigInt(w.cached) / 10n + BigInt(w.out) * 4n
  const move = page.getByTestId('whatif-move')
  await expect(move).toContainText('90 production calls over the last 30 days')
  await expect(page.getByTestId('whatif-current-cost')).toHaveText(precise(Number(w.usd)))
  await expect(page.getByTestId('whatif-target-cost')).toHaveText(precise(Number(targetMicros) / 1e6))
  await expect(page.getByTestId('whatif-month')).toHaveText(/^\$\d/)
  await expect(page.getByText('Scenario: traffic +20% per month, and support / draft moved to acme/tiny-model.')).toBeVisible()
  await expect(page.getByRole('img', { name: /with the what-if scenario/ })).toBeVisible()
  await expect(page.locator('.recharts-legend-item', { hasText: 'What-if scenario' })).toBeVisible()

  // the what-if is in the URL: a reload (or a shared link) shows it again
  await page.reload()
  await expect(page.getByLabel('Traffic growth, % per month')).toHaveValue('20')
  await expect(page.getByLabel('Step to move')).toHaveValue('draft')
  await expect(page.getByTestId('whatif-target-cost')).toHaveText(precise(Number(targetMicros) / 1e6))

  // a model without a price: the field says so
  await page.getByLabel('To model (provider/model)').fill('nobody/nothing')
  await page.getByRole('button', { name: 'Apply' }).click()
  await expect(page.locator('#wi-model-error')).toHaveText(/nobody\/nothing has no price/)
  await expect(page.getByLabel('To model (provider/model)')).toHaveAttribute('aria-invalid', 'true')
  expect(consoleErrors).toEqual([expect.stringContaining('status of 400')])
  consoleErrors.splice(0) // the browser logs the expected 400 itself
  await page.getByRole('button', { name: 'Clear' }).click()
  await expect(page).not.toHaveURL(/move_to/)
  await expect(page.getByTestId('whatif-result')).toHaveCount(0)
})

// The form's choices come from two reads; when one fails the form says so instead of offering empty lists.
test('the what-if form says when it could not load its choices', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(
    page,
    (url) =>
      url.pathname === '/api/v1/metrics' && url.searchParams.get('group_by') === 'workflow_id,step' && url.searchParams.get('traffic_source') === 'production',
  )
  await page.goto(`/${DEMO_LOGIN.slug}/forecast`)
  await expect(page.getByRole('alert').filter({ hasText: 'Could not load the workflows and models to choose from: The database is unavailable' })).toBeVisible({
    timeout: 15_000,
  })
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})
