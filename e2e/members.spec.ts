import { test, expect, apiSignIn, sql, DEMO_LOGIN } from './fixtures'

// Members and invitations: an admin invites a person with a role from Settings → Members, the person accepts
// in a fresh browser (signing up), lands in the organization with that role, and the admin sees them as a
// member. Then one person in two organizations: an existing account accepts (signed in with the invited
// email), someone signed in with another email is refused, and the header's switcher moves between them.

async function signUpOrg(request: import('@playwright/test').APIRequestContext, name: string, email: string): Promise<string> {
  const res = await request.post('/api/auth/signup', { data: { org_name: name, email, password: 'correct-horse-battery', name: name.split(' ')[0] } })
  expect(res.status(), await res.text()).toBe(201)
  return ((await res.json()) as { org_slug: string }).org_slug
}

test('the pages under Settings lead back to it: a breadcrumb of Settings, then the page, no empty item', async ({ page }) => {
  // the demo's admin (no sign-up): Settings is theirs, so the breadcrumb leads back to it
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  for (const [path, name] of [
    ['members', 'Members'],
    ['gateway', 'Gateway'],
    ['audit-log', 'Audit log'],
  ]) {
    await page.goto(`/${DEMO_LOGIN.slug}/settings/${path}`)
    await expect(page.getByRole('heading', { name, level: 1 })).toBeVisible()
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' })
    await expect(crumbs.getByRole('listitem')).toHaveText(['Settings', name])
    await expect(crumbs.getByRole('link', { name: 'Settings' })).toHaveAttribute('href', `/${DEMO_LOGIN.slug}/settings`)
    await expect(crumbs.getByRole('listitem').last()).toHaveAttribute('aria-current', 'page')
  }
})

test('an admin invites a finance person, who accepts in a fresh browser; the switcher moves between organizations', async ({ page, browser, baseURL }) => {
  const run = Date.now()
  const adminEmail = `admin-${run}@example.com`
  const personEmail = `fran-${run}@example.com`
  const slug = await signUpOrg(page.request, `Invite Co ${run}`, adminEmail)
  await apiSignIn(page.request, adminEmail, 'correct-horse-battery')

  // Settings → Members
  await page.goto(`/${slug}/settings`)
  await page.getByRole('link', { name: 'Members and invitations' }).click()
  await expect(page).toHaveURL(`/${slug}/settings/members`)
  await expect(page.getByTestId(`member-${adminEmail}`)).toContainText('(you)')

  // the invite form, by keyboard: a field error first, then the invitation
  const email = page.getByLabel('Email', { exact: true }) // not the SSO card's "Allowed email domains"
  await email.fill('not-an-email')
  await email.press('Enter')
  await expect(page.getByText('must be a valid email address')).toBeVisible()
  await email.fill(personEmail)
  await page.getByLabel('Role', { exact: true }).selectOption('finance')
  await email.press('Enter')
  const url = (await page.getByTestId('invitation-url').textContent())!.trim()
  expect(url).toMatch(new RegExp(`^${baseURL}/invite/[A-Za-z0-9_-]{43}$`))
  await expect(page.getByTestId(`invitation-${personEmail}`)).toContainText('finance')

  // the person, in a fresh browser context: sign up through the link, land in the organization as finance
  const fresh = await browser.newContext()
  const p2 = await fresh.newPage()
  await p2.goto(url)
  await expect(p2.getByRole('heading', { name: `Join Invite Co ${run}` })).toBeVisible()
  await expect(p2.getByText(`You are invited to Invite Co ${run} on Outlay as finance.`)).toBeVisible()
  await p2.getByLabel('Your name').fill('Fran')
  await p2.getByLabel('Password').fill('short')
  await p2.getByRole('button', { name: `Create account and join Invite Co ${run}` }).click()
  await expect(p2.getByText('must be at least 10 characters')).toBeVisible()
  await p2.getByLabel('Password').fill('fran-password-123')
  await p2.getByRole('button', { name: `Create account and join Invite Co ${run}` }).click()
  await expect(p2).toHaveURL(`/${slug}/overview`)
  await expect(p2.getByText(`${personEmail} · finance`)).toBeVisible()
  // the link worked once
  await p2.goto(url)
  await expect(p2.getByText('This invitation was already accepted.')).toBeVisible()

  // the admin sees the new member, no pending invitation, and can change the role
  await page.reload()
  const row = page.getByTestId(`member-${personEmail}`)
  await expect(row).toContainText('Fran')
  await expect(row.getByLabel('Role of Fran')).toHaveValue('finance')
  await expect(page.getByTestId(`invitation-${personEmail}`)).toHaveCount(0)
  await row.getByLabel('Role of Fran').selectOption('engineer')
  await expect
    .poll(
      async () => (await sql<{ role: string }>(`SELECT m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE u.email = $1`, [personEmail]))[0]?.role,
    )
    .toBe('engineer')

  // a second organization invites the admin's email; Fran (signed in as herself) is refused its link
  const other = await browser.newContext()
  const p3 = await other.newPage()
  const otherSlug = await signUpOrg(p3.request, `Second Co ${run}`, `second-${run}@example.com`)
  await apiSignIn(p3.request, `second-${run}@example.com`, 'correct-horse-battery')
  const inv = await p3.request.post(`/api/v1/invitations?org=${otherSlug}`, {
    data: { email: adminEmail, role: 'viewer' },
    headers: { origin: new URL(baseURL!).origin },
  })
  expect(inv.status()).toBe(201)
  const secondUrl = ((await inv.json()) as { url: string }).url
  await p2.goto(secondUrl)
  await expect(p2.getByText(`This invitation is for ${adminEmail}, and you are signed in as ${personEmail}.`)).toBeVisible()
  await expect(p2.getByRole('button', { name: /^Join/ })).toHaveCount(0)

  // the admin, signed in with the invited email, joins with one click
  await page.goto(secondUrl)
  await page.getByRole('button', { name: `Join Second Co ${run}` }).click()
  await expect(page).toHaveURL(`/${otherSlug}/overview`)
  await expect(page.getByText(`${adminEmail} · viewer`)).toBeVisible()

  // the switcher: both organizations, the current one selected; switching keeps the section
  const switcher = page.getByTestId('org-switcher')
  await expect(switcher).toHaveValue(otherSlug)
  await expect(switcher.locator('option')).toHaveText([`Invite Co ${run} (admin)`, `Second Co ${run} (viewer)`])
  await page.goto(`/${otherSlug}/budgets`)
  await page.getByTestId('org-switcher').selectOption(slug)
  await expect(page).toHaveURL(`/${slug}/budgets`)
  await expect(page.getByText(`${adminEmail} · admin`)).toBeVisible()
  // Fran belongs to one organization: no switcher, just its name
  await p2.goto(`/${slug}/overview`)
  await expect(p2.getByTestId('org-switcher')).toHaveCount(0)

  await fresh.close()
  await other.close()
})
