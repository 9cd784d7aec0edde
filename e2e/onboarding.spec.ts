import { test, expect } from './fixtures'

// A new user: sign up, create a key, send events with it, see them priced on the overview.
test('sign up, create an API key, send events, see them on the overview', async ({ page, request }) => {
  const email = `new-${Date.now()}@example.com`
  await page.goto('/signup')
  await page.getByLabel('Organization name').fill(`Acme ${Date.now()}`)
  await page.getByLabel('Work email').fill(email)
  await page.getByLabel('Password').fill('short')
  await page.getByRole('button', { name: 'Create organization' }).click()
  await expect(page.getByText('must be at least 10 characters')).toBeVisible()

  await page.getByLabel('Password').fill('correct-horse-battery')
  await page.getByRole('button', { name: 'Create organization' }).click()
  await expect(page).toHaveURL(/\/acme-\d+\/overview$/)
  await expect(page.getByRole('heading', { name: 'No events yet' })).toBeVisible()
  const slug = new URL(page.url()).pathname.split('/')[1]

  await page.getByRole('link', { name: 'Create an API key' }).click()
  await expect(page).toHaveURL(`/${slug}/settings`)
  await page.getByLabel('Name').fill('e2e ingest')
  await page.getByLabel('read (metrics)').check()
  await page.getByRole('button', { name: 'Create key' }).click()
  const key = (await page.getByTestId('new-api-key').textContent())!.trim()
  expect(key).toMatch(/^outlay_sk_[0-9A-Za-z]{49}$/)
  await expect(page.getByRole('cell', { name: 'e2e ingest', exact: true })).toBeVisible()

  // gpt-4o-mini: (1000−400)·0.15 + 400·0.075 + 200·0.60 = 90 + 30 + 120 = 240 µ$ per call;
  // claude-haiku-4-5: 2000·1.00 + 500·5.00 = 4500 µ$. Total 2·240 + 4500 = 4980 µ$ = $0.00498.
  const now = new Date().toISOString()
  const events = [
    {
      id: 'a1',
      timestamp: now,
      workflow_id: 'support-agent',
      step: 'classify',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 1000,
      cached_tokens_in: 400,
      tokens_out: 200,
    },
    {
      id: 'a2',
      timestamp: now,
      workflow_id: 'support-agent',
      step: 'classify',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 1000,
      cached_tokens_in: 400,
      tokens_out: 200,
    },
    {
      id: 'a3',
      timestamp: now,
      workflow_id: 'email-drafter',
      step: 'generate',
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      tokens_in: 2000,
      tokens_out: 500,
    },
    { id: 'bad', workflow_id: 'email-drafter', step: 'generate', provider: 'openai', model: 'gpt-4o', tokens_in: -1 },
  ]
  const res = await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events } })
  expect(res.status()).toBe(202)
  expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [{ index: 3, errors: ['tokens_in: must be ≥ 0'] }] })

  await expect(async () => {
    await page.goto(`/${slug}/overview`)
    await expect(page.getByTestId('kpi-events')).toHaveText('3', { timeout: 5000 })
  }).toPass({ timeout: 60_000 })
  await expect(page.getByTestId('kpi-spend')).toHaveText('$0.00498')
  await expect(page.getByTestId('by-workflow').getByRole('row').nth(1)).toContainText('email-drafter')
  await expect(page.getByTestId('by-model')).toContainText('openai/gpt-4o-mini')
})
