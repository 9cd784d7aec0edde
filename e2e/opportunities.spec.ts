import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN } from './fixtures'
import { RERUN_SQL } from '@/lib/opportunities/reruns'
import { outputRowsOf, outputStepsFromHists } from '@/lib/opportunities/output-hist'

// "Where is money I could save, and what do I do about it?": the demo's
// opportunities, largest first, each figure equal to SQL over its events, with
// the formula, the evidence and a link to act: the routing editor with the
// change drafted, or the fleet.

// The demo's events all fall in the page's last 30 days (it seeds 14), so the range's sums are the whole data's.
const REPEATS_SQL = `
  WITH x AS (
    SELECT workflow_id, step, cost_usd, row_number() OVER (PARTITION BY workflow_id, step, input_hash ORDER BY "timestamp", event_id COLLATE "C") AS n
    FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND input_hash IS NOT NULL)
  SELECT workflow_id, step, count(*)::int AS repeats, round(sum(cost_usd), 6)::text AS cost
  FROM x WHERE n > 1 GROUP BY 1, 2 ORDER BY sum(cost_usd) DESC NULLS LAST, 1, 2`

test('the demo’s largest repeated-input and retry savings, on the page, equal SQL on the events', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/overview?range=30`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Opportunities' }).click()
  await expect(page).toHaveURL(new RegExp(`/${DEMO_LOGIN.slug}/opportunities\\?range=30`))
  await expect(page.getByRole('heading', { name: 'Opportunities', level: 1 })).toBeVisible()

  const [cache] = await sql<{ workflow_id: string; step: string; repeats: number; cost: string }>(REPEATS_SQL, [DEMO_LOGIN.slug])
  expect(cache, 'the demo has a step with repeated input_hash').toBeTruthy()
  const cacheRow = page.getByTestId(`opportunity-response_cache:${cache.workflow_id}:${cache.step}`)
  await expect(cacheRow.getByTestId('saving')).toHaveText(`${usd(cache.cost)} in the range`)
  await expect(cacheRow).toContainText(`${cache.repeats.toLocaleString('en-US')} repeat calls`)
  await expect(cacheRow).toContainText('measured')
  await expect(cacheRow).toContainText('whose input_hash equals that of an earlier call')

  // support-agent/classify answers the same input with the same output: its repeats are safe to cache
  const [det] = await sql<{ compared: number; matched: number }>(
    `WITH x AS (
       SELECT output_hash, row_number() OVER w AS n, first_value(output_hash) OVER w AS first_output
       FROM inference_events e JOIN organizations o ON o.id = e.org_id
       WHERE o.slug = $1 AND workflow_id = 'support-agent' AND step = 'classify' AND input_hash IS NOT NULL
       WINDOW w AS (PARTITION BY input_hash ORDER BY "timestamp", event_id COLLATE "C"))
     SELECT (count(*) FILTER (WHERE output_hash IS NOT NULL AND first_output IS NOT NULL))::int AS compared,
            (count(*) FILTER (WHERE output_hash = first_output))::int AS matched
     FROM x WHERE n > 1`,
    [DEMO_LOGIN.slug],
  )
  expect(det.compared).toBeGreaterThan(0)
  await expect(page.getByTestId('opportunity-response_cache:support-agent:classify')).toContainText(
    `deterministic: ${Math.round((det.matched / det.compared) * 100)}% (${det.matched.toLocaleString('en-US')} of ${det.compared.toLocaleString('en-US')} same output_hash)`,
  )

  // retries: the retry and error calls, and the calls that re-ran a step after it had succeeded in the run (RERUN_SQL)
  const [org] = await sql<{ id: string }>('SELECT id FROM organizations WHERE slug = $1', [DEMO_LOGIN.slug])
  const retrySteps = await sql<{ workflow_id: string; step: string; cost: string; reruns: number }>(
    `SELECT workflow_id, step, round(sum(cost_usd), 6)::text AS cost, (count(*) FILTER (WHERE rerun))::int AS reruns FROM (
       SELECT workflow_id, step, cost_usd, false AS rerun FROM inference_events WHERE org_id = $1 AND outcome IN ('retry', 'error')
       UNION ALL
       SELECT workflow_id, step, cost_usd, true FROM (${RERUN_SQL}) x) w
     GROUP BY 1, 2 ORDER BY sum(cost_usd) DESC NULLS LAST, 1, 2`,
    [org.id],
  )
  const retryRow = page.getByTestId(`opportunity-retries:${retrySteps[0].workflow_id}:${retrySteps[0].step}`)
  await expect(retryRow.getByTestId('saving')).toHaveText(`${usd(retrySteps[0].cost)} in the range`)
  // email-drafter's client times out drafts that succeeded and runs them again: re-runs, in the draft step's saving
  const draft = retrySteps.find((r) => r.workflow_id === 'email-drafter' && r.step === 'draft')!
  expect(draft.reruns, 'the demo re-runs drafts that had succeeded').toBeGreaterThan(0)
  const draftRow = page.getByTestId('opportunity-retries:email-drafter:draft')
  await expect(draftRow.getByTestId('saving')).toHaveText(`${usd(draft.cost)} in the range`)
  await expect(draftRow).toContainText(`${draft.reruns.toLocaleString('en-US')} re-runs after the step had succeeded in the run`)
  // woodgrove-bank's client restarts support-agent runs from the top: every step of the workflow is re-run
  const restarted = retrySteps.filter((r) => r.workflow_id === 'support-agent' && r.reruns > 0)
  expect(restarted.map((r) => r.step).sort(), 'the demo restarts support-agent runs from the top').toEqual(
    expect.arrayContaining(['classify', 'generate', 'retrieve']),
  )
  const generateRow = page.getByTestId('opportunity-retries:support-agent:generate')
  const generate = restarted.find((r) => r.step === 'generate')!
  await expect(generateRow.getByTestId('saving')).toHaveText(`${usd(generate.cost)} in the range`)
  await expect(generateRow).toContainText(`${generate.reruns.toLocaleString('en-US')} re-runs after the step had succeeded in the run`)

  // largest first: the first row's monthly saving is the largest
  const perMonth = await page.getByTestId('saving-per-month').allTextContents()
  const values = perMonth.map((s) => Number(s.replace(/[$,]/g, '')))
  expect(values).toEqual([...values].sort((a, b) => b - a))
  await expect(page.getByTestId('kpi-count')).toHaveText(String(values.length))

  // sortable: by workflow / step
  await page.getByRole('button', { name: 'Workflow / step' }).click()
  await expect(page.getByRole('columnheader', { name: /Workflow \/ step/ })).toHaveAttribute('aria-sort', 'ascending')

  // the action drafts a response cache for the step in the routing pages (the demo's steps have no policy but email-drafter/draft)
  await cacheRow.getByTestId('action').click()
  await expect(page.getByRole('heading', { name: 'Routing', level: 1 })).toBeVisible()
  await expect(page.getByTestId('drafted-change')).toContainText(`${cache.workflow_id} / ${cache.step} has no routing policy yet`)
  const form = page.getByRole('form', { name: 'New policy' })
  await expect(form.getByLabel('Workflow', { exact: true })).toHaveValue(cache.workflow_id)
  await expect(form.getByLabel('Step', { exact: true })).toHaveValue(cache.step)
})

const slugOf = DEMO_LOGIN.slug
/** The demo's calls of a step in the page's range (the last 30 days: all of the 14 days seeded). */
const stepCalls = `FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND e.workflow_id = $2 AND e.step = $3`

test('the estimated kinds: each shown with its assumption and evidence; the actions open the routing editor with the change drafted, or the fleet', async ({
  page,
  consoleErrors,
}) => {
  test.setTimeout(120_000)
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${slugOf}/opportunities?range=30`)
  await expect(page.getByRole('heading', { name: 'Opportunities', level: 1 })).toBeVisible()

  // uncapped_output: doc-summarizer/summarize sends no max_tokens and has a long tail; its quantiles and excess from the
  // events' output sizes bucketed as the worker's histograms are (lib/opportunities/output-hist.ts)
  const calls = await sql<{ provider: string; model: string; max_tokens: number | null; tokens_out: number }>(
    `SELECT provider, model, max_tokens, tokens_out::int AS tokens_out ${stepCalls}`,
    [slugOf, 'doc-summarizer', 'summarize'],
  )
  const [summarize] = outputStepsFromHists(outputRowsOf(calls.map((c) => ({ ...c, workflow_id: 'doc-summarizer', step: 'summarize' }))))
  const out = { p50: summarize.p50, p95: summarize.p95, p99: summarize.p99, mx: summarize.max }
  const excess = {
    tokens: summarize.models.reduce((s, m) => s + m.excess_tokens_out, 0),
    calls: summarize.models.reduce((s, m) => s + m.over_p95_calls, 0),
  }
  const n = (x: number) => x.toLocaleString('en-US')
  const uncapped = page.getByTestId('opportunity-uncapped_output:doc-summarizer:summarize')
  await expect(uncapped).toContainText('estimated')
  await expect(uncapped).toContainText(`output tokens p50 ${n(out.p50)} · p95 ${n(out.p95)} · p99 ${n(out.p99)} · max ${n(out.mx)}`)
  await expect(uncapped).toContainText(`${n(excess.tokens)} tokens above the p95 in ${n(excess.calls)} calls`)
  await expect(uncapped.getByTestId('assumption')).toContainText(`cap at the step's p95 output (${out.p95} tokens)`)
  await expect(uncapped.getByRole('img', { name: /Output tokens per call/ })).toBeVisible()

  // prompt_cache: lead-qualifier/score's long rubric is never read from the cache
  const [score] = await sql<{ per_call: number }>(`SELECT round(avg(tokens_in))::int AS per_call ${stepCalls} AND model = 'gpt-4.1'`, [
    slugOf,
    'lead-qualifier',
    'score',
  ])
  const prompt = page.getByTestId('opportunity-prompt_cache:lead-qualifier:score:openai/gpt-4.1')
  await expect(prompt).toContainText('estimated')
  await expect(prompt).toContainText(`averaging ${n(score.per_call)} input tokens`)
  await expect(prompt).toContainText('cached 0% of input')
  await expect(prompt.getByTestId('assumption')).toContainText('stable prefix')

  // gpu_rightsizing: the staging pool idles outside its nightly eval; the action opens the fleet at the pool
  const gpu = page.getByTestId('opportunity-gpu_rightsizing:staging-a10')
  await expect(gpu).toContainText('GPU pool staging-a10')
  await expect(gpu).toContainText(/GPUs needed, release \d+/)
  await expect(gpu.getByTestId('assumption')).toBeVisible()

  // cheaper_model: email-drafter/draft drafts on gpt-4.1; the eval results say gpt-4.1-mini clears its bar
  const cheaper = page.getByTestId('opportunity-cheaper_model:email-drafter:draft')
  await expect(cheaper).toContainText('openai/gpt-4.1-mini clears the bar')
  await expect(cheaper.getByTestId('assumption')).toBeVisible()
  const saving = (await cheaper.getByTestId('saving-per-month').textContent())!.trim()

  // every row is estimated or measured, largest per month first
  const perMonth = (await page.getByTestId('saving-per-month').allTextContents()).map((s) => Number(s.replace(/[$,]/g, '')))
  expect(perMonth).toEqual([...perMonth].sort((a, b) => b - a))

  await cheaper.getByTestId('action').click()
  await expect(page).toHaveURL(/\/routing\/[0-9a-f-]{36}\?.*candidate=openai%2Fgpt-4\.1-mini/)
  await expect(page.getByRole('heading', { name: 'email-drafter · draft', level: 1 })).toBeVisible()
  await expect(page.getByTestId('drafted-change')).toContainText(`candidate openai/gpt-4.1-mini (estimated saving ${saving} per month)`)
  await expect(page.getByLabel('Candidate models', { exact: true })).toHaveValue('openai/gpt-4.1\nopenai/gpt-4.1-mini')
  // simulated with the candidate, without saving or publishing
  await expect(page.getByTestId('simulation-headline')).toContainText('to openai/gpt-4.1-mini', { timeout: 30_000 })
  await expect(page.getByTestId('simulation-headline')).toContainText('quality bar held')
  await expect(page.getByText('Not published yet')).toBeVisible()
  const [stored] = await sql<{ versions: number; published: number | null; c: string }>(
    `SELECT count(v.*)::int AS versions, p.published_version AS published, max(v.spec->>'candidates') AS c FROM routing_policies p
     JOIN organizations o ON o.id = p.org_id JOIN routing_policy_versions v ON v.policy_id = p.id
     WHERE o.slug = $1 AND p.workflow_id = 'email-drafter' AND p.step = 'draft' GROUP BY p.published_version`,
    [slugOf],
  )
  expect(stored).toMatchObject({ versions: 1, published: null })
  expect(stored.c).not.toContain('gpt-4.1-mini')

  // the output cap: the step has no policy; the new-policy form is filled, and its editor opens with the cap drafted
  await page.goBack()
  await page.getByTestId('opportunity-uncapped_output:doc-summarizer:summarize').getByTestId('action').click()
  const [existing] = await sql<{ id: string }>(
    `SELECT p.id FROM routing_policies p JOIN organizations o ON o.id = p.org_id WHERE o.slug = $1 AND p.workflow_id = 'doc-summarizer' AND p.step = 'summarize'`,
    [slugOf],
  )
  if (!existing) {
    await expect(page.getByTestId('drafted-change')).toContainText('doc-summarizer / summarize has no routing policy yet')
    const form = page.getByRole('form', { name: 'New policy' })
    await expect(form.getByLabel('Step', { exact: true })).toHaveValue('summarize')
    await form.getByLabel('Candidate models', { exact: true }).fill('openai/gpt-4.1')
    await form.getByRole('button', { name: 'Create draft policy' }).click()
  }
  await expect(page.getByRole('heading', { name: 'doc-summarizer · summarize', level: 1 })).toBeVisible()
  await expect(page.getByTestId('drafted-change')).toContainText(`output cap ${n(out.p95)} tokens`)
  await expect(page.getByLabel('Output cap (max_tokens)')).toHaveValue(String(out.p95))

  // the GPU action opens the fleet at the pool
  await page.goto(`/${slugOf}/opportunities?range=30`)
  await page.getByTestId('opportunity-gpu_rightsizing:staging-a10').getByTestId('action').click()
  await expect(page).toHaveURL(/\/fleet\?range=30#pool-staging-a10$/)
  await expect(page.locator('tr[data-pool="staging-a10"]')).toBeVisible()
  expect(consoleErrors).toEqual([])
})

