import { test, expect, at, nav, signInWithForm, demoMember, DEMO_LOGIN, FULL_NAV } from './fixtures'

// Roles that match the people (PRODUCT.md "Who uses it", "Users and access"): a
// finance member and a customer-success member of the demo organization sign in
// through the form, land where their persona comes to, see only the navigation
// their role opens, and a page's URL their role cannot open says which role it needs.

const ORG = DEMO_LOGIN.slug

test('finance: lands on the overview, sees every view but settings and ingestion, exports reports, and is told which role edits keys', async ({ page }) => {
  const finance = await demoMember('finance')
  await signInWithForm(page, finance)
  await expect(page).toHaveURL(at(`/${ORG}/overview`))
  await expect(nav(page)).toHaveText(FULL_NAV.filter((l) => l !== 'Settings' && l !== 'Ingestion'))

  // exports: the monthly report's CSV is offered and answers
  await page.goto(`/${ORG}/reports/monthly`)
  const csv = page.getByRole('link', { name: 'Export CSV' })
  await expect(csv).toBeVisible()
  const answer = await page.request.get((await csv.getAttribute('href'))!)
  expect(answer.status()).toBe(200)
  expect(answer.headers()['content-type']).toMatch(/^text\/csv/)

  // reads GPU pools (their prices), cannot change them
  const pools = await page.request.post(`/api/v1/gpu/pools?org=${ORG}`, {
    data: { name: 'finance-pool', role: 'test', gpu_type: 'L4', gpu_count: 1, pricing: 'hourly', gpu_hour_usd: '0.7' },
  })
  expect(pools.status()).toBe(403)

  // a page for another role, by its URL: which role it needs, inside the shell
  await page.goto(`/${ORG}/settings`)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('You need the engineer or admin role')
  await expect(page.getByText('Your role is finance')).toBeVisible()
  await expect(nav(page)).toHaveCount(14)
})

test('customer success: lands on Accounts after sign-in and from the organization root, sees Workflows and Accounts only, and a pricing URL says which role it needs', async ({
  page,
}) => {
  const cs = await demoMember('customer_success')
  await signInWithForm(page, cs)
  await expect(page).toHaveURL(at(`/${ORG}/accounts`))
  await expect(nav(page)).toHaveText(['Workflows', 'Accounts', 'Calls'])
  await expect(page.getByRole('link', { name: 'Accounts' })).toHaveAttribute('aria-current', 'page')
  // their customers' spend, no export
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Accounts')
  await expect(page.getByRole('table').first().getByRole('row').nth(1)).toBeVisible()
  await expect(page.getByRole('button', { name: 'Export CSV' })).toHaveCount(0)

  await page.goto(`/${ORG}`)
  await expect(page).toHaveURL(at(`/${ORG}/accounts`))

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Workflows' }).click()
  await expect(page).toHaveURL(at(`/${ORG}/workflows`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Workflows')
  await expect(page.getByRole('table').first().getByRole('row').nth(1)).toBeVisible()

  for (const [path, roles] of [
    ['pricing', 'engineer, finance, viewer or admin'],
    ['fleet', 'engineer, finance, viewer or admin'],
    ['settings', 'engineer or admin'],
    ['overview', 'engineer, finance, viewer or admin'],
  ] as const) {
    await page.goto(`/${ORG}/${path}`)
    await expect(page.getByRole('heading', { level: 1 }), path).toHaveText(`You need the ${roles} role`)
    await expect(page.getByText('Your role is customer success')).toBeVisible()
    await expect(nav(page)).toHaveText(['Workflows', 'Accounts', 'Calls'])
  }
  // the API refuses the same configuration
  expect((await page.request.get(`/api/v1/prices?org=${ORG}`)).status()).toBe(403)
  expect((await page.request.get(`/api/v1/gpu/pools?org=${ORG}`)).status()).toBe(403)

  await page.getByRole('link', { name: 'Go to your start page' }).click()
  await expect(page).toHaveURL(at(`/${ORG}/accounts`))
})
