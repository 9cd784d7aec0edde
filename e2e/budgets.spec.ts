import { test, expect, apiSignIn, DEMO_LOGIN, answerUnavailable } from './fixtures'
import { gpt4oCall } from '../lib/testing/events'

// A finance lead creates a budget in the UI with the keyboard, sees a clear
// error for a bad amount, then sees the budget move to "exceeded" as events
// arrive through the ingest API and the workers.
test('create a budget in the UI and see it exceeded after events arrive', async ({ page, request, consoleErrors }) => {
  const stamp = Date.now()
  const email = `budgets-${stamp}@example.com`
  const signup = await request.post('/api/auth/signup', { data: { org_name: `Budgets ${stamp}`, email, password: 'budgets-password-1' } })
  const { org_slug } = await signup.json()
  await apiSignIn(page.request, email, 'budgets-password-1')
  const { key } = await (await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'ingest', scopes: ['ingest'] } })).json()

  await page.goto(`/${org_slug}/overview`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Budgets' }).click()
  await expect(page.getByRole('heading', { name: 'Budgets', level: 1 })).toBeVisible()
  await expect(page.getByText('No budgets yet.')).toBeVisible()

  const form = page.getByRole('form', { name: 'New budget' })
  await form.getByLabel('Name', { exact: true }).fill('Support, today')
  await form.getByLabel('Measures', { exact: true }).selectOption('spend')
  await form.getByLabel('Period', { exact: true }).selectOption('day')
  await form.getByLabel('Workflow', { exact: true }).fill('support')
  await form.getByLabel(/^Amount/).fill('-1')
  await form.getByLabel(/^Amount/).press('Enter')
  await expect(form.getByRole('alert')).toHaveText('must be a positive USD amount with at most 6 decimal places, e.g. 250 or 0.05')
  await expect(form.getByLabel(/^Amount/)).toHaveAttribute('aria-invalid', 'true')
  expect(consoleErrors).toEqual([expect.stringContaining('status of 400')])
  consoleErrors.splice(0) // the browser logs the expected 400 itself

  await form.getByLabel(/^Amount/).fill('1')
  await form.getByLabel(/^Amount/).press('Enter')
  const row = page.getByTestId('budgets').locator('li[data-budget="Support, today"]')
  await expect(row).toHaveAttribute('data-state', 'ok')
  await expect(row.locator('[data-status]')).toHaveText('within')
  await expect(row).toContainText('workflow support')
  // the scope links to what the budget watches
  await expect(row.locator('[data-budget-scope]').getByRole('link', { name: 'support', exact: true })).toHaveAttribute('href', `/${org_slug}/workflows/support`)

  // gpt-4o: 100k input + 10k output tokens = $0.35 a call; three calls pass $1.
  const now = new Date().toISOString()
  const events = [1, 2, 3].map((i) => gpt4oCall(`b${i}`, { timestamp: now }))
  const res = await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events } })
  expect(res.status()).toBe(202)

  await expect(async () => {
    await page.reload()
    await expect(page.getByTestId('budgets').locator('li[data-budget="Support, today"]')).toHaveAttribute('data-state', 'exceeded', { timeout: 5000 })
  }).toPass({ timeout: 60_000 })
  await expect(row.locator('[data-actual]')).toHaveAttribute('data-actual', '1.050000')
  await expect(row.getByRole('meter')).toHaveAttribute('aria-valuenow', '105')
  await expect(page.getByTestId('kpi-exceeded')).toHaveText('1')

  // The workers' scheduled evaluation fires the crossings, once each; acknowledge the exceeded one.
  const alerts = page.getByTestId('alerts')
  await expect(async () => {
    await page.reload()
    await expect(page.getByTestId('alerts').locator('li[data-alert="Support, today/100"]')).toHaveAttribute('data-state', 'exceeded', { timeout: 5000 })
  }).toPass({ timeout: 90_000 })
  await expect(alerts.locator('li')).toHaveCount(1) // one breach, one alert: its level rose 50 → 80 → 100%
  await alerts.getByRole('button', { name: 'Acknowledge Support, today at 100%' }).click()
  await expect(alerts.locator('li[data-alert="Support, today/100"]')).toContainText('acknowledged')

  // Delete asks once more; Escape keeps the budget and gives the focus back to its Delete button
  await row.getByRole('button', { name: 'Delete the budget Support, today' }).click()
  await expect(row.getByRole('group', { name: 'Confirm deleting the budget “Support, today”' })).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(row.getByRole('button', { name: 'Delete the budget Support, today' })).toBeFocused()
  await row.getByRole('button', { name: 'Delete the budget Support, today' }).click()
  await row.getByRole('button', { name: 'Delete “Support, today”' }).click()
  await expect(page.getByText('No budgets yet.')).toBeVisible()
})

// A failed read of the alerts says so on the budget's page instead of loading forever.
test('a budget’s alerts card says when its read failed', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(page, (url) => url.pathname === '/api/v1/alerts' && url.searchParams.get('kind') === 'budget')
  await page.goto(`/${DEMO_LOGIN.slug}/budgets`)
  await page.getByRole('link', { name: 'support-agent, daily' }).click()
  await expect(page.getByRole('heading', { name: 'support-agent, daily', level: 1 })).toBeVisible()
  await expect(page.getByRole('alert').filter({ hasText: 'Could not load the alerts: The database is unavailable' })).toBeVisible({ timeout: 15_000 })
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})

// The form's notification channels come from a read; when it fails the form says so instead of "Loading…" forever.
test('the budget form says when it could not load the channels', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(page, (url) => url.pathname === '/api/v1/channels')
  await page.goto(`/${DEMO_LOGIN.slug}/budgets`)
  const form = page.getByRole('form', { name: 'New budget' })
  await expect(form.getByRole('alert').filter({ hasText: 'Could not load the channels: The database is unavailable' })).toBeVisible({ timeout: 15_000 })
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})

// A value that is not a number is named under its field, not dropped: the form once sent it as null and saved the
// budget without its run cap.
test('the budget form names a value that is not a number under its field and saves nothing', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/budgets`)
  const form = page.getByRole('form', { name: 'New budget' })
  const name = `Not a number ${Date.now()}`
  await form.getByLabel('Name', { exact: true }).fill(name)
  await form.getByLabel(/^Amount/).fill('10')
  await form.getByLabel("Run cap, × the workflow's p95 per run").fill('abc')
  await form.getByRole('button', { name: 'Create budget' }).click()
  await expect(form.locator('#b-runp95-error')).toContainText('must be a number')
  await expect(page.getByRole('link', { name })).toHaveCount(0)
  await expect(form.getByLabel("Run cap, × the workflow's p95 per run")).toHaveValue('abc') // nothing typed is lost
  consoleErrors.splice(0) // the browser logs the 400 answer itself
})
