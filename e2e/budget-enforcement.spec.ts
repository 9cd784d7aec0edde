import { test, expect, apiSignIn, sql, usd } from './fixtures'
import { gpt4oCall } from '../lib/testing/events'

// An engineer gives a workflow a daily budget with a hard cutoff in the UI;
// spend sent through the ingest API passes it, the workers evaluate it, and
// POST /api/v1/decide (the web server's fast path) starts denying the
// workflow's calls. The budget's page shows why: burn-down, state history.
test('a hard-cutoff budget created in the UI denies calls through decide once spend passes it', async ({ page, request }) => {
  const stamp = Date.now()
  const email = `cutoff-${stamp}@example.com`
  const { org_slug } = await (await request.post('/api/auth/signup', { data: { org_name: `Cutoff ${stamp}`, email, password: 'cutoff-password-1' } })).json()
  await apiSignIn(page.request, email, 'cutoff-password-1')
  const { key } = await (await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'sdk', scopes: ['ingest'] } })).json()
  const decide = async () => {
    const r = await request.post('/api/v1/decide', { headers: { authorization: `Bearer ${key}` }, data: { workflow_id: 'support', step: 'draft' } })
    return { status: r.status(), retryAfter: r.headers()['retry-after'], body: await r.json() }
  }

  await page.goto(`/${org_slug}/budgets`)
  const form = page.getByRole('form', { name: 'New budget' })
  await form.getByLabel('Name', { exact: true }).fill('Support cutoff')
  await form.getByLabel('Period', { exact: true }).selectOption('day')
  await form.getByLabel('Workflow', { exact: true }).fill('support')
  await form.getByLabel(/^Amount/).fill('1')
  await form.getByLabel('Hard cutoff once exceeded').check()
  await form.getByLabel('Once exceeded', { exact: true }).selectOption('deny')
  await form.getByRole('button', { name: 'Create budget' }).click()
  const row = page.getByTestId('budgets').locator('li[data-budget="Support cutoff"]')
  await expect(row.locator('[data-cutoff]')).toHaveText('hard cutoff: deny')

  const before = await decide()
  expect(before).toMatchObject({ status: 404, body: { error: { code: 'no_policy' }, budget: { state: 'ok', action: 'allow' } } })

  // gpt-4o: 100k input + 10k output tokens = $0.35 a call; three calls pass $1.
  const now = new Date().toISOString()
  const events = [1, 2, 3].map((i) => gpt4oCall(`c${i}`, { timestamp: now }))
  expect((await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events } })).status()).toBe(202)

  await expect(async () => expect((await decide()).body.budget.action).toBe('deny')).toPass({ timeout: 60_000 })
  const after = await decide()
  expect(after.body.budget).toMatchObject({ state: 'exceeded', action: 'deny', budget_name: 'Support cutoff' })
  expect(Number(after.retryAfter)).toBe(after.body.budget.retry_after_s)
  // the events are on the books whatever decide says
  const [{ n, total }] = await sql<{ n: number; total: string }>(
    `SELECT count(*)::int AS n, round(sum(e.cost_usd), 6)::text AS total FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1`,
    [org_slug],
  )
  expect(n).toBe(3)

  await page.reload()
  await expect(row.locator('[data-cutoff]')).toHaveText('denying calls')
  await row.getByRole('link', { name: 'Support cutoff' }).click()
  await expect(page.getByRole('heading', { name: 'Support cutoff', level: 1 })).toBeVisible()
  await expect(page.getByTestId('kpi-actual')).toHaveText(usd(total))
  await expect(page.getByTestId('kpi-enforcement')).toHaveText('Denied')
  await expect(page.getByText(/Denying the calls it covers until the period ends/)).toBeVisible()
  await expect(page.getByRole('img', { name: 'Support cutoff: cumulative spend against the amount' })).toBeVisible()
  await expect(page.getByTestId('state-history').locator('tr[data-to="exceeded"]')).toHaveCount(1)

  // Raise the amount on the budget's page: decide lets the calls through again within seconds.
  await page.getByRole('button', { name: 'Edit budget' }).click()
  const edit = page.getByRole('form', { name: 'Edit budget' })
  await expect(edit.getByLabel('Once exceeded', { exact: true })).toHaveValue('deny')
  await edit.getByLabel(/^Amount/).fill('100')
  await edit.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByTestId('kpi-enforcement')).toHaveText('Allowed')
  await expect(async () => expect((await decide()).body.budget).toEqual({ state: 'ok', action: 'allow' })).toPass({ timeout: 30_000 })
})
