import { test, expect, sql, apiSignIn, DEMO_LOGIN, type Page } from './fixtures'
import { startOidcProvider } from './support/oidc-provider'

// Single sign-on (docs/accounts-and-members.md, "Accounts and sessions"): a real OpenID Connect provider runs in this process on
// E2E_PORT+2000, where scripts/e2e-server.sh points OIDC_ISSUER. The demo admin allows a domain through the
// API; a new person of that domain signs in with the provider and lands in the demo organization with the
// role the domain gives; an existing user signs in as themselves; an email of no allowed domain is refused.

const ORG = DEMO_LOGIN.slug
const DOMAIN = `sso-${Date.now()}.test`
let stop: (() => Promise<void>) | null = null
let appOrigin = ''

// The browser goes to the provider: no Origin header forced onto its requests (fixtures.ts adds ours for API
// calls; Chromium refuses it on the provider's page loads). The admin's API call below sends it itself.
test.use({ extraHTTPHeaders: {} })

test.beforeAll(async ({ baseURL }) => {
  const app = new URL(baseURL!)
  appOrigin = app.origin
  stop = (await startOidcProvider(Number(app.port) + 2000, app.origin)).close
})
test.afterAll(async () => {
  await stop?.()
})

test.beforeEach(async ({ page }) => {
  // the provider's development login page imports a web font: answered empty here (no network, no console error)
  await page.route(/^https:\/\/fonts\.(googleapis|gstatic)\.com\//, (r) => r.fulfill({ status: 200, contentType: 'text/css', body: '' }))
})

const at = (path: string) => new RegExp(`^http://127\\.0\\.0\\.1:\\d+${path.replace(/[/?]/g, '\\$&')}(\\?.*)?$`)

/** From Outlay's sign-in page through the provider's login (and consent) back to Outlay. */
async function signInWithProvider(page: Page, login: string) {
  await page.goto('/signin')
  await page.getByRole('link', { name: 'Sign in with Test IdP' }).click()
  await page.locator('input[name="login"]').fill(login)
  await page.locator('input[name="password"]').fill('any password')
  await page.getByRole('button', { name: 'Sign-in' }).click()
  const consent = page.getByRole('button', { name: 'Continue' })
  // the provider asks for consent (once per account and client), or sends the browser straight back
  await expect.poll(async () => new URL(page.url()).origin === appOrigin || (await consent.isVisible())).toBe(true)
  if (new URL(page.url()).origin !== appOrigin) await consent.click()
}

test('a new person of an allowed domain signs in with the provider and lands in the organization with its role', async ({ page, request }) => {
  await apiSignIn(request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const put = await request.put(`/api/v1/sso/domains?org=${ORG}`, {
    headers: { origin: appOrigin },
    data: { domains: [{ domain: DOMAIN.toUpperCase(), role: 'customer_success' }] },
  })
  expect(put.status()).toBe(200)
  expect(await put.json()).toEqual({ domains: [{ domain: DOMAIN, role: 'customer_success' }], sso_configured: true })

  const email = `grace@${DOMAIN}`
  await signInWithProvider(page, email)
  // customer success lands on Accounts, and sees only what the role opens
  await expect(page).toHaveURL(at(`/${ORG}/accounts`))
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link')).toHaveText(['Workflows', 'Accounts', 'Calls'])
  await page.goto(`/${ORG}/pricing`)
  await expect(page.getByText('Your role is customer success')).toBeVisible()

  const [m] = await sql<{ role: string; verified: boolean }>(
    `SELECT m.role::text, u.email_verified_at IS NOT NULL AS verified FROM memberships m JOIN users u ON u.id = m.user_id JOIN organizations o ON o.id = m.org_id WHERE u.email = $1 AND o.slug = $2`,
    [email, ORG],
  )
  expect(m).toEqual({ role: 'customer_success', verified: true })
  // the joining is in the organization's audit log, and so is the domain list's change
  const audit = await sql<{ action: string }>(
    `SELECT a.action FROM audit_log a JOIN organizations o ON o.id = a.org_id WHERE o.slug = $1 AND a.action IN ('member.add', 'sso_domains.update') AND a.at > now() - interval '10 minutes' ORDER BY a.seq`,
    [ORG],
  )
  expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['sso_domains.update', 'member.add']))

  // the session is an ordinary one: signing out everywhere (session version) ends it
  await sql(`UPDATE users SET session_version = session_version + 1 WHERE email = $1`, [email])
  await page.goto(`/${ORG}/accounts`)
  await expect(page).toHaveURL(/\/signin/)
})

test('an existing user signs in with the provider as themselves', async ({ page }) => {
  await signInWithProvider(page, DEMO_LOGIN.email)
  await expect(page).toHaveURL(at(`/${ORG}/overview`))
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' })).toBeVisible()

  // the admin's own view of the allowed domains (Settings › Members): add one as engineers, saved lower-cased
  const other = `eng-${Date.now()}.test`
  await page.goto(`/${ORG}/settings/members`)
  const sso = page.getByRole('group', { name: 'Allowed email domains' })
  await expect(sso).toBeVisible()
  const before = await sso.getByRole('textbox').count()
  await sso.getByRole('button', { name: 'Add a domain' }).click()
  await sso.getByLabel(`Domain ${before + 1}`, { exact: true }).fill(other.toUpperCase())
  await sso.getByLabel(`Role for domain ${before + 1}`).selectOption('engineer')
  await sso.getByRole('button', { name: 'Save domains' }).click()
  await expect(sso.getByText('Saved.')).toBeVisible()
  // the saved list, as the server answers it (lower-cased, by domain)
  await expect.poll(() => sso.getByRole('textbox').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toContain(other)
  const rows = await sql(`SELECT s.role::text FROM sso_domains s JOIN organizations o ON o.id = s.org_id WHERE o.slug = $1 AND s.domain = $2`, [ORG, other])
  expect(rows).toEqual([{ role: 'engineer' }])
})

test('an email of no allowed domain and no account is refused with a clear message, and no account is made', async ({ page }) => {
  const email = `eve@not-allowed-${Date.now()}.test`
  await signInWithProvider(page, email)
  await expect(page).toHaveURL(/\/signin\?error=SsoNoAccount/)
  await expect(page.getByText('no organization lets its email domain join')).toBeVisible()
  expect(await sql(`SELECT 1 FROM users WHERE email = $1`, [email])).toEqual([])
})

test('an email the provider has not verified is refused', async ({ page }) => {
  await signInWithProvider(page, `unverified-ada@${DOMAIN}`)
  await expect(page).toHaveURL(/\/signin\?error=SsoUnverified/)
  await expect(page.getByText('has not verified your email address')).toBeVisible()
  expect(await sql(`SELECT 1 FROM users WHERE email = $1`, [`ada@${DOMAIN}`])).toEqual([])
})
