import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN } from './fixtures'

// "Where is money I could save, and what do I do about it?": the demo's
// opportunities, largest first, each figure equal to SQL over its events, with
// the formula, the evidence and a link to the step.

// The demo's events all fall in the page's last 30 days (it seeds 14), so the range's sums are the whole data's.
const REPEATS_SQL = `
  WITH x AS (
    SELECT workflow_id, step, cost_usd, row_number() OVER (PARTITION BY workflow_id, step, input_hash ORDER BY "timestamp", event_id COLLATE "C") AS n
    FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND input_hash IS NOT NULL)
  SELECT workflow_id, step, count(*)::int AS repeats, round(sum(cost_usd), 6)::text AS cost
  FROM x WHERE n > 1 GROUP BY 1, 2 ORDER BY sum(cost_usd) DESC, 1, 2`

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

  const [retries] = await sql<{ workflow_id: string; step: string; cost: string }>(
    `SELECT workflow_id, step, round(sum(cost_usd), 6)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND outcome IN ('retry', 'error') GROUP BY 1, 2 ORDER BY sum(cost_usd) DESC LIMIT 1`,
    [DEMO_LOGIN.slug],
  )
  const retryRow = page.getByTestId(`opportunity-retries:${retries.workflow_id}:${retries.step}`)
  await expect(retryRow.getByTestId('saving')).toHaveText(`${usd(retries.cost)} in the range`)

  // largest first: the first row's monthly saving is the largest
  const perMonth = await page.getByTestId('saving-per-month').allTextContents()
  const values = perMonth.map((s) => Number(s.replace(/[$,]/g, '')))
  expect(values).toEqual([...values].sort((a, b) => b - a))
  await expect(page.getByTestId('kpi-count')).toHaveText(String(values.length))

  // sortable: by workflow / step
  await page.getByRole('button', { name: 'Workflow / step' }).click()
  await expect(page.getByRole('columnheader', { name: /Workflow \/ step/ })).toHaveAttribute('aria-sort', 'ascending')

  // the action opens the step
  await cacheRow.getByRole('link').click()
  await expect(page.getByRole('heading', { name: `Decision record: ${cache.workflow_id} / ${cache.step}`, level: 1 })).toBeVisible()
})
