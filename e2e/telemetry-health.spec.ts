import { test, expect, apiSignIn, createOrg, sql } from './fixtures'
import { formatPercent } from '@/lib/format'
import { jsExporterPayload } from '@/lib/otlp/fixtures'

// "Which of our senders leave out the labels that attribute spend, and where?": events sent with an API key (some
// without account or outcome) and an OpenTelemetry span without service.name nor outlay.* labels, through the API and
// the worker, then the Ingestion page's telemetry health, each figure equal to SQL over the events.

test('telemetry health: per source, the share of spend lacking each label and the routes that lack them, equal to SQL', async ({ page }) => {
  const stamp = Date.now()
  const email = `health-${stamp}@example.com`
  const { org_slug, api_key } = createOrg(`Health ${stamp}`, email, 'password-123', ['ingest', 'read'])
  const auth = { authorization: `Bearer ${api_key}` }
  const at = (minAgo: number) => new Date(stamp - minAgo * 60_000).toISOString()
  const base = { provider: 'openai', model: 'gpt-4o-mini', tokens_out: 100 }
  const events = [
    { id: 'h1', timestamp: at(30), workflow_id: 'support', step: 'draft', outcome: 'success', account_id: 'acme', tokens_in: 1000, ...base },
    { id: 'h2', timestamp: at(29), workflow_id: 'support', step: 'draft', tokens_in: 3000, ...base }, // no outcome, no account
    { id: 'h3', timestamp: at(28), workflow_id: 'search', step: 'rank', outcome: 'success', account_id: 'acme', tokens_in: 2000, ...base },
  ]
  expect((await page.request.post('/api/v1/events', { headers: auth, data: { events } })).status()).toBe(202)
  const span = jsExporterPayload(stamp - 20 * 60_000)
  span.resourceSpans[0].resource.attributes = span.resourceSpans[0].resource.attributes.filter((a) => a.key !== 'service.name')
  for (const ss of span.resourceSpans[0].scopeSpans)
    for (const s of ss.spans) s.attributes = s.attributes.filter((a) => !['outlay.workflow_id', 'outlay.step'].includes(a.key))
  expect((await page.request.post('/api/v1/otlp/v1/traces', { headers: auth, data: span })).status()).toBe(200)
  await expect
    .poll(
      async () =>
        (await sql<{ n: number }>('SELECT count(*)::int AS n FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1', [org_slug]))[0]
          .n,
      {
        timeout: 30_000,
      },
    )
    .toBe(4)

  const [key] = await sql<{ source: string; account: string; outcome: string; any: string }>(
    `SELECT source, (sum(cost_usd) FILTER (WHERE account_id IS NULL) / sum(cost_usd))::float8::text AS account,
       (sum(cost_usd) FILTER (WHERE 'outcome' = ANY(defaulted)) / sum(cost_usd))::float8::text AS outcome,
       (sum(cost_usd) FILTER (WHERE account_id IS NULL OR scenario_id IS NULL OR owner IS NULL OR defaulted IS NOT NULL) / sum(cost_usd))::float8::text AS any
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND source LIKE 'key:%' GROUP BY source`,
    [org_slug],
  )
  const pct = (x: string) => formatPercent(Math.round(Number(x) * 10_000) / 10_000)

  await apiSignIn(page.request, email, 'password-123')
  await page.goto(`/${org_slug}/admin`)
  await expect(page.getByRole('heading', { name: 'Ingestion', level: 1 })).toBeVisible()
  const table = page.getByTestId('telemetry-health')
  const keyRow = table.locator(`tr[data-source="${key.source}"]`)
  await expect(keyRow).toContainText('API key')
  await expect(keyRow.getByTestId('health-account_id')).toHaveText(pct(key.account))
  await expect(keyRow.getByTestId('health-outcome')).toHaveText(pct(key.outcome))
  await expect(keyRow.getByTestId('health-any')).toHaveText(pct(key.any))
  // the span without service.name: its workflow and step were filled in by Outlay
  const otel = table.locator('tr[data-source="otel:unknown"]')
  await expect(otel).toContainText('OpenTelemetry service unknown')
  await expect(otel.getByTestId('health-workflow_id')).toHaveText('100.0%')
  await expect(otel.getByTestId('health-step')).toHaveText('100.0%')
  // the routes that lack labels: support / draft lacks account and outcome (h2)
  await page
    .getByText(/routes? that lack labels/)
    .first()
    .click()
  await expect(page.getByTestId('health-routes').first()).toContainText('support / draft: 2 of 2 calls')
  // the window: the last 24 hours by default, 7 days on request (the calls are minutes old: the same figures)
  await expect(page.getByText('Calls, last 24 hours')).toBeVisible()
  await page.getByLabel('Window').selectOption('168')
  await expect(page.getByText('Calls, last 7 days')).toBeVisible()
  await expect(keyRow.getByTestId('health-account_id')).toHaveText(pct(key.account))
  // sortable by a label's share
  await table.getByRole('button', { name: 'Workflow' }).click()
  await expect(table.getByRole('columnheader', { name: /Workflow/ })).toHaveAttribute('aria-sort', /ascending|descending/)
})
