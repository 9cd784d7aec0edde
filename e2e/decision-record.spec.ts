import { formatUsd } from '../lib/format'
import { test, expect, apiSignIn, createOrg, sql, DEMO_LOGIN, answerUnavailable } from './fixtures'

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
  const rows = page.getByTestId('served-options').locator('tr')
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

/** Micro-dollars of a call at a price in USD per million tokens, each rate in tenths of a dollar (0.4 → 4): Σ tokens × rate ÷ 10, half up. */
const callMicros = (parts: [tokens: number, tenths: number][]) => {
  const sum = parts.reduce((s, [t, p]) => s + BigInt(t) * BigInt(p), 0n)
  const m = (sum + 5n) / 10n
  return `${m / 1_000_000n}.${String(m % 1_000_000n).padStart(6, '0')}`
}

// Issue 19: the demo's email-drafter/draft has eval results for a model that never served it (gpt-4.1-mini): it is
// an option row "not served (eval only)", priced at the catalog's price with the step's average call (SQL).
test('a decision record lists the eval candidate that never served the step, priced with the step’s token profile', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const never = await sql<{ model: string }>(
    `SELECT DISTINCT v.provider || '/' || v.model AS model FROM eval_results v JOIN organizations o ON o.id = v.org_id
     WHERE o.slug = $1 AND v.workflow_id = 'email-drafter' AND v.step = 'draft'
       AND NOT EXISTS (SELECT 1 FROM inference_events e WHERE e.org_id = v.org_id AND e.workflow_id = v.workflow_id AND e.step = v.step
                       AND e.provider = v.provider AND e.model = v.model)
     ORDER BY 1`,
    [DEMO_LOGIN.slug],
  )
  expect(never.map((x) => x.model)).toEqual(['openai/gpt-4.1-mini'])
  // the step's average call (every call of the 14 seeded days: all inside the page's 90 days), no price of the demo's own
  const [p] = await sql<{ tin: number; cached: number; writes: number; tout: number; own: number }>(
    `SELECT round(avg(tokens_in))::int AS tin, round(avg(cached_tokens_in))::int AS cached, round(avg(cache_write_tokens))::int AS writes,
            round(avg(tokens_out))::int AS tout,
            (SELECT count(*)::int FROM prices x WHERE x.org_id = o.id AND x.model = 'gpt-4.1-mini') AS own
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND e.workflow_id = 'email-drafter' AND e.step = 'draft' GROUP BY o.id`,
    [DEMO_LOGIN.slug],
  )
  expect(p.own).toBe(0)
  // the catalog's gpt-4.1-mini: $0.40 input (cache writes too: no write price), $0.10 cached input, $1.60 output per Mtok
  const perCall = callMicros([
    [p.tin - p.cached, 4],
    [p.cached, 1],
    [p.tout, 16],
  ])
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/email-drafter/steps/draft?range=90`)
  const row = page.getByTestId('eval-candidates').locator('tr', { has: page.getByRole('rowheader', { name: /openai\/gpt-4\.1-mini/ }) })
  await expect(row.getByRole('rowheader')).toContainText('not served (eval only)')
  await expect(row.locator('[data-cost-per-call]')).toHaveAttribute('data-cost-per-call', perCall)
  await expect(row.locator('[data-cost-per-call]')).toHaveText(formatUsd(perCall, { precise: true }))
  await expect(row).toContainText('email-nightly: accuracy 0.92, tone 0.9 (400 samples)')
  // the served models are the events' (their rows above, without the label)
  await expect(page.getByTestId('served-options')).not.toContainText('not served')
})

// Issue 19: an engineer saves the record as a dated decision with the keyboard — chooses the eval-only option, writes
// a note — and sees it listed with their name, the day's cost per call of the model chosen, and the step's calls.
test('save a decision from the decision record and see it listed with your name', async ({ page, request }) => {
  test.setTimeout(120_000)
  const stamp = Date.now()
  const email = `decider-${stamp}@example.com`
  const { org_slug, api_key: key } = createOrg(`Decider ${stamp}`, email, 'decider-password-1', ['ingest', 'write'])
  const [{ org_id }] = await sql<{ org_id: string }>(`SELECT id::text AS org_id FROM organizations WHERE slug = $1`, [org_slug])
  // 40 calls of support/answer on gpt-4o-mini an hour ago (1,000 tokens in, 200 out); evals for it and for gpt-4.1-mini
  const t0 = Date.now() - 3600_000
  const events = Array.from({ length: 40 }, (_, i) => ({
    id: `d-${i}`,
    timestamp: new Date(t0 + i * 1000).toISOString(),
    workflow_id: 'support',
    step: 'answer',
    provider: 'openai',
    model: 'gpt-4o-mini',
    tokens_in: 1000,
    tokens_out: 200,
  }))
  const auth = { authorization: `Bearer ${key}` }
  expect((await request.post('/api/v1/events', { headers: auth, data: { events } })).status()).toBe(202)
  const ev = (model: string, accuracy: number) => ({
    eval_set: 'support-golden',
    workflow_id: 'support',
    step: 'answer',
    provider: 'openai',
    model,
    scores: { accuracy },
    sample_count: 120,
    run_at: new Date(t0).toISOString(),
  })
  expect((await request.post('/api/v1/evals', { headers: auth, data: { evals: [ev('gpt-4o-mini', 0.88), ev('gpt-4.1-mini', 0.94)] } })).status()).toBe(201)
  await expect(async () => {
    const [r] = await sql<{ n: string }>(`SELECT coalesce(sum(events), 0)::text AS n FROM rollups_hourly WHERE org_id = $1 AND step = 'answer'`, [org_id])
    expect(r.n).toBe('40')
  }).toPass({ timeout: 60_000, intervals: [1000, 2000, 5000] })

  await apiSignIn(page.request, email, 'decider-password-1')
  await page.goto(`/${org_slug}/workflows/support/steps/answer`)
  // gpt-4.1-mini at the catalog's price: 1,000 × $0.40 + 200 × $1.60 per Mtok = $0.000720 a call
  const candidate = page.getByTestId('eval-candidates').getByRole('row')
  await expect(candidate).toHaveCount(1)
  await expect(candidate.getByRole('rowheader')).toHaveText('openai/gpt-4.1-mini not served (eval only)')
  await expect(candidate.locator('[data-cost-per-call]')).toHaveAttribute('data-cost-per-call', '0.000720')
  await expect(page.getByText('No decision saved for this step yet.')).toBeVisible()

  const form = page.getByRole('form', { name: 'Save decision' })
  await form.getByLabel('Chosen option').focus()
  await form.getByLabel('Chosen option').selectOption('openai/gpt-4.1-mini')
  await form.getByLabel('Note').fill('gpt-4.1-mini clears the bar for a quarter of the price')
  await page.keyboard.press('Tab') // to "Save decision"
  await expect(form.getByRole('button', { name: 'Save decision' })).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(form.getByRole('status')).toHaveText('Decision saved: openai/gpt-4.1-mini, with the record’s figures of today')

  const rows = page.getByTestId('decisions-table').locator('tbody tr')
  await expect(rows).toHaveCount(1)
  await expect(rows.first().locator('[data-field="decided-by"]')).toHaveText(email)
  await expect(rows.first().getByRole('rowheader')).toHaveText('openai/gpt-4.1-mini (eval only)')
  await expect(rows.first()).toContainText(formatUsd('0.000720', { precise: true }))
  await expect(rows.first()).toContainText('gpt-4.1-mini clears the bar for a quarter of the price')
  const [saved] = await sql<{ chosen_model: string; decided_by: string; calls: number }>(
    `SELECT chosen_model, decided_by, (record->>'calls')::int AS calls FROM step_decisions WHERE org_id = $1`,
    [org_id],
  )
  expect(saved).toEqual({ chosen_model: 'openai/gpt-4.1-mini', decided_by: email, calls: 40 })
})

// The step's routing policies come from a read of their own; when it fails the record says so instead of "…" forever.
test('the decision record says when it could not load the step’s routing policies', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(page, (url) => url.pathname === '/api/v1/policies')
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/email-drafter/steps/draft?range=90`)
  await expect(page.locator('[data-field="routing"]')).toHaveText('Could not load the policies: The database is unavailable', { timeout: 15_000 })
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})
