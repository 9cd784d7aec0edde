import OpenAI from 'openai'
import { test, expect, apiSignIn, createOrg, sql } from './fixtures'
import { startFakeUpstream, FAKE_TEXT } from '../lib/testing/fake-upstream'

// Issue 18, the response cache on the dashboards: calls through the gateway with the official `openai` client
// against a fake upstream, the same input repeated with `x-outlay-cache: on`; the overview and the workflow page
// then say how many calls the cache answered and what it saved (the repeated calls' cost, not in Spend), and,
// before any hit, how to turn the cache on.
test('the overview and the workflow page show the calls the response cache answered and the dollars it saved', async ({ page, baseURL }) => {
  test.setTimeout(240_000) // an organization made by the CLI, calls waiting for the ingest worker, three page loads: over a minute on a loaded machine
  const fake = await startFakeUpstream()
  try {
    const stamp = Date.now()
    const email = `rcache-${stamp}@example.com`
    const { org_slug, api_key } = createOrg(`Response cache ${stamp}`, email, 'rcache-password-1', ['gateway'])
    await apiSignIn(page.request, email, 'rcache-password-1')
    const put = await page.request.put(`/api/v1/gateway/providers?org=${org_slug}`, {
      data: { providers: [{ provider: 'openai', base_url: `${fake.url}/v1`, api_key: 'sk-e2e-upstream-key-4321' }] },
    })
    expect(put.status()).toBe(200)

    const openai = new OpenAI({ baseURL: `${baseURL}/api/v1/gateway/openai/v1`, apiKey: api_key })
    const headers = { 'x-outlay-workflow-id': 'e2e-rcache', 'x-outlay-step': 'answer' }
    const stored = async () =>
      (
        await sql<{ n: number; hits: number }>(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE e.response_cache_hit)::int AS hits
           FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1`,
          [org_slug],
        )
      )[0]

    // one call, no cache: the pages say there was no hit and how to turn the cache on
    const first = await openai.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hello' }] }, { headers })
    expect(first.choices[0].message.content).toBe(FAKE_TEXT)
    await expect.poll(stored, { timeout: 20_000 }).toEqual({ n: 1, hits: 0 })
    await page.goto(`/${org_slug}/overview`)
    const LOAD = { timeout: 45_000 } // a page's first figures, on a loaded machine
    await expect(page.getByTestId('kpi-events')).toHaveText('1', LOAD)
    const line = page.getByTestId('response-cache')
    await expect(line.getByTestId('response-cache-off')).toContainText('No calls answered from it in this range')
    await expect(line.getByTestId('response-cache-off')).toContainText('x-outlay-cache: on')
    await expect(line.getByRole('link', { name: 'routing policy' })).toHaveAttribute('href', `/${org_slug}/routing`)

    // the same input four times with x-outlay-cache: on: the first goes upstream (gpt-4o, $0.00325), the three
    // others are answered from the cache, each saving the first one's cost
    for (let i = 0; i < 4; i++) {
      const r = await openai.chat.completions.create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'cache me' }] },
        { headers: { ...headers, 'x-outlay-cache': 'on' } },
      )
      expect(r.choices[0].message.content).toBe(FAKE_TEXT)
    }
    expect(fake.requests).toHaveLength(2)
    await expect.poll(stored, { timeout: 20_000 }).toEqual({ n: 5, hits: 3 })

    // the metrics API has the two measures (3 hits, 3 × $0.00325 saved)
    const metrics = await page.request.get(`/api/v1/metrics?org=${org_slug}&measures=response_cache_hits,response_cache_savings_usd,cost_usd`)
    expect(metrics.status()).toBe(200)
    expect((await metrics.json()).rows).toEqual([{ events: 5, response_cache_hits: 3, response_cache_savings_usd: '0.009750', cost_usd: '0.006500' }])

    // the overview: Spend is the two calls that went upstream; the cache line says what the three hits saved
    await page.goto(`/${org_slug}/overview`)
    await expect(page.getByTestId('kpi-events')).toHaveText('5', LOAD)
    await expect(page.getByTestId('kpi-spend')).toHaveText('$0.00650')
    await expect(line.getByTestId('response-cache-hits')).toHaveText('3 calls')
    await expect(line.getByTestId('response-cache-savings')).toHaveText('$0.00975 saved')
    await expect(line).toContainText('(60.0% of calls)')
    await expect(line).toContainText('not in Spend')
    await expect(line.getByTestId('response-cache-off')).toHaveCount(0)
    // labelled apart from the prompt cache's KPI
    await expect(page.getByText('Prompt-cache savings', { exact: true })).toBeVisible()

    // the workflow page: the same figures for this workflow
    await page.getByTestId('by-workflow').getByRole('link', { name: 'e2e-rcache', exact: true }).click()
    await expect(page.getByRole('heading', { name: 'Workflow e2e-rcache', level: 1 })).toBeVisible(LOAD)
    await expect(line.getByTestId('response-cache-hits')).toHaveText('3 calls', LOAD)
    await expect(line.getByTestId('response-cache-savings')).toHaveText('$0.00975 saved')
    await expect(page.getByText('Prompt-cache hits').first()).toBeVisible()
  } finally {
    await fake.close()
  }
})
