import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { test, expect, apiSignIn } from './fixtures'

// Password reset by email, end to end: the e2e server sends to this SMTP
// receiver (scripts/e2e-server.sh: SMTP_URL on E2E_PORT+1000).

const SMTP_PORT = Number(process.env.E2E_PORT ?? 3100) + 1000
type TMail = { to: string[]; body: string }
const mails: TMail[] = []
let server: SMTPServer

test.beforeAll(async () => {
  server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      let data = ''
      stream.on('data', (c) => (data += c))
      stream.on('end', () => {
        // quoted-printable soft breaks and "=3D" undone, so links read whole
        mails.push({ to: session.envelope.rcptTo.map((r) => r.address), body: data.replace(/=\r\n/g, '').replace(/=3D/g, '=') })
        cb()
      })
    },
  })
  await new Promise<void>((r) => server.listen(SMTP_PORT, '127.0.0.1', r))
  expect((server.server.address() as AddressInfo).port).toBe(SMTP_PORT)
})
test.afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()))
})

const sessionEmail = async (r: { get: (u: string) => Promise<{ json: () => Promise<unknown> }> }) =>
  ((await (await r.get('/api/auth/session')).json()) as { user?: { email?: string } }).user?.email ?? null

test('forgot password: same answer for any email, a single-use link, every session ended', async ({ page, browser, request, consoleErrors }) => {
  const stamp = Date.now()
  const email = `reset-${stamp}@example.com`
  const signup = await request.post('/api/auth/signup', { data: { org_name: `Reset ${stamp}`, email, password: 'old-password-123' } })
  expect(signup.status()).toBe(201)
  const { org_slug } = await signup.json()
  const laptop = await browser.newContext()
  await apiSignIn(laptop.request, email, 'old-password-123')

  await page.goto('/signin')
  await page.getByRole('link', { name: 'Forgot your password?' }).click()
  await expect(page).toHaveURL(/\/forgot-password$/)
  await page.getByRole('button', { name: 'Email me a reset link' }).click()
  await expect(page.locator('#email-error')).toHaveText('must be a valid email address')

  // an unknown email gets the same answer, and no mail
  await page.getByLabel('Email').fill(`ghost-${stamp}@example.com`)
  await page.keyboard.press('Enter')
  await expect(page.getByText(`If an account uses ghost-${stamp}@example.com, we sent it a link`)).toBeVisible()

  await page.goto('/forgot-password')
  await page.getByLabel('Email').fill(email)
  await page.keyboard.press('Enter')
  await expect(page.getByText(`If an account uses ${email}, we sent it a link to choose a new password. The link works once, for 1 hour.`)).toBeVisible()
  await expect.poll(() => mails.filter((m) => m.to.includes(email)).length).toBe(1)
  expect(mails.filter((m) => m.to.includes(`ghost-${stamp}@example.com`))).toEqual([])
  const link = /http:\/\/127\.0\.0\.1:\d+\/reset-password\?token=[A-Za-z0-9_-]{43}/.exec(mails.find((m) => m.to.includes(email))!.body)?.[0]
  expect(link).toBeTruthy()

  await page.goto(link!)
  await page.getByLabel('New password', { exact: true }).fill('new-password-456')
  await page.getByLabel('Repeat the new password').fill('new-password-457')
  await page.keyboard.press('Enter')
  await expect(page.locator('#confirm-error')).toHaveText('does not match the new password')
  await page.getByLabel('Repeat the new password').fill('new-password-456')
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(/\/signin\?reset=1$/)
  await expect(page.getByText('Your password was changed: sign in with the new one.')).toBeVisible()
  expect(await sessionEmail(laptop.request)).toBeNull() // the session from before the reset ended

  await page.getByLabel('Email').fill(email)
  await page.getByLabel('Password').fill('new-password-456')
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(new RegExp(`/${org_slug}/overview$`))

  // the link works once
  await page.goto(link!)
  await page.getByLabel('New password', { exact: true }).fill('third-password-789')
  await page.getByLabel('Repeat the new password').fill('third-password-789')
  await page.keyboard.press('Enter')
  await expect(page.getByText('This link is invalid, already used or expired.')).toBeVisible()
  await laptop.close()
  consoleErrors.splice(0) // the browser logs the used link's 400 itself
})
