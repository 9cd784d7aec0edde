import { test, expect, apiSignIn, DEMO_LOGIN } from './fixtures'

// Nothing of one organization is visible to another, by page, session API or key.
test('another organization cannot see the demo organization', async ({ page, request, consoleErrors }) => {
  const email = `other-${Date.now()}@example.com`
  const signup = await request.post('/api/auth/signup', { data: { org_name: `Other ${Date.now()}`, email, password: 'another-password-1' } })
  expect(signup.status()).toBe(201)
  const { org_slug } = await signup.json()

  await apiSignIn(page.request, email, 'another-password-1')
  const res = await page.goto(`/${DEMO_LOGIN.slug}/overview`)
  expect(res?.status()).toBe(404)
  // the browser logs the expected 404 itself, once the page has loaded (not always by the time goto returns)
  await page.waitForLoadState('networkidle')
  consoleErrors.splice(0)

  const api = await page.request.get(`/api/v1/metrics?org=${DEMO_LOGIN.slug}`)
  expect(api.status()).toBe(403)
  const own = await page.request.get(`/api/v1/metrics?org=${org_slug}&from=2000-01-01`)
  expect(own.status()).toBe(200)
  expect((await own.json()).rows).toEqual([])

  const keys = await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'reader', scopes: ['read'] } })
  expect(keys.status()).toBe(201)
  const { key } = await keys.json()
  const viaKey = await request.get('/api/v1/metrics?from=2000-01-01', { headers: { authorization: `Bearer ${key}` } })
  expect((await viaKey.json()).rows).toEqual([])
  const ingest = await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events: [] } })
  expect(ingest.status()).toBe(403)
})

test('signed-out visitors are sent to sign-in', async ({ page }) => {
  await page.goto(`/${DEMO_LOGIN.slug}/overview`)
  await expect(page).toHaveURL(/\/signin\?callbackUrl=/)
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
})
