import { test, expect, apiSignIn, createOrg, sql, usd } from './fixtures'
import { expectSorts } from './support/sorting'

// An engineer creates a routing policy for a step, imports eval results as a
// CSV, edits the draft (with a field error on the way), runs the simulation
// against the step's real traffic, publishes with a note, and decide answers
// with the selected model.
test('edit a routing draft, run the simulation, publish; decide follows', async ({ page, request, consoleErrors }) => {
  test.setTimeout(180_000)
  const stamp = Date.now()
  const email = `routing-${stamp}@example.com`
  const signup = await request.post('/api/auth/signup', { data: { org_name: `Routing ${stamp}`, email, password: 'routing-password-1' } })
  const { org_slug, org_id } = await signup.json()
  await apiSignIn(page.request, email, 'routing-password-1')
  const { key } = await (await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'sdk', scopes: ['ingest'] } })).json()

  // Real traffic of the step, two to three hours ago (the simulation replays whole past hours):
  // 40 gpt-4o calls at $0.0045 and 40 gpt-4o-mini calls at $0.00027 (1,000 tokens in, 200 out).
  const t0 = Date.now() - 2.5 * 3600_000
  const events = ['gpt-4o', 'gpt-4o-mini'].flatMap((model, j) =>
    Array.from({ length: 40 }, (_, i) => ({
      id: `r-${j}-${i}`,
      timestamp: new Date(t0 + i * 1000).toISOString(),
      workflow_id: 'support',
      step: 'classify',
      provider: 'openai',
      model,
      tokens_in: 1000,
      tokens_out: 200,
    })),
  )
  expect((await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events } })).status()).toBe(202)
  await expect(async () => {
    const [r] = await sql<{ n: string }>(`SELECT coalesce(sum(events), 0)::text AS n FROM rollups_hourly WHERE org_id = $1 AND step = 'classify'`, [org_id])
    expect(r.n).toBe('80')
  }).toPass({ timeout: 60_000, intervals: [1000, 2000, 5000] })

  await page.goto(`/${org_slug}/overview`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Routing' }).click()
  await expect(page.getByRole('heading', { name: 'Routing', level: 1 })).toBeVisible()
  await expect(page.getByTestId('policies-empty')).toContainText('No routing policies yet.')

  const create = page.getByRole('form', { name: 'New policy' })
  // Workflow and step are offered from the data (the step's traffic above), and can still be typed.
  await expect(create.locator('#p-workflows option')).toHaveCount(1)
  await expect(create.locator('#p-workflows option')).toHaveAttribute('value', 'support')
  await create.getByLabel('Workflow', { exact: true }).fill('support')
  await expect(create.locator('#p-steps option')).toHaveCount(1)
  await expect(create.locator('#p-steps option')).toHaveAttribute('value', 'classify')
  await expect(create.getByText('Steps of support seen in the last 90 days: classify')).toBeVisible()
  await create.getByLabel('Step', { exact: true }).fill('classify')
  await create.getByLabel('Candidate models', { exact: true }).fill('openai/gpt-4o\nopenai/gpt-4o-mini\nanthropic/claude-3-5-haiku')
  await create.getByLabel('Quality bar', { exact: true }).fill('grounding >= 0.92\nformat_ok >= 0.99')
  await create.getByRole('button', { name: 'Create draft policy' }).click()
  await expect(page.getByRole('heading', { name: 'support · classify' })).toBeVisible()
  await expect(page.getByText('Not published yet')).toBeVisible()

  // Eval results as a CSV: gpt-4o-mini is cheapest but misses grounding; haiku has no traffic (priced from the step's average call).
  const csv =
    'eval_set,provider,model,sample_count,tokens_in,tokens_out,grounding,format_ok\n' +
    'golden,openai,gpt-4o,100,100000,20000,0.97,1\n' +
    'golden,openai,gpt-4o-mini,100,100000,20000,0.9,1\n' +
    'golden,anthropic,claude-3-5-haiku,100,100000,20000,0.95,0.995\n'
  await page.getByLabel('Import evals (CSV)').setInputFiles({ name: 'evals.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) })
  await expect(page.getByText('3 eval results imported; their cost recorded as eval traffic.')).toBeVisible()
  const candidates = page.getByTestId('candidates')
  await expect(candidates.locator('tr[data-candidate="anthropic/claude-3-5-haiku"]')).toContainText('selected')
  await expect(candidates.locator('tr[data-candidate="openai/gpt-4o-mini"]')).toContainText('no: grounding 0.9 < 0.92')
  await expect(candidates.locator('tr[data-candidate="openai/gpt-4o"]')).toContainText('$0.00450 (40 calls)')

  // Edit the draft: a bad canary share is named under its field, then a cascade and a fallback.
  const draft = page.getByRole('form', { name: 'Policy draft' })
  await draft.getByLabel('Canary share, %', { exact: true }).fill('150')
  await draft.getByRole('button', { name: 'Save draft' }).click()
  await expect(draft.getByRole('alert')).toHaveText('must be < 100 (publish without a canary for all traffic)')
  await expect(draft.getByLabel('Canary share, %', { exact: true })).toHaveAttribute('aria-invalid', 'true')
  expect(consoleErrors).toEqual([expect.stringContaining('status of 400')])
  consoleErrors.splice(0)
  await draft.getByLabel('Canary share, %', { exact: true }).fill('')
  await draft.getByLabel('Cascade, cheapest first', { exact: true }).fill('anthropic/claude-3-5-haiku\nopenai/gpt-4o')
  await draft.getByLabel('Escalate below confidence', { exact: true }).fill('0.6')
  await draft.getByLabel('Fallbacks on provider error', { exact: true }).fill('openai/gpt-4o')
  await draft.getByRole('button', { name: 'Save draft' }).click()
  await expect(draft.getByRole('status')).toHaveText('Draft saved.')
  // the first version lists its rules in words
  await expect(page.getByTestId('versions').locator('li[data-version="1"] [data-testid="rules"]')).toContainText(
    'Cascadeanthropic/claude-3-5-haiku → openai/gpt-4o, escalating below 0.6 (the reported confidence)',
  )

  // Simulation over the last 7 days, compared with the rollups in SQL.
  await page.getByLabel('Replay window', { exact: true }).selectOption('7')
  await page.getByRole('button', { name: 'Run simulation' }).click()
  const headline = page.getByTestId('simulation-headline')
  await expect(headline).toContainText('shifting 100% of classify calls to anthropic/claude-3-5-haiku')
  await expect(headline).toContainText('quality bar held')
  const hour = Math.floor(Date.now() / 3600_000) * 3600_000
  const [actual] = await sql<{ usd: string }>(
    `SELECT coalesce(sum(cost_usd), 0)::text AS usd FROM rollups_hourly WHERE org_id = $1 AND workflow_id = 'support' AND step = 'classify' AND traffic_source = 'production' AND hour >= $2 AND hour < $3`,
    [org_id, new Date(hour - 7 * 86_400_000).toISOString(), new Date(hour).toISOString()],
  )
  expect(Number(actual.usd)).toBeCloseTo(0.1908, 6)
  await expect(page.getByTestId('sim-actual')).toHaveText(usd((Number(actual.usd) * 30) / 7))
  // 80 calls × $0.0016 (haiku at the step's average call) = $0.128 over 7 days
  await expect(page.getByTestId('sim-estimated')).toHaveText(usd((0.128 * 30) / 7))

  // Publish: the note is required.
  const publish = page.getByRole('form', { name: 'Publish draft' })
  await publish.getByRole('button', { name: 'Publish v1' }).click()
  await expect(publish.getByRole('alert')).toHaveText('must say what changed and why (3 characters or more)')
  expect(consoleErrors).toEqual([expect.stringContaining('status of 400')])
  consoleErrors.splice(0)
  await publish.getByLabel('What changed and why', { exact: true }).fill('Classification on haiku: clears grounding 0.92 at a third of gpt-4o')
  await publish.getByRole('button', { name: 'Publish v1' }).click()
  await expect(publish.getByRole('status')).toHaveText('Published v1.')
  await expect(page.getByTestId('selected-model')).toHaveText('anthropic/claude-3-5-haiku')
  await expect(page.getByTestId('versions').locator('li[data-version="1"]')).toContainText('in force')
  const [row] = await sql<{ published_version: number }>(
    `SELECT published_version FROM routing_policies WHERE org_id = $1 AND workflow_id = 'support' AND step = 'classify'`,
    [org_id],
  )
  expect(row.published_version).toBe(1)

  // Run time follows within a second or so of the publish.
  const decide = (body: Record<string, unknown>) =>
    request.post('/api/v1/decide', { headers: { authorization: `Bearer ${key}` }, data: { workflow_id: 'support', step: 'classify', ...body } })
  await expect(async () => {
    const r = await decide({ run_id: 'e2e-1' })
    expect(r.status()).toBe(200)
    expect(await r.json()).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-haiku', policy_version: 1 })
  }).toPass({ timeout: 15_000 })
  expect(await (await decide({ confidence: 0.2 })).json()).toMatchObject({
    model: 'gpt-4o',
    reason: expect.stringMatching(/^cascade: confidence 0.2 < threshold 0.6/),
  })

  // The list shows the policy in force.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Routing' }).click()
  await expect(page.getByTestId('policies').locator('tr[data-policy="support/classify"]')).toContainText('anthropic/claude-3-5-haiku')

  // The step's decision record links to its policy.
  await page.goto(`/${org_slug}/workflows/support/steps/classify`)
  const link = page.locator('[data-field="routing"]').getByRole('link')
  await expect(link).toHaveText('all traffic: v1, anthropic/claude-3-5-haiku')
  await link.click()
  await expect(page.getByRole('heading', { name: 'support · classify' })).toBeVisible()

  // v2: haiku off the candidates (gpt-4o is then the cheapest clearing), two fallbacks, an output cap and a cache for the gateway.
  await draft.getByLabel('Candidate models', { exact: true }).fill('openai/gpt-4o\nopenai/gpt-4o-mini')
  await draft.getByLabel('Fallbacks on provider error', { exact: true }).fill('anthropic/claude-3-5-haiku\nopenai/gpt-4o-mini')
  await draft.getByLabel('Output cap (max_tokens)', { exact: true }).fill('512')
  await draft.getByLabel('Response cache TTL, seconds', { exact: true }).fill('abc')
  await draft.getByRole('button', { name: 'Save draft' }).click()
  await expect(draft.getByLabel('Response cache TTL, seconds', { exact: true })).toHaveAttribute('aria-invalid', 'true')
  await draft.getByLabel('Response cache TTL, seconds', { exact: true }).fill('600')
  await draft.getByRole('button', { name: 'Save draft' }).click()
  await expect(draft.getByRole('status')).toHaveText('Draft saved.')
  // v2's history entry reads as a diff against v1: each changed rule, old → new, no JSON
  const v2 = page.getByTestId('versions').locator('li[data-version="2"]')
  const change = (field: string) => v2.locator(`li[data-field="${field}"]`)
  await expect(change('max_tokens_cap').getByTestId('from')).toHaveText('none')
  await expect(change('max_tokens_cap').getByTestId('to')).toHaveText('512 tokens')
  await expect(change('cache_ttl_s')).toContainText('Response cache')
  await expect(change('cache_ttl_s').getByTestId('to')).toHaveText('600 s')
  await expect(change('candidates').getByTestId('from')).toHaveText('anthropic/claude-3-5-haiku')
  await expect(change('candidates').getByTestId('to')).toHaveText('removed')
  await expect(change('fallbacks').getByTestId('to')).toHaveText('openai/gpt-4o-mini')
  await expect(v2).not.toContainText('{')

  // v2's simulation is compared with v1 in force (80 calls on haiku at $0.0016), not with the window's mix
  await page.getByLabel('Replay window', { exact: true }).selectOption('7')
  await page.getByRole('button', { name: 'Run simulation' }).click()
  await expect(page.getByTestId('simulation-headline')).toContainText('against v1 in force')
  await expect(page.getByTestId('sim-baseline')).toContainText(usd((0.128 * 30) / 7))
  await expect(page.getByTestId('sim-estimated')).toHaveText(usd((80 * 0.0045 * 30) / 7)) // gpt-4o at $0.0045 a call
  await expect(page.getByTestId('sim-change')).toContainText(usd(((80 * 0.0045 - 0.128) * 30) / 7))
  await publish.getByLabel('What changed and why', { exact: true }).fill('gpt-4o only, capped at 512 tokens')
  await publish.getByRole('button', { name: 'Publish v2' }).click()
  await expect(publish.getByRole('status')).toHaveText('Published v2.')
  await expect(page.getByTestId('selected-model')).toHaveText('openai/gpt-4o')
  const [spec2] = await sql<{ spec: { fallback: unknown; fallbacks: unknown; max_tokens_cap: number; cache_ttl_s: number } }>(
    `SELECT v.spec FROM routing_policy_versions v JOIN routing_policies p ON p.id = v.policy_id WHERE p.org_id = $1 AND v.version = 2`,
    [org_id],
  )
  expect(spec2.spec).toMatchObject({
    fallback: { provider: 'anthropic', model: 'claude-3-5-haiku' },
    fallbacks: [{ provider: 'openai', model: 'gpt-4o-mini' }],
    max_tokens_cap: 512,
    cache_ttl_s: 600,
  })
  await expect(async () => expect(await (await decide({ run_id: 'e2e-2' })).json()).toMatchObject({ model: 'gpt-4o', policy_version: 2 })).toPass({
    timeout: 15_000,
  })
  expect(await (await decide({ attempt: 3 })).json()).toMatchObject({ model: 'gpt-4o-mini', reason: expect.stringMatching(/^fallback: attempt 3/) })

  // Roll back to v1: published as v3, a copy of v1; decide follows.
  const rollback = page.getByRole('form', { name: 'Roll back' })
  await rollback.getByLabel('Roll back to', { exact: true }).selectOption('1')
  await rollback.getByLabel('Why', { exact: true }).fill('gpt-4o doubled the cost of classify; back to haiku')
  await rollback.getByRole('button', { name: 'Roll back (publishes a copy)' }).click()
  const v3 = page.getByTestId('versions').locator('li[data-version="3"]')
  await expect(v3).toContainText('in force')
  await expect(v3).toContainText('(rollback to v1)')
  await expect(page.getByTestId('selected-model')).toHaveText('anthropic/claude-3-5-haiku')
  await expect(page.getByTestId('versions').locator('li[data-version="2"]')).toContainText('superseded')
  const [after] = await sql<{ published_version: number }>(
    `SELECT published_version FROM routing_policies WHERE org_id = $1 AND workflow_id = 'support' AND step = 'classify'`,
    [org_id],
  )
  expect(after.published_version).toBe(3)
  await expect(async () =>
    expect(await (await decide({ run_id: 'e2e-3' })).json()).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-haiku', policy_version: 3 }),
  ).toPass({ timeout: 15_000 })

  // Routing defaults: a step without a policy gets the organization's default from decide (404 names it).
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Routing' }).click()
  const defaults = page.getByRole('form', { name: 'Routing defaults' })
  await defaults.getByLabel('Defaults', { exact: true }).fill('support = openai/gpt-4o\n* = nonsense')
  await defaults.getByRole('button', { name: 'Save defaults' }).click()
  await expect(defaults.getByRole('alert')).toContainText('line 2: write workflow = provider/model')
  await defaults.getByLabel('Defaults', { exact: true }).fill('* = openai/gpt-4o-mini\nsupport = openai/gpt-4o')
  await defaults.getByRole('button', { name: 'Save defaults' }).click()
  await expect(defaults.getByRole('status')).toHaveText('Defaults saved (2).')
  await expect(async () => {
    const r = await request.post('/api/v1/decide', { headers: { authorization: `Bearer ${key}` }, data: { workflow_id: 'search', step: 'rank' } })
    expect(r.status()).toBe(404)
    expect(await r.json()).toMatchObject({ provider: 'openai', model: 'gpt-4o-mini', policy_id: null })
  }).toPass({ timeout: 15_000 })
  await page.reload()
  await expect(page.getByRole('form', { name: 'Routing defaults' }).getByLabel('Defaults', { exact: true })).toHaveValue(
    '* = openai/gpt-4o-mini\nsupport = openai/gpt-4o',
  )
})

// Issue 21: a first policy published with a canary against the caller's default model. The step's calls are 72%
// on gpt-4o-mini and 28% on gpt-4o; 10% of runs go to haiku, and the other calls keep the model they asked for —
// the simulation and the publish agree, and decide says so (nothing re-routed).
test('a first routing policy published with a canary against the caller’s default', async ({ page, request, consoleErrors }) => {
  test.setTimeout(120_000)
  const stamp = Date.now()
  const email = `canary-${stamp}@example.com`
  // the organization from the CLI, not a sign-up (the specs' sign-ups share one throttle)
  const { org_slug, api_key: key } = createOrg(`Canary ${stamp}`, email, 'canary-password-1', ['ingest'])
  const [{ org_id }] = await sql<{ org_id: string }>(`SELECT id::text AS org_id FROM organizations WHERE slug = $1`, [org_slug])
  await apiSignIn(page.request, email, 'canary-password-1')
  const t0 = Date.now() - 2.5 * 3600_000
  const events = Array.from({ length: 100 }, (_, i) => ({
    id: `c-${i}`,
    timestamp: new Date(t0 + i * 1000).toISOString(),
    workflow_id: 'support',
    step: 'triage',
    provider: 'openai',
    model: i < 72 ? 'gpt-4o-mini' : 'gpt-4o',
    tokens_in: 1000,
    tokens_out: 200,
  }))
  expect((await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events } })).status()).toBe(202)
  await expect(async () => {
    const [r] = await sql<{ n: string }>(`SELECT coalesce(sum(events), 0)::text AS n FROM rollups_hourly WHERE org_id = $1 AND step = 'triage'`, [org_id])
    expect(r.n).toBe('100')
  }).toPass({ timeout: 60_000, intervals: [1000, 2000, 5000] })

  await page.goto(`/${org_slug}/routing`)
  const create = page.getByRole('form', { name: 'New policy' })
  await create.getByLabel('Workflow', { exact: true }).fill('support')
  await create.getByLabel('Step', { exact: true }).fill('triage')
  await create.getByLabel('Candidate models', { exact: true }).fill('anthropic/claude-3-5-haiku\nopenai/gpt-4o')
  await create.getByRole('button', { name: 'Create draft policy' }).click()
  await expect(page.getByRole('heading', { name: 'support · triage' })).toBeVisible()

  const draft = page.getByRole('form', { name: 'Policy draft' })
  await expect(draft.getByText("the rest stays on the caller's default model (no version in force yet)")).toBeVisible()
  await draft.getByLabel('Canary share, %', { exact: true }).fill('10')
  await draft.getByRole('button', { name: 'Save draft' }).click()
  await expect(draft.getByRole('status')).toHaveText('Draft saved.')

  // The simulation: 10% of the calls on haiku ($0.0016 a call), the other 90% as they were.
  await page.getByLabel('Replay window', { exact: true }).selectOption('7')
  await page.getByRole('button', { name: 'Run simulation' }).click()
  await expect(page.getByTestId('simulation-headline')).toContainText("(canary: 10% of runs, the rest on the caller's default model)")
  const hour = Math.floor(Date.now() / 3600_000) * 3600_000
  const [actual] = await sql<{ usd: string }>(
    `SELECT coalesce(sum(cost_usd), 0)::text AS usd FROM rollups_hourly WHERE org_id = $1 AND step = 'triage' AND traffic_source = 'production' AND hour >= $2 AND hour < $3`,
    [org_id, new Date(hour - 7 * 86_400_000).toISOString(), new Date(hour).toISOString()],
  )
  expect(Number(actual.usd)).toBeCloseTo(72 * 0.00027 + 28 * 0.0045, 6)
  // the candidates and the simulated shares sort by their columns (issue 21)
  await expectSorts(page, page.getByTestId('candidates'), 'Cost per call')
  await expectSorts(page, page.getByTestId('simulation').locator('table'), 'Share of calls, actual')
  await expect(page.getByTestId('sim-estimated')).toHaveText(usd(((0.1 * 100 * 0.0016 + 0.9 * Number(actual.usd)) * 30) / 7))

  // Publishing agrees (it answered 409 before).
  const publish = page.getByRole('form', { name: 'Publish draft' })
  await publish.getByLabel('What changed and why', { exact: true }).fill('haiku on 10% of triage runs, the rest as the callers ask')
  await publish.getByRole('button', { name: 'Publish v1' }).click()
  await expect(publish.getByRole('status')).toHaveText('Published v1.')
  await expect(page.getByText("on 10% of runs (the rest on the caller's default model: whatever each call asks for)")).toBeVisible()
  const [row] = await sql<{ published_version: number; base_version: number | null }>(
    `SELECT p.published_version, v.base_version FROM routing_policies p JOIN routing_policy_versions v ON v.policy_id = p.id AND v.version = p.published_version
     WHERE p.org_id = $1 AND p.step = 'triage'`,
    [org_id],
  )
  expect(row).toEqual({ published_version: 1, base_version: null })

  // decide: a tenth of the runs on haiku; the others keep the caller's own model (no default configured: null), 200 not 404.
  const answers = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const r = await request.post('/api/v1/decide', {
        headers: { authorization: `Bearer ${key}` },
        data: { workflow_id: 'support', step: 'triage', run_id: `run-${i}` },
      })
      expect(r.status()).toBe(200)
      return r.json()
    }),
  )
  const onCanary = answers.filter((a) => a.policy_version === 1)
  expect(onCanary.length).toBeGreaterThan(5)
  expect(onCanary.length).toBeLessThan(40)
  for (const a of onCanary) expect(a).toMatchObject({ provider: 'anthropic', model: 'claude-3-5-haiku' })
  for (const a of answers.filter((x) => x.policy_version !== 1))
    expect(a).toMatchObject({ provider: null, model: null, policy_version: null, reason: expect.stringMatching(/^default: the caller's default model/) })

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Routing' }).click()
  await expect(page.getByTestId('policies').locator('tr[data-policy="support/triage"]')).toContainText("v1 (canary 10% over the caller's default)")

  // Withdraw: no older version to roll back to, so the step returns to the caller's default model, audited.
  await page.getByTestId('policies').locator('tr[data-policy="support/triage"]').getByRole('link').first().click()
  await expect(page.getByRole('heading', { name: 'support · triage' })).toBeVisible()
  await expect(page.getByRole('form', { name: 'Roll back' })).toHaveCount(0)
  const withdraw = page.getByRole('form', { name: 'Withdraw' })
  await withdraw.getByRole('button', { name: 'Withdraw v1' }).click()
  await expect(withdraw.getByText('must say what changed and why')).toBeVisible()
  consoleErrors.splice(0) // the browser logs the expected 400 itself
  await withdraw.getByLabel('Why', { exact: true }).fill('haiku misroutes refunds')
  await withdraw.getByRole('button', { name: 'Withdraw v1' }).click()
  await expect(page.getByTestId('withdrawn')).toBeVisible()
  await expect(page.getByTestId('versions').locator('li[data-version="1"]')).toContainText('withdrawn')
  await expect(page.getByRole('form', { name: 'Withdraw' })).toHaveCount(0)
  const [after] = await sql<{ published_version: number | null }>(`SELECT published_version FROM routing_policies WHERE org_id = $1 AND step = 'triage'`, [
    org_id,
  ])
  expect(after.published_version).toBeNull()
  const [audit] = await sql<{ note: string }>(`SELECT after->>'note' AS note FROM audit_log WHERE org_id = $1 AND action = 'policy.withdraw'`, [org_id])
  expect(audit.note).toBe('haiku misroutes refunds')
  await expect(async () => {
    for (let i = 0; i < 40; i++) {
      const r = await request.post('/api/v1/decide', {
        headers: { authorization: `Bearer ${key}` },
        data: { workflow_id: 'support', step: 'triage', run_id: `run-${i}` },
      })
      expect((await r.json()).policy_version).toBeNull()
    }
  }).toPass({ timeout: 15_000 })
})
