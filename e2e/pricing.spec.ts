import { test, expect, apiSignIn } from './fixtures'

// An engineer finds an unpriced model, adds its price in one step, watches the
// re-pricing finish, and sees the spend include it.
test('add a price for an unpriced model and see its events re-priced', async ({ page, request }) => {
  const stamp = Date.now()
  const email = `pricing-${stamp}@example.com`
  const signup = await request.post('/api/auth/signup', { data: { org_name: `Pricing ${stamp}`, email, password: 'pricing-password-1' } })
  const { org_slug } = await signup.json()
  await apiSignIn(page.request, email, 'pricing-password-1')
  const { key } = await (await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'ingest', scopes: ['ingest'] } })).json()

  const now = new Date().toISOString()
  const res = await request.post('/api/v1/events', {
    headers: { authorization: `Bearer ${key}` },
    data: {
      events: [
        { id: 'x1', timestamp: now, workflow_id: 'wf', step: 'generate', provider: 'acme', model: 'acme-large-2026-11-01', tokens_in: 1000, tokens_out: 100 },
        { id: 'x2', timestamp: now, workflow_id: 'wf', step: 'generate', provider: 'acme', model: 'acme-large-2026-11-01', tokens_in: 1000, tokens_out: 100 },
      ],
    },
  })
  expect(res.status()).toBe(202)

  await expect(async () => {
    await page.goto(`/${org_slug}/pricing`)
    await expect(page.getByTestId('unpriced')).toContainText('acme/acme-large-2026-11-01', { timeout: 5000 })
  }).toPass({ timeout: 60_000 })
  await page.goto(`/${org_slug}/overview`)
  await expect(page.getByTestId('kpi-unpriced')).toHaveText('2')
  await expect(page.getByTestId('kpi-spend')).toHaveText('unpriced')

  await page.goto(`/${org_slug}/pricing`)
  await page.getByRole('button', { name: 'Add price' }).click()
  const form = page.getByRole('form', { name: 'Price for acme/acme-large-2026-11-01' })
  await form.getByLabel('Model').fill('acme-large')
  await form.getByLabel('Input $/M tokens').fill('abc')
  await form.getByLabel('Output $/M tokens').fill('8')
  await form.getByRole('button', { name: 'Save price and re-price events' }).click()
  await expect(form.getByText('must be a non-negative decimal with at most 9 decimal places')).toBeVisible()
  await form.getByLabel('Input $/M tokens').fill('2')
  await form.getByRole('button', { name: 'Save price and re-price events' }).click()

  await expect(page.getByTestId('reprice-jobs').locator('[data-status="done"]')).toContainText('done: 2 of 2 events changed', { timeout: 30_000 })
  await expect(page.getByText('Every event has a price.')).toBeVisible()
  await expect(page.getByTestId('org-prices')).toContainText('acme/acme-large')

  // 1000·2 + 100·8 = 2800 µ$ per call, two calls: $0.00560
  await page.goto(`/${org_slug}/overview`)
  await expect(page.getByTestId('kpi-spend')).toHaveText('$0.00560')
  await expect(page.getByTestId('kpi-unpriced')).toHaveText('0')

  await page.goto(`/${org_slug}/pricing`)
  await page.getByLabel('Search the catalog').fill('claude-sonnet-4-5')
  await expect(page.getByTestId('catalog')).toContainText('anthropic/claude-sonnet-4-5')
  await expect(page.getByTestId('catalog')).toContainText('> 200,000 tokens')
})
