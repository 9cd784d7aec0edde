import { test as base, expect, type Page, type APIRequestContext } from '@playwright/test'
import { formatUsd } from '../lib/format'
import { Client } from 'pg'

// Shared fixtures: a direct database handle (to check the page against SQL),
// an API sign-in, and a guard that fails any test whose page logs an error.

export const DEMO_LOGIN = { email: 'demo@outlay.dev', password: 'outlay-demo-2026', slug: 'demo-co' }

export async function sql<T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: process.env.E2E_DATABASE_URL })
  await c.connect()
  try {
    return (await c.query<T>(text, params)).rows
  } finally {
    await c.end()
  }
}

/** Sign in through next-auth's credentials endpoint; the cookie lands in the page's context. */
export async function apiSignIn(request: APIRequestContext, email: string, password: string): Promise<void> {
  const { csrfToken } = (await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string }
  const res = await request.post('/api/auth/callback/credentials', { form: { csrfToken, email, password, json: 'true' } })
  expect(res.ok(), `sign-in as ${email}`).toBeTruthy()
}

/** The dashboard's whole navigation, in order (an admin's); a role sees a part of it. */
export const FULL_NAV = [
  // Spend
  'Overview',
  'Workflows',
  'Features',
  'Accounts',
  'What changed',
  // Control
  'Budgets',
  'Alerts',
  'Routing',
  'Opportunities',
  // Capacity
  'GPU fleet',
  // Finance
  'Forecast',
  'Reports',
  // Setup
  'Pricing',
  'Settings',
  'Ingestion',
]

/** The links of the dashboard's main navigation. */
export const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' }).getByRole('link')

/** A URL of the server under test at this path (any query string). */
export const at = (path: string) => new RegExp(`^http://127\\.0\\.0\\.1:\\d+${path.replace(/[/?]/g, '\\$&')}(\\?.*)?$`)

/** Sign in through the sign-in form, as a person would. */
export async function signInWithForm(page: Page, who: { email: string; password: string }): Promise<void> {
  await page.goto('/signin')
  await page.getByLabel('Email').fill(who.email)
  await page.getByLabel('Password').fill(who.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
}

/** Collects what a page logs as errors (console and uncaught); `consoleErrors` below does it for `page`, this for a page of another context. */
export function consoleErrorsOf(page: Page): string[] {
  const errors: string[] = []
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text())
  })
  page.on('pageerror', (e) => errors.push(e.message))
  return errors
}

/** Money as the pages show it: the app's one formatter (three significant digits under a dollar). */
export const usd = (n: number | string) => formatUsd(n)

export const test = base.extend<{ consoleErrors: string[] }>({
  // A change made with the session cookie must carry the app's Origin (lib/http/origin.ts). Browsers send
  // it on their own; Playwright's API client (`request`, `page.request`) does not, so it is added here for
  // the specs' session calls. The browser's value is the same origin; e2e/security-headers.spec.ts clears
  // this to check what the browser itself sends.
  extraHTTPHeaders: async ({ baseURL }, use) => {
    await use({ origin: new URL(baseURL!).origin })
  },
  consoleErrors: [
    async ({ page }, use) => {
      const errors = consoleErrorsOf(page)
      await use(errors)
      expect(errors, 'the page logged errors to the console').toEqual([])
    },
    { auto: true },
  ],
})

export { expect }
export type { Page }
