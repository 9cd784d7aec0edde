import { test, expect, apiSignIn, createOrg, sql, DEMO_LOGIN, answerUnavailable } from './fixtures'

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

// A negotiated price typed on the pricing page keeps the catalog's long-context tiers: the form asks, previews the
// tiers scaled by the same discount, saves them (SQL), shows them in the list, and edits them.
test('a negotiated price keeps, shows and edits long-context tiers', async ({ page }) => {
  const stamp = Date.now()
  const email = `tiers-${stamp}@example.com`
  const made = createOrg(`Tiers ${stamp}`, email, 'tiers-password-1', ['read'])
  const slug = made.org_slug
  await apiSignIn(page.request, email, 'tiers-password-1')
  const tiersInDb = async () =>
    (
      await sql<{ tiers: unknown }>(
        `SELECT p.tiers FROM prices p JOIN organizations o ON o.id = p.org_id WHERE o.slug = $1 AND p.provider = 'anthropic' AND p.model = 'claude-sonnet-4-5'`,
        [slug],
      )
    ).map((r) => r.tiers)

  await page.goto(`/${slug}/pricing`)
  await page.getByText('Add or correct a price').click()
  const form = page.getByRole('form', { name: 'Add or correct a price' })
  await form.getByLabel('Provider').fill('anthropic')
  await form.getByLabel('Model').fill('claude-sonnet-4-5')
  // 20% off the catalog's $3 / $0.30 / $3.75 / $15 per M
  await form.getByLabel('Input $/M tokens').fill('2.4')
  await form.getByLabel('Cached input $/M').fill('0.24')
  await form.getByLabel('Cache write $/M').fill('3')
  await form.getByLabel('Output $/M tokens').fill('12')
  const question = form.getByRole('radiogroup')
  await expect(question).toContainText('The catalog prices anthropic/claude-sonnet-4-5 higher above 200,000 input tokens')
  await form.getByRole('button', { name: 'Save price and re-price events' }).click()
  await expect(form.getByText("choose whether calls above the catalog's threshold keep its long-context tiers")).toBeVisible()

  // "No tiers": saved as typed, with the server's warning
  await question.getByLabel('No tiers: this price for every call, whatever its size').check()
  await form.getByRole('button', { name: 'Save price and re-price events' }).click()
  await expect(form.getByText(/priced at its base rates/)).toBeVisible()
  expect(await tiersInDb()).toEqual([null])

  // Correct it: the edit form asks again; keeping the catalog's tiers previews and saves them scaled
  await page.getByRole('button', { name: 'Edit anthropic/claude-sonnet-4-5' }).click()
  const edit = page.getByRole('form', { name: 'Correct anthropic/claude-sonnet-4-5' })
  const keep = edit.getByLabel(/Keep the catalog's tiers, scaled by the same discount/)
  await expect(keep).toBeVisible()
  await expect(edit.getByRole('radiogroup')).toContainText('above 200,000 input tokens: $4.8 in, $0.48 cached, $6 cache write, $18 out per M')
  await keep.check()
  await edit.getByRole('button', { name: 'Save price and re-price events' }).click()
  await expect(page.getByTestId('price-tiers')).toHaveText(
    'Long-context tiers: above 200,000 input tokens: $4.8 in, $0.48 cached, $6 cache write, $18 out per M',
  )
  expect(await tiersInDb()).toEqual([
    [{ above_input_tokens: 200000, input_per_mtok: '4.8', cached_input_per_mtok: '0.48', cache_write_per_mtok: '6', output_per_mtok: '18' }],
  ])

  // Edit the tier itself
  await page.getByRole('button', { name: 'Edit anthropic/claude-sonnet-4-5' }).click()
  const again = page.getByRole('form', { name: 'Correct anthropic/claude-sonnet-4-5' })
  await expect(again.getByLabel('Tier 1 input $/M')).toHaveValue('4.8')
  await again.getByLabel('Tier 1 input $/M').fill('5')
  await again.getByRole('button', { name: 'Save price and re-price events' }).click()
  await expect(page.getByTestId('price-tiers')).toContainText('$5 in')
  expect(await tiersInDb()).toEqual([
    [{ above_input_tokens: 200000, input_per_mtok: '5', cached_input_per_mtok: '0.48', cache_write_per_mtok: '6', output_per_mtok: '18' }],
  ])
})

// The re-pricing progress and the provider-reported differences are shown only when there is something to show; a
// failed read says so instead of hiding them as if there were none.
test('the pricing page says when it could not read the re-pricing jobs or the differences', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(page, (url) => url.pathname === '/api/v1/reprice-jobs' || url.pathname === '/api/v1/prices/discrepancies')
  await page.goto(`/${DEMO_LOGIN.slug}/pricing`)
  await expect(page.getByRole('alert').filter({ hasText: 'Could not load the re-pricing jobs: The database is unavailable' })).toBeVisible({ timeout: 15_000 })
  await expect(page.getByRole('alert').filter({ hasText: 'Could not compare with the provider-reported cost: The database is unavailable' })).toBeVisible()
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})
