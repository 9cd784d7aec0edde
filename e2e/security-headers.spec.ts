import { readdirSync } from 'node:fs'
import path from 'node:path'
import { test, expect, apiSignIn, sql, DEMO_LOGIN, type Page } from './fixtures'
import { apiSecurityHeaders, pageCsp } from '../lib/http/security-headers'

// Browser hardening, as a user's browser meets it: every page a user relies on
// runs under the Content-Security-Policy (proxy.ts) with no violation and no
// console error (the fixture fails the test on any), and pages, Next.js API
// answers and server.ts's fast path all carry the security headers.

// This file checks what the browser itself sends: no Origin added to its requests (see e2e/fixtures.ts).
test.use({ extraHTTPHeaders: {} })

const slug = DEMO_LOGIN.slug

/** Every page under app/(dashboard)/[org]/, as its route template ("budgets/[id]"), read from the file system. */
function dashboardPages(): string[] {
  const root = path.join(__dirname, '..', 'app', '(dashboard)', '[org]')
  const out: string[] = []
  const walk = (dir: string, rel: string[]) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(path.join(dir, e.name), [...rel, e.name])
      else if (e.name === 'page.tsx') out.push(rel.join('/'))
    }
  }
  walk(root, [])
  return out.sort()
}

async function collectViolations(page: Page) {
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] }
    w.__csp = []
    document.addEventListener('securitypolicyviolation', (e) =>
      w.__csp.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} at ${e.sourceFile}:${e.lineNumber}`),
    )
  })
}
const violations = (page: Page) => page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)

/** Load a page, let its data and charts arrive, and note what the policy blocked there (asserted at the end: every page is named). */
async function loadPage(page: Page, url: string, blocked: Record<string, string[]>) {
  const res = await page.goto(url)
  expect(res?.status(), url).toBeLessThan(400)
  await expect(page.getByRole('heading', { level: 1 }).first()).toBeVisible()
  await page.waitForLoadState('networkidle')
  const v = await violations(page)
  if (v.length) blocked[url] = v
  // hydrated: Next.js's scripts ran (they would not, had the policy blocked them)
  expect(await page.evaluate(() => typeof (window as unknown as { next?: unknown }).next), url).toBe('object')
}

test('every dashboard and auth page runs under the CSP with no violation and no console error', async ({ page }) => {
  // every dashboard page (29 today), each until its data and charts have arrived
  test.setTimeout(360_000)
  await collectViolations(page)
  const blocked: Record<string, string[]> = {}

  // The auth pages, signed out; then the sign-in form (its scripts must run to sign in at all).
  await loadPage(page, '/signup', blocked)
  await loadPage(page, '/signin', blocked)
  await page.getByLabel('Email').fill(DEMO_LOGIN.email)
  await page.getByLabel('Password').fill(DEMO_LOGIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/[^/]+\/overview$/)

  // A routing policy to open, made through the page's own form: a session change the browser sends with its
  // own Origin header, which the server's check (lib/http/origin.ts) accepts.
  await loadPage(page, `/${slug}/routing`, blocked)
  const workflow = `csp-check-${Date.now()}`
  const create = page.getByRole('form', { name: 'New policy' })
  await create.getByLabel('Workflow', { exact: true }).fill(workflow)
  await create.getByLabel('Step', { exact: true }).fill('headers')
  await create.getByLabel('Candidate models', { exact: true }).fill('openai/gpt-4o-mini')
  await create.getByRole('button', { name: 'Create draft policy' }).click()
  await expect(page.getByRole('heading', { name: `${workflow} · headers` })).toBeVisible()
  const onCreate = await violations(page)
  if (onCreate.length) blocked['creating a policy'] = onCreate
  const policy = /\/routing\/([0-9a-f-]{36})$/.exec(new URL(page.url()).pathname)?.[1]
  expect(policy, 'the policy page’s URL').toBeTruthy()

  const [budget] = await sql<{ id: string }>(`SELECT b.id FROM budgets b JOIN organizations o ON o.id = b.org_id WHERE o.slug = $1 ORDER BY b.name LIMIT 1`, [
    slug,
  ])
  expect(budget, 'the demo has budgets').toBeTruthy()
  const [run] = await sql<{ run_id: string }>(
    `SELECT e.run_id FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND e.run_id IS NOT NULL LIMIT 1`,
    [slug],
  )
  expect(run, 'the demo has runs').toBeTruthy()
  // The demo's values for each dynamic segment; a new page with a segment not listed here fails the test.
  const values: Record<string, string> = {
    '[account]': 'globex',
    '[id]': budget.id,
    '[policy]': policy!,
    '[workflow]': 'support-agent',
    '[step]': 'retrieve',
    '[run]': run.run_id,
  }
  const pages = dashboardPages()
  expect(pages.length).toBeGreaterThanOrEqual(20)
  for (const template of pages) {
    const rel = template.split('/').map((s) => {
      if (!s.startsWith('[')) return s
      expect(values[s], `a demo value for ${s} in ${template}`).toBeDefined()
      return encodeURIComponent(values[s])
    })
    await loadPage(page, `/${slug}/${rel.join('/')}`, blocked)
  }
  expect(blocked, 'what the CSP blocked, page by page').toEqual({})
})

test('pages, Next.js API answers and the fast path carry the security headers; session changes need our Origin', async ({ page, request, baseURL }) => {
  const origin = new URL(baseURL!).origin
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)

  // A page: the policy with this request's nonce, on every script Next.js rendered; a new nonce per request.
  const first = await page.goto(`/${slug}/overview`)
  const h = first!.headers()
  const nonce = /'nonce-([^']+)'/.exec(h['content-security-policy'] ?? '')?.[1]
  expect(nonce, 'a nonce in the page’s CSP').toBeTruthy()
  expect(h['content-security-policy']).toBe(pageCsp(nonce!, { dev: false, https: false }))
  expect(h['content-security-policy']).not.toMatch(/script-src[^;]*'unsafe-(inline|eval)'/)
  expect(h['content-security-policy']).toContain("frame-ancestors 'none'")
  expect(h['x-frame-options']).toBe('DENY')
  expect(h['x-content-type-options']).toBe('nosniff')
  expect(h['referrer-policy']).toBe('strict-origin-when-cross-origin')
  expect(h['permissions-policy']).toContain('camera=()')
  expect(h['strict-transport-security'], 'no HSTS over plain http').toBeUndefined()
  const scriptNonces = await page.evaluate(() => [...document.querySelectorAll('script')].map((s) => s.nonce))
  expect(scriptNonces.length).toBeGreaterThan(0)
  expect(new Set(scriptNonces)).toEqual(new Set([nonce]))
  const second = await page.goto(`/${slug}/overview`)
  expect(second!.headers()['content-security-policy']).not.toContain(`'nonce-${nonce}'`)

  const expectApiHeaders = (headers: Record<string, string>, what: string) => {
    for (const [k, v] of Object.entries(apiSecurityHeaders({ https: false }))) expect(headers[k.toLowerCase()], `${k} on ${what}`).toBe(v)
  }

  // A Next.js API route, read with the session.
  const budgets = await page.request.get(`/api/v1/budgets?org=${slug}`)
  expect(budgets.status()).toBe(200)
  expectApiHeaders(budgets.headers(), 'GET /api/v1/budgets')
  // Behind a TLS proxy, HSTS too.
  const overTls = await page.request.get(`/api/v1/budgets?org=${slug}`, { headers: { 'x-forwarded-proto': 'https' } })
  expect(overTls.headers()['strict-transport-security']).toMatch(/^max-age=\d+/)

  // A session change without our Origin is refused; with it, it goes through.
  const keyBody = { name: 'csp-check', scopes: ['ingest'] }
  for (const headers of [{}, { origin: 'https://evil.example' }] as Record<string, string>[]) {
    const refused = await page.request.post(`/api/v1/keys?org=${slug}`, { data: keyBody, headers })
    expect(refused.status()).toBe(403)
    expect((await refused.json()).error.code).toBe('cross_origin_request')
    expectApiHeaders(refused.headers(), 'a refused POST /api/v1/keys')
  }
  const created = await page.request.post(`/api/v1/keys?org=${slug}`, { data: keyBody, headers: { origin } })
  expect(created.status()).toBe(201)
  const { key, api_key } = (await created.json()) as { key: string; api_key: { id: string } }

  // server.ts's fast path (an API-key POST to /api/v1/events, answered before Next.js): an empty batch is refused, with the headers.
  const fast = await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events: [] } })
  expect(fast.status()).toBe(400)
  expectApiHeaders(fast.headers(), 'POST /api/v1/events (fast path)')
  const fastTls = await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}`, 'x-forwarded-proto': 'https' }, data: { events: [] } })
  expect(fastTls.headers()['strict-transport-security']).toMatch(/^max-age=\d+/)

  expect((await page.request.delete(`/api/v1/keys/${api_key.id}?org=${slug}`, { headers: { origin } })).status()).toBe(204)
})