// The quarterly review: the demo published a routing policy for lead-qualifier/classify 5 days ago (its cascade
// escalates to Sonnet instead of Opus since); the review lists the step's opportunities as acted on, with the saving
// measured since: the calls after at the cost per call before, less their cost, as SQL over the events gives them.
test('the quarterly review shows the demo’s acted-on step and its measured saving, against SQL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/opportunities?range=30`)
  await page.getByRole('navigation', { name: 'Opportunities views' }).getByRole('link', { name: 'Quarterly review' }).click()
  await expect(page).toHaveURL(/view=review/)
  await expect(page).toHaveURL(/range=90/)

  const [pub] = await sql<{ at: string }>(
    `SELECT v.published_at AS at FROM routing_policy_versions v JOIN routing_policies p ON p.id = v.policy_id JOIN organizations o ON o.id = p.org_id
     WHERE o.slug = $1 AND p.workflow_id = 'lead-qualifier' AND p.step = 'classify' AND v.published_at IS NOT NULL ORDER BY v.published_at LIMIT 1`,
    [DEMO_LOGIN.slug],
  )
  expect(pub, 'the demo publishes a policy for lead-qualifier/classify').toBeTruthy()
  const hour = Math.floor(new Date(pub.at).getTime() / 3_600_000) * 3_600_000
  const side = async (from: number, to: number) =>
    (
      await sql<{ calls: string; cost: string }>(
        `SELECT count(*)::text AS calls, round(coalesce(sum(cost_usd), 0), 6)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id
         WHERE o.slug = $1 AND workflow_id = 'lead-qualifier' AND step = 'classify' AND "timestamp" >= $2 AND "timestamp" < $3`,
        [DEMO_LOGIN.slug, new Date(from).toISOString(), new Date(to).toISOString()],
      )
    )[0]
  // the demo's events all end before now's hour and start less than 30 days before the publication
  const before = await side(hour - 30 * 86_400_000, hour)
  const after = await side(hour + 3_600_000, Math.floor(Date.now() / 3_600_000) * 3_600_000)
  const micros = (s: string) => BigInt(s.replace('.', ''))
  const num = micros(before.cost) * BigInt(after.calls)
  const den = BigInt(before.calls)
  const saving = (num * 2n + den) / (2n * den) - micros(after.cost)
  expect(saving, 'Sonnet escalations cost less per call than Opus ones').toBeGreaterThan(0n)
  const asUsd = (m: bigint) => `${m / 1_000_000n}.${String(m % 1_000_000n).padStart(6, '0')}`

  const rows = page.getByTestId('review-acted-table').locator('tbody tr')
  await expect(rows.first()).toBeVisible()
  const ids = await rows.evaluateAll((trs) => trs.map((t) => t.getAttribute('data-testid')))
  expect(ids.length).toBeGreaterThan(0)
  expect(ids.every((id) => id?.includes(':lead-qualifier:classify'))).toBe(true)
  for (const id of ids) await expect(page.getByTestId(id!)).toHaveAttribute('data-saving', asUsd(saving))
  await expect(page.getByTestId(ids[0]!).getByTestId('review-per-call')).toContainText(
    `${Number(before.calls).toLocaleString('en-US')} → ${Number(after.calls).toLocaleString('en-US')} calls`,
  )
  await expect(page.getByTestId('review-acted')).toHaveText(String(ids.length))
})
