import { test as base, expect, type Page, type APIRequestContext } from '@playwright/test'
import { formatUsd } from '../lib/format'
import { Client } from 'pg'
import { hash } from '@node-rs/argon2'
import { execFileSync } from 'node:child_process'

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
/**
 * A new organization with its admin and an API key, made by the CLI (lib/cli), not a sign-up: the specs' sign-ups
 * from one address would use most of the sign-up throttle's hourly allowance, which a real client also faces.
 */
export function createOrg(name: string, email: string, password: string, scopes: readonly string[]): { org_slug: string; api_key: string } {
  const out = execFileSync(
    'npx',
    ['tsx', 'lib/cli/main.ts', 'org:create', '--name', name, '--email', email, '--password', password, '--scopes', scopes.join(','), '--json'],
    { env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL }, encoding: 'utf8' },
  )
  return JSON.parse(out.trim().split('\n').pop()!) as { org_slug: string; api_key: string }
}

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
  'Calls',
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

/** A new member of the demo organization with this role (rows inserted as the tables' owner, as the CLI's member:add would). */
export async function demoMember(role: 'finance' | 'customer_success' | 'viewer' | 'engineer'): Promise<{ email: string; password: string }> {
  const email = `${role.replace('_', '-')}-${Date.now()}@example.com`
  const password = `${role}-password-1`
  const [u] = await sql<{ id: string }>(
    `INSERT INTO users (id, email, password_hash, email_verified_at) VALUES (gen_random_uuid(), $1, $2, now()) RETURNING id::text`,
    [email, await hash(password)],
  )
  await sql(`INSERT INTO memberships (org_id, user_id, role) SELECT o.id, $1::uuid, $2::"Role" FROM organizations o WHERE o.slug = $3`, [
    u.id,
    role,
    DEMO_LOGIN.slug,
  ])
  return { email, password }
}

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

/**
 * Answers the page's requests that `match` picks with a 503 in the API's error shape ("The database is unavailable"),
 * to check that a card says its read failed. The browser logs such answers to the console: a test that uses this
 * clears `consoleErrors` at its end.
 */
export async function answerUnavailable(page: Page, match: (url: URL) => boolean): Promise<void> {
  await page.route(match, (r) =>
    r.fulfill({
      status: 503,
      contentType: 'application/json',
      body: JSON.stringify({ error: { code: 'unavailable', message: 'The database is unavailable' } }),
    }),
  )
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

/**
 * The GPU pools' paid capacity of an organization over [from, to) from SQL:
 * each version's GPUs × price per GPU-hour over the time it was in force (as
 * the fleet page and the whole bill count it, idle included), micro-dollars as
 * a 6-decimal string; the app rounds per pool, so allow a micro-dollar a pool.
 */
export async function paidCapacitySql(slug: string, from: string, to: string): Promise<{ usd: string; pools: number }> {
  const [r] = await sql<{ usd: string; pools: number }>(
    `WITH v AS (SELECT v.pool_id, v.gpu_count, v.effective_gpu_hour_usd AS price, v.effective_from AS f,
                       coalesce(lead(v.effective_from) OVER (PARTITION BY v.pool_id ORDER BY v.effective_from), 'infinity'::timestamptz) AS n
                FROM gpu_pool_versions v JOIN organizations o ON o.id = v.org_id WHERE o.slug = $1)
     SELECT round(coalesce(sum(gpu_count * price * extract(epoch FROM least(n, $3::timestamptz) - greatest(f, $2::timestamptz)) / 3600), 0), 6)::text AS usd,
            count(DISTINCT pool_id)::int AS pools
     FROM v WHERE least(n, $3::timestamptz) > greatest(f, $2::timestamptz)`,
    [slug, from, to],
  )
  return r
}

/** Line items of an organization's month (YYYY-MM), from SQL. */
export async function lineItemsSql(slug: string, month: string): Promise<string> {
  const [r] = await sql<{ usd: string }>(
    `SELECT round(coalesce(sum(amount_usd), 0), 6)::text AS usd FROM scenario_line_items l JOIN organizations o ON o.id = l.org_id
     WHERE o.slug = $1 AND l.month = $2::date`,
    [slug, `${month}-01`],
  )
  return r.usd
}

/** |a − b| in micro-dollars, of two USD decimal strings. */
export const microsApart = (a: string, b: string) => {
  const m = (x: string) => BigInt(Math.round(Number(x) * 1e6))
  const d = m(a) - m(b)
  return d < 0n ? -d : d
}
