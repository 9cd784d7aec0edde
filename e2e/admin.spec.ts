import { test, expect, apiSignIn, DEMO_LOGIN } from './fixtures'

// An admin checks that ingestion keeps up: queues, backlog, failed jobs; and Prometheus can scrape.
test('the ingestion page shows the queues and backlog to an admin', async ({ page, request }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/admin`)
  await expect(page.getByRole('heading', { name: 'Ingestion' })).toBeVisible()
  await expect(page.getByTestId('queues')).toContainText('ingest')
  await expect(page.getByTestId('queues')).toContainText('reprice')
  await expect(page.getByTestId('pending-batches')).toHaveText(/^\d[\d,]*$/)
  await expect(page.getByText('No failed jobs.')).toBeVisible()

  const prom = await request.get('/api/metrics/prometheus')
  expect(prom.status()).toBe(200)
  expect(await prom.text()).toMatch(/outlay_ingest_items_total\{kind="events",result="accepted"\} \d+/)
})

test("another organization's admin cannot read this organization's queues", async ({ page, request }) => {
  const email = `other-admin-${Date.now()}@example.com`
  const signup = await request.post('/api/auth/signup', { data: { org_name: `Solo ${Date.now()}`, email, password: 'other-admin-password-1' } })
  const { org_slug } = await signup.json()
  await apiSignIn(page.request, email, 'other-admin-password-1')
  expect((await page.request.get(`/api/v1/admin/queues?org=${DEMO_LOGIN.slug}`)).status()).toBe(403)
  await page.goto(`/${org_slug}/admin`)
  await expect(page.getByTestId('queues')).toBeVisible()
  await expect(page.getByText('No failed jobs.')).toBeVisible()
})
