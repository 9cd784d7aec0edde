import type { Browser } from '@playwright/test'
import { test, expect, sql, at, nav, signInWithForm, consoleErrorsOf, usd, DEMO_LOGIN, FULL_NAV, type Page } from './fixtures'

// Issue 16's proof, end to end: the demo organization's admin invites a finance person and a customer-success
// person from Settings › Members; each accepts in a fresh browser (a new account: name and password on the
// invitation page), lands where their role comes to, sees the navigation the role allows, opens a page of it
// with its data, and is refused the rest (the page by its URL says which role it needs; the API answers 403).
// The admin then changes a role on the Members page and finds both invitations, both acceptances and the
// role change, with its before/after, in Settings › Audit log.

const ORG = DEMO_LOGIN.slug
const ORG_NAME = 'Demo Co'
type TRole = 'finance' | 'customer_success'
const label = (r: string) => r.replace('_', ' ')

/** Invite by the Members page's form, by keyboard; returns the invitation link the page shows. */
async function invite(page: Page, email: string, role: TRole): Promise<string> {
  const field = page.getByLabel('Email', { exact: true }) // not the SSO card's "Allowed email domains"
  await field.fill(email)
  await page.getByLabel('Role', { exact: true }).selectOption(role)
  await field.press('Enter')
  await expect(page.getByText(`${email} is invited as ${label(role)}.`)).toBeVisible()
  await expect(page.getByTestId(`invitation-${email}`)).toContainText(label(role))
  return (await page.getByTestId('invitation-url').textContent())!.trim()
}

/** The invited person, in a browser of their own: signs up on the invitation page (name, password, Enter). */
async function accept(browser: Browser, url: string, role: TRole, name: string, password: string) {
  const context = await browser.newContext()
  const page = await context.newPage()
  const errors = consoleErrorsOf(page)
  await page.goto(url)
  await expect(page.getByRole('heading', { name: `Join ${ORG_NAME}` })).toBeVisible()
  await expect(page.getByText(`You are invited to ${ORG_NAME} on Outlay as ${label(role)}.`)).toBeVisible()
  await page.getByLabel('Your name').fill(name)
  const pw = page.getByLabel('Password')
  await pw.fill(password)
  await pw.press('Enter')
  return { context, page, errors }
}

/** A configuration change through the API with this page's session (and the app's Origin, as the browser sends it). */
async function apiWrite(page: Page, method: 'POST' | 'PUT', path: string, data: unknown) {
  const res = await page.request.fetch(`${path}?org=${ORG}`, { method, data, headers: { origin: new URL(page.url()).origin } })
  const text = await res.text()
  return {
    status: res.status(),
    message: text ? (JSON.parse(text) as { error?: { message?: string } }).error?.message : `(empty ${res.headers()['content-type'] ?? ''})`,
  }
}

const navLink = (page: Page, name: string) => page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true })

/** A page of the role's organization by its URL: which roles it needs, the person's role, inside the role's navigation. */
async function refused(page: Page, path: string, roles: string, role: TRole, navigation: string[]) {
  await page.goto(`/${ORG}/${path}`)
  await expect(page.getByRole('heading', { level: 1 }), path).toHaveText(`You need the ${roles} role`)
  await expect(page.getByText(`Your role is ${label(role)}`)).toBeVisible()
  await expect(nav(page)).toHaveText(navigation)
}

