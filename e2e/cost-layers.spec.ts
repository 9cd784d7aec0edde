import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN, answerUnavailable } from './fixtures'

// The three layers of seed 000 on the overview and a workflow's page: provider inference, retrieval and
// orchestration, the retry and quality tax (lib/metrics/layers.ts). Each figure equals SQL over the events of last
// month: per day, call type and outcome, rounded to the micro-dollar as the rollups answer, summed per layer.
const LAYER_SQL = `CASE WHEN e.outcome IN ('retry', 'error') OR e.call_type = 'guardrail' THEN 'tax'
                        WHEN e.call_type IN ('embedding', 'rerank', 'tool') THEN 'retrieval' ELSE 'inference' END`

async function layersSql(workflow: string | null): Promise<Record<string, string>> {
  const now = new Date()
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)).toISOString()
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString()
  const rows = await sql<{ layer: string; usd: string }>(
    `SELECT layer, sum(usd)::numeric(30, 6)::text AS usd FROM (
       SELECT ${LAYER_SQL} AS layer, round(coalesce(sum(e.cost_usd), 0), 6) AS usd
       FROM inference_events e JOIN organizations o ON o.id = e.org_id
       WHERE o.slug = $1 AND e.timestamp >= $2 AND e.timestamp < $3 AND ($4::text IS NULL OR e.workflow_id = $4)
       GROUP BY (e.timestamp AT TIME ZONE 'UTC')::date, e.call_type, e.outcome) g
     GROUP BY layer`,
    [DEMO_LOGIN.slug, from, to, workflow],
  )
  return Object.fromEntries(['inference', 'retrieval', 'tax'].map((l) => [l, rows.find((r) => r.layer === l)?.usd ?? '0']))
}

test('the three layers of the spend on the overview and a workflow page equal SQL', async ({ page }) => {
  test.slow() // two of the heaviest pages, one after the other
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const org = await layersSql(null)
  expect(Number(org.retrieval), 'the demo has retrieval spend').toBeGreaterThan(0)
  expect(Number(org.tax), 'the demo has a retry and quality tax').toBeGreaterThan(0)
  await page.goto(`/${DEMO_LOGIN.slug}/overview?range=last_month`)
  for (const layer of ['inference', 'retrieval', 'tax']) await expect(page.getByTestId(`layer-${layer}`)).toHaveText(usd(org[layer]), { timeout: 30_000 })
  await expect(page.getByRole('img', { name: /Spend per day, stacked by layer/ })).toBeVisible()

  const wf = await layersSql('support-agent')
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/support-agent?range=last_month`)
  for (const layer of ['inference', 'retrieval', 'tax']) await expect(page.getByTestId(`layer-${layer}`)).toHaveText(usd(wf[layer]), { timeout: 30_000 })
})

// A failed read says so in the card instead of loading forever; the rest of the overview still answers.
test('the layers card says when its read failed', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(
    page,
    (url) => url.pathname === '/api/v1/metrics' && url.searchParams.get('group_by') === 'call_type,outcome' && url.searchParams.get('granularity') === 'day',
  )
  await page.goto(`/${DEMO_LOGIN.slug}/overview?range=last_month`)
  await expect(page.getByRole('alert').filter({ hasText: 'Could not load the layers: The database is unavailable' })).toBeVisible({ timeout: 15_000 })
  await expect(page.getByTestId('cost-layers')).toHaveCount(0)
  await expect(page.getByRole('heading', { name: 'The three layers of the spend' })).toBeVisible()
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})
