import { test, expect, apiSignIn, sql } from './fixtures'

// An admin changes a budget on its page, then finds the change in Settings › Audit log: who, what, when,
// and the before/after diff of the amount; a filter narrows the list and the CSV export carries it too.
test('a budget change appears in the audit log with its diff', async ({ page }) => {
  const stamp = Date.now()
  const email = `audit-${stamp}@example.com`
  const signup = await page.request.post('/api/auth/signup', { data: { org_name: `Audit ${stamp}`, email, password: 'audit-password-1' } })
  const { org_slug } = await signup.json()
  await apiSignIn(page.request, email, 'audit-password-1')
  const created = await page.request.post(`/api/v1/budgets?org=${org_slug}`, {
    data: { name: 'Support monthly', workflow_id: 'support', period: 'month', metric: 'spend', amount_usd: '100' },
  })
  expect(created.status()).toBe(201)
  const { budget } = await created.json()

  await page.goto(`/${org_slug}/budgets/${budget.id}`)
  await page.getByRole('button', { name: 'Edit budget' }).click()
  const edit = page.getByRole('form', { name: 'Edit budget' })
  await edit.getByLabel(/^Amount/).fill('250')
  await edit.getByRole('button', { name: 'Save changes' }).click()
  await expect(page.getByRole('button', { name: 'Edit budget' })).toBeVisible()

  await page.goto(`/${org_slug}/settings`)
  await page.getByRole('link', { name: 'Audit log' }).click()
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible()
  const rows = page.getByTestId('audit-entry')
  // newest first: the update, then the creation (the sign-up's own changes, if any, after them)
  await expect(rows.first()).toContainText('budget.update')
  await expect(rows.first()).toContainText(email)
  await expect(rows.first()).toContainText(`budget ${budget.id}`)
  await expect(rows.nth(1)).toContainText('budget.create')

  await rows.first().getByRole('button', { name: 'Show changes' }).click()
  const diff = page.getByTestId('audit-diff')
  const amount = diff.locator('tr', { hasText: 'amount_usd' })
  await expect(amount.locator('del')).toHaveText('100')
  await expect(amount.locator('ins')).toHaveText('250')
  await expect(diff.locator('tr', { hasText: 'name' })).toHaveCount(0) // unchanged fields are not listed

  const filter = page.getByRole('form', { name: 'Filter the audit log' })
  await filter.getByLabel('Action').fill('budget.create')
  await filter.getByRole('button', { name: 'Filter' }).click()
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toContainText('budget.create')
  await filter.getByLabel('Action').fill('no.such.action')
  await filter.getByRole('button', { name: 'Filter' }).click()
  await expect(page.getByText('No change matches these filters.')).toBeVisible()

  const csv = await page.request.get(`/api/v1/audit-log?org=${org_slug}&format=csv&target_type=budget`)
  expect(csv.headers()['content-type']).toMatch(/^text\/csv/)
  const lines = (await csv.text()).trim().split(/\r?\n/)
  expect(lines).toHaveLength(3)
  expect(lines[1]).toContain('budget.update')

  // the rows the page showed are the ones in the database, chained
  const stored = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM audit_log l JOIN organizations o ON o.id = l.org_id WHERE o.slug = $1 AND l.target_type = 'budget'`,
    [org_slug],
  )
  expect(stored[0].n).toBe(2)
})