test('an admin invites finance and customer success; each joins in a fresh browser, sees and is refused what the role says; the audit log has it all', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000)
  const run = Date.now()
  const fin = { email: `team-finance-${run}@example.com`, name: 'Fiona Finance', password: 'fiona-password-1' }
  const cs = { email: `team-cs-${run}@example.com`, name: 'Cesar Success', password: 'cesar-password-1' }

  // the admin: Settings › Members, two invitations
  await signInWithForm(page, DEMO_LOGIN)
  await expect(page).toHaveURL(at(`/${ORG}/overview`))
  await navLink(page, 'Settings').click()
  await page.getByRole('link', { name: 'Members and invitations' }).click()
  await expect(page).toHaveURL(at(`/${ORG}/settings/members`))
  const finUrl = await invite(page, fin.email, 'finance')
  const csUrl = await invite(page, cs.email, 'customer_success')
  expect(csUrl).not.toBe(finUrl)

  // finance, in a fresh browser: the overview, every view but Settings and Ingestion (keys, queues)
  const f = await accept(browser, finUrl, 'finance', fin.name, fin.password)
  await expect(f.page).toHaveURL(at(`/${ORG}/overview`))
  await expect(f.page.getByText(`${fin.email} · finance`)).toBeVisible()
  const financeNav = FULL_NAV.filter((l) => l !== 'Settings' && l !== 'Ingestion')
  await expect(nav(f.page)).toHaveText(financeNav)
  // the monthly report (of a week ago's month: the 14 demo days always give it data) is the books' total
  await navLink(f.page, 'Reports').click()
  await expect(f.page).toHaveURL(at(`/${ORG}/reports/monthly`))
  const month = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 7)
  await f.page.goto(`/${ORG}/reports/monthly?month=${month}`)
  const [books] = await sql<{ usd: string; n: number }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS usd, count(*)::int AS n FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.timestamp >= $2::timestamptz AND e.timestamp < ($2::timestamptz + interval '1 month')`,
    [ORG, `${month}-01T00:00:00Z`],
  )
  expect(books.n).toBeGreaterThan(0)
  await expect(f.page.getByTestId('report-total')).toHaveText(usd(books.usd))
  // Pricing reads, never writes; keys and queues are not theirs
  await f.page.goto(`/${ORG}/pricing`)
  await expect(f.page.getByRole('heading', { level: 1 })).toHaveText('Pricing')
  await expect(f.page.getByText('Admins and engineers can add prices.')).toBeVisible()
  await expect(f.page.getByText('Add or correct a price')).toHaveCount(0)
  expect(await apiWrite(f.page, 'PUT', '/api/v1/prices', { models: [] })).toEqual({ status: 403, message: 'Your role (finance) does not allow prices.write' })
  expect(
    await apiWrite(f.page, 'POST', '/api/v1/gpu/pools', {
      name: 'finance-pool',
      role: 'test',
      gpu_type: 'L4',
      gpu_count: 1,
      pricing: 'hourly',
      gpu_hour_usd: '0.7',
    }),
  ).toEqual({ status: 403, message: 'Your role (finance) does not allow fleet.write' })
  expect(await apiWrite(f.page, 'POST', '/api/v1/keys', { name: 'finance key', scopes: ['read'] })).toEqual({
    status: 403,
    message: 'Your role (finance) does not allow keys.manage',
  })
  await refused(f.page, 'settings', 'engineer or admin', 'finance', financeNav)
  await refused(f.page, 'admin', 'admin', 'finance', financeNav)

  // customer success, in another fresh browser: lands on Accounts, sees Workflows and Accounts only
  const c = await accept(browser, csUrl, 'customer_success', cs.name, cs.password)
  await expect(c.page).toHaveURL(at(`/${ORG}/accounts`))
  await expect(c.page.getByText(`${cs.email} · customer success`)).toBeVisible()
  const csNav = ['Workflows', 'Accounts', 'Calls']
  await expect(nav(c.page)).toHaveText(csNav)
  await expect(c.page.getByRole('heading', { level: 1 })).toHaveText('Accounts')
  await expect(c.page.getByRole('table').first().getByRole('row').nth(1)).toBeVisible()
  await navLink(c.page, 'Workflows').click()
  await expect(c.page).toHaveURL(at(`/${ORG}/workflows`))
  await expect(c.page.getByRole('table').first().getByRole('row').nth(1)).toBeVisible()
  for (const path of ['pricing', 'fleet']) await refused(c.page, path, 'engineer, finance, viewer or admin', 'customer_success', csNav)
  await refused(c.page, 'settings', 'engineer or admin', 'customer_success', csNav)
  expect(
    await apiWrite(c.page, 'POST', '/api/v1/budgets', { name: 'cs budget', workflow_id: 'support', period: 'month', metric: 'spend', amount_usd: '100' }),
  ).toEqual({ status: 403, message: 'Your role (customer_success) does not allow budgets.write' })
  expect(await apiWrite(c.page, 'POST', '/api/v1/keys', { name: 'cs key', scopes: ['read'] })).toEqual({
    status: 403,
    message: 'Your role (customer_success) does not allow keys.manage',
  })

  // the admin: both are members now, no invitation pending; the customer-success person becomes finance
  await page.reload()
  await expect(page.getByTestId(`invitation-${fin.email}`)).toHaveCount(0)
  await expect(page.getByTestId(`invitation-${cs.email}`)).toHaveCount(0)
  await expect(page.getByTestId(`member-${fin.email}`).getByLabel(`Role of ${fin.name}`)).toHaveValue('finance')
  const csRole = page.getByTestId(`member-${cs.email}`).getByLabel(`Role of ${cs.name}`)
  await expect(csRole).toHaveValue('customer_success')
  const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/api/v1/members/`))
  await csRole.selectOption('finance')
  expect((await saved).status()).toBe(200)
  await page.reload()
  await expect(page.getByTestId(`member-${cs.email}`).getByLabel(`Role of ${cs.name}`)).toHaveValue('finance')
  // at once: the same browser now opens the overview and sees finance's navigation
  await c.page.goto(`/${ORG}/overview`)
  await expect(c.page.getByText(`${cs.email} · finance`)).toBeVisible()
  await expect(nav(c.page)).toHaveText(financeNav)

  // Settings › Audit log: the invitations, their acceptances and the role change, by whom, with the diff
  const [finInv, csInv] = await Promise.all(
    [fin.email, cs.email].map(async (email) => (await sql<{ id: string }>(`SELECT id::text FROM invitations WHERE email = $1`, [email]))[0].id),
  )
  const [csUser] = await sql<{ id: string }>(`SELECT id::text FROM users WHERE email = $1`, [cs.email])
  await navLink(page, 'Settings').click()
  await page.getByRole('link', { name: 'Audit log' }).click()
  await expect(page.getByRole('heading', { name: 'Audit log', level: 1 })).toBeVisible()
  const action = page.getByRole('form', { name: 'Filter the audit log' }).getByLabel('Action')
  const rows = page.getByTestId('audit-entry')
  const row = (target: string) => rows.filter({ hasText: target })

  await action.fill('invitation.create')
  await action.press('Enter')
  for (const id of [finInv, csInv]) {
    await expect(row(`invitation ${id}`)).toHaveCount(1)
    await expect(row(`invitation ${id}`)).toContainText(DEMO_LOGIN.email)
  }
  await row(`invitation ${csInv}`).getByRole('button', { name: 'Show changes' }).click()
  await expect(page.getByTestId('audit-diff').locator('tr', { hasText: 'email' }).locator('ins')).toHaveText(cs.email)
  await expect(page.getByTestId('audit-diff').locator('tr', { hasText: 'role' }).locator('ins')).toHaveText('customer_success')

  await action.fill('invitation.accept')
  await action.press('Enter')
  await expect(row(`invitation ${finInv}`)).toContainText(fin.email) // the person who joined acts
  await expect(row(`invitation ${csInv}`)).toContainText(cs.email)

  await action.fill('member.role_change')
  await action.press('Enter')
  const change = row(`member ${csUser.id}`)
  await expect(change).toHaveCount(1)
  await expect(change).toContainText(DEMO_LOGIN.email)
  await change.getByRole('button', { name: 'Show changes' }).click()
  const role = page.getByTestId('audit-diff').locator('tr', { hasText: 'role' })
  await expect(role.locator('del')).toHaveText('customer_success')
  await expect(role.locator('ins')).toHaveText('finance')

  expect(f.errors, 'the finance browser logged errors').toEqual([])
  expect(c.errors, 'the customer-success browser logged errors').toEqual([])
  await f.context.close()
  await c.context.close()
})
