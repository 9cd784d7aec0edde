import { test, expect, apiSignIn } from './fixtures'

// The signed-in user's account: sign-in by keyboard with a hostile callbackUrl,
// throttled sign-in messages, change password (other devices signed out, this
// one kept) and sign out everywhere.

const sessionEmail = async (r: { get: (u: string) => Promise<{ json: () => Promise<unknown> }> }) =>
  ((await (await r.get('/api/auth/session')).json()) as { user?: { email?: string } }).user?.email ?? null

test('sign in by keyboard; a callbackUrl to another site is not followed', async ({ page, request }) => {
  const stamp = Date.now()
  const email = `kbd-${stamp}@example.com`
  const signup = await request.post('/api/auth/signup', { data: { org_name: `Keyboard ${stamp}`, email, password: 'keyboard-password-1' } })
  expect(signup.status()).toBe(201)
  const { org_slug } = await signup.json()

  await page.goto(`/signin?callbackUrl=${encodeURIComponent('//evil.example/steal')}`)
  await page.keyboard.press('Enter') // empty form: an error under each field
  await expect(page.locator('#email-error')).toHaveText('is required')
  await expect(page.locator('#password-error')).toHaveText('is required')
  await page.getByLabel('Email').focus()
  await page.keyboard.type(email)
  await page.keyboard.press('Tab')
  await page.keyboard.type('keyboard-password-1')
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(new RegExp(`^http://127\\.0\\.0\\.1:\\d+/${org_slug}/overview$`))
})

test('repeated wrong passwords read like an unknown email, then say when to retry', async ({ page, consoleErrors }) => {
  const email = `nobody-${Date.now()}@example.com`
  await page.goto('/signin')
  await page.getByLabel('Email').fill(email)
  for (let i = 0; i < 5; i++) {
    await page.getByLabel('Password').fill(`wrong-password-${i}`)
    const answered = page.waitForResponse((r) => r.url().includes('/api/auth/callback/credentials'))
    await page.getByRole('button', { name: 'Sign in' }).click()
    await answered
    await expect(page.getByText('Email or password is wrong.')).toBeVisible()
  }
  await page.getByLabel('Password').fill('wrong-password-5')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByText(/^Too many sign-in attempts\. Try again in \d+ seconds? \(at .+\)\.$/)).toBeVisible()
  consoleErrors.splice(0) // the browser logs next-auth's 401 answers itself
})

test('change password keeps this session and ends the others; sign out everywhere ends all', async ({ page, browser, request, consoleErrors }) => {
  const stamp = Date.now()
  const email = `acct-${stamp}@example.com`
  expect((await request.post('/api/auth/signup', { data: { org_name: `Account ${stamp}`, email, password: 'account-password-1' } })).status()).toBe(201)
  const laptop = await browser.newContext()
  await apiSignIn(laptop.request, email, 'account-password-1')
  expect(await sessionEmail(laptop.request)).toBe(email)

  await apiSignIn(page.request, email, 'account-password-1')
  await page.goto('/')
  await page.getByRole('link', { name: 'Account', exact: true }).click()
  await expect(page).toHaveURL(/\/account$/)
  await expect(page.getByText(`Signed in as ${email}.`)).toBeVisible()

  await page.getByLabel('Current password').fill('not-the-password')
  await page.getByLabel('New password', { exact: true }).fill('account-password-2')
  await page.getByLabel('Repeat the new password').fill('account-password-3')
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.locator('#confirm-error')).toHaveText('does not match the new password')
  await page.getByLabel('Repeat the new password').fill('account-password-2')
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.locator('#current_password-error')).toHaveText('is not your current password')

  await page.getByLabel('Current password').fill('account-password-1')
  await page.getByLabel('New password', { exact: true }).fill('account-password-2')
  await page.getByLabel('Repeat the new password').fill('account-password-2')
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.getByText('Password changed. Your other sessions are signed out.')).toBeVisible()
  expect(await sessionEmail(page.request)).toBe(email)
  expect(await sessionEmail(laptop.request)).toBeNull()

  const phone = await browser.newContext()
  await apiSignIn(phone.request, email, 'account-password-2')
  await page.getByRole('button', { name: 'Sign out everywhere' }).click()
  await expect(page).toHaveURL(/\/signin/)
  expect(await sessionEmail(phone.request)).toBeNull()
  expect(await sessionEmail(page.request)).toBeNull()
  await laptop.close()
  await phone.close()
  consoleErrors.splice(0) // the wrong current password's 400, logged by the browser
})
