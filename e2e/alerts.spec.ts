import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { test, expect, apiSignIn, sql, DEMO_LOGIN, answerUnavailable, createOrg } from './fixtures'
import { verifySignature } from '../lib/notifications/sign'
import { gpt4oCall } from '../lib/testing/events'

// An engineer adds a webhook channel in the UI, sends a test to a receiver this
// spec starts and sees it in the delivery log; spend over a budget and a call to
// a model without a price then fire alerts, which the workers' scheduled
// evaluation lists on the alerts page and delivers, signed, to the receiver;
// the engineer acknowledges one and mutes its budget.

type TReceived = { headers: IncomingHttpHeaders; body: string }
let server: Server
let hookUrl = ''
const received: TReceived[] = []

test.beforeAll(async () => {
  server = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.writeHead(200).end('ok')
    })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/outlay`
})
test.afterAll(() => new Promise<void>((r) => server.close(() => r())))

test('webhook channel with send test and delivery log; alerts listed, acknowledged and muted', async ({ page, request, consoleErrors }) => {
  test.setTimeout(240_000)
  const stamp = Date.now()
  const email = `alerts-${stamp}@example.com`
  const signup = await request.post('/api/auth/signup', { data: { org_name: `Alerts ${stamp}`, email, password: 'alerts-password-1' } })
  const { org_slug } = await signup.json()
  await apiSignIn(page.request, email, 'alerts-password-1')
  const { key } = await (await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'ingest', scopes: ['ingest'] } })).json()

  await page.goto(`/${org_slug}/overview`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click()
  await expect(page.getByRole('heading', { name: 'Alerts', level: 1 })).toBeVisible()
  await expect(page.getByTestId('alerts-empty')).toContainText('No alerts yet.')
  await expect(page.getByText('No channel yet')).toBeVisible()

  // A webhook channel, made with the keyboard; a bad URL first.
  const form = page.getByRole('form', { name: 'New channel' })
  await form.getByLabel('Channel name', { exact: true }).fill('On-call hook')
  await form.getByLabel('Webhook URL', { exact: true }).fill('not a url')
  await form.getByLabel('Webhook URL', { exact: true }).press('Enter')
  await expect(form.getByRole('alert')).toHaveText('must be an http:// or https:// URL')
  await expect(form.getByLabel('Webhook URL', { exact: true })).toHaveAttribute('aria-invalid', 'true')
  expect(consoleErrors).toEqual([expect.stringContaining('status of 400')])
  consoleErrors.splice(0) // the browser logs the expected 400 itself
  await form.getByLabel('Webhook URL', { exact: true }).fill(hookUrl)
  await form.getByLabel('Webhook URL', { exact: true }).press('Enter')
  const secret = (await page.getByTestId('new-channel-secret').textContent())!.trim()
  expect(secret).toMatch(/^whsec_/)
  const channel = page.getByTestId('channels').locator('li[data-channel="On-call hook"]')
  await expect(channel).toContainText(hookUrl)
  await expect(channel).toContainText('default')
  // stored encrypted: neither the URL nor the secret is in the table in clear
  const [stored] = await sql<{ url: string; secret: string }>(
    `SELECT c.url, c.secret FROM notification_channels c JOIN organizations o ON o.id = c.org_id WHERE o.slug = $1`,
    [org_slug],
  )
  expect(stored.url).toMatch(/^enc:v1:/)
  expect(stored.secret).toMatch(/^enc:v1:/)
  expect(JSON.stringify(stored)).not.toContain(secret)

  // Send test: through the workers' notifications queue to the receiver; the log shows the response code.
  await channel.getByRole('button', { name: 'Send a test to On-call hook' }).click()
  const log = channel.getByTestId('delivery-log')
  await expect(log.locator('tr[data-status="delivered"]')).toHaveCount(1, { timeout: 60_000 })
  await expect(log.locator('tr[data-status="delivered"] [data-status-code]')).toHaveText('200')
  await expect(log).toContainText('Test notification')
  expect(received).toHaveLength(1)
  expect(JSON.parse(received[0].body)).toMatchObject({ type: 'test', alert: null, organization: { slug: org_slug } })
  expect(verifySignature(secret, received[0].headers['outlay-signature'] as string, received[0].body)).toBe(true)
  await expect(channel.locator('[data-last-delivery]')).toHaveText('last: delivered (200)')

  // Spend over a daily budget ($1; three gpt-4o calls at $0.35) and a call to a model without a price.
  const budget = await page.request.post(`/api/v1/budgets?org=${org_slug}`, {
    data: { name: 'Support, today', workflow_id: 'support', period: 'day', metric: 'spend', amount_usd: '1', thresholds: [100] },
  })
  expect(budget.status()).toBe(201)
  const now = new Date().toISOString()
  const events = [1, 2, 3].map((i) => gpt4oCall(`al${i}`, { timestamp: now }))
  events.push({
    id: 'al-mystery',
    timestamp: now,
    workflow_id: 'labs',
    step: 'try',
    provider: 'acme',
    model: 'acme-mystery-9',
    tokens_in: 1000,
    tokens_out: 100,
  })
  expect((await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events } })).status()).toBe(202)

  const list = page.getByTestId('alert-list')
  await expect(async () => {
    await page.reload()
    await expect(page.getByTestId('alert-list').locator('li[data-kind="budget"]')).toHaveCount(1, { timeout: 5000 })
    await expect(page.getByTestId('alert-list').locator('li[data-kind="unpriced_model"]')).toHaveCount(1, { timeout: 5000 })
  }).toPass({ timeout: 120_000 })
  const budgetAlert = list.locator('li[data-kind="budget"]')
  const [{ spend }] = await sql<{ spend: string }>(
    `SELECT round(sum(r.cost_usd), 2)::text AS spend FROM rollups_hourly r JOIN organizations o ON o.id = r.org_id WHERE o.slug = $1 AND r.workflow_id = 'support'`,
    [org_slug],
  )
  expect(spend).toBe('1.05')
  await expect(budgetAlert).toContainText('Support, today: 100% of the budget reached ($1.05 of $1.00)')
  await expect(budgetAlert).toHaveAttribute('data-status', 'open')
  await expect(budgetAlert.getByRole('link', { name: 'Open the budget →' })).toHaveAttribute('href', new RegExp(`^/${org_slug}/budgets/[0-9a-f-]{36}$`))
  // and to what the budget watches
  await expect(budgetAlert.getByRole('link', { name: 'support', exact: true })).toHaveAttribute('href', `/${org_slug}/workflows/support`)
  const unpriced = list.locator('li[data-kind="unpriced_model"]')
  await expect(unpriced).toContainText('acme/acme-mystery-9 has no price: 1 call not in spend')
  await expect(unpriced.getByRole('link', { name: 'Add a price →' })).toHaveAttribute('href', `/${org_slug}/pricing`)
  await expect(page.getByTestId('kpi-open')).toHaveText('2')

  // Both went to the default channel, signed.
  await expect.poll(() => received.length, { timeout: 60_000 }).toBe(3)
  const kinds = received.slice(1).map((r) => {
    expect(verifySignature(secret, r.headers['outlay-signature'] as string, r.body)).toBe(true)
    return JSON.parse(r.body).alert.kind
  })
  expect(kinds.sort()).toEqual(['budget', 'unpriced_model'])

  // Filter, acknowledge, mute.
  await page.getByLabel('Kind', { exact: true }).selectOption('budget')
  await expect(list.locator('li')).toHaveCount(1)
  await budgetAlert.getByRole('button', { name: /^Acknowledge: Support, today/ }).click()
  await expect(budgetAlert).toHaveAttribute('data-status', 'acknowledged')
  await expect(budgetAlert).toContainText('acknowledged')
  // by keyboard: Enter opens the mute controls with the focus on the duration; Escape closes them and gives it back
  await budgetAlert.getByRole('button', { name: /^Mute: Support, today/ }).focus()
  await page.keyboard.press('Enter')
  const muteForm = budgetAlert.getByRole('form', { name: 'Mute Support, today' })
  await expect(muteForm.getByLabel('Mute this budget for')).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(muteForm).toHaveCount(0)
  await expect(budgetAlert.getByRole('button', { name: /^Mute: Support, today/ })).toBeFocused()
  await budgetAlert.getByRole('button', { name: /^Mute: Support, today/ }).click()
  await muteForm.getByLabel('Mute this budget for').selectOption('168')
  await muteForm.getByRole('button', { name: 'Mute', exact: true }).click()
  await expect(budgetAlert).toHaveAttribute('data-status', 'muted')
  await expect(budgetAlert.locator('[data-status-label]')).toContainText('Muted until')
  await expect(page.getByTestId('mutes').locator('li')).toHaveText(/budget Support, today\s*until/)
  await expect(page.getByTestId('kpi-muted')).toHaveText('1')
  await page.getByLabel('State', { exact: true }).selectOption('open')
  await page.getByLabel('Kind', { exact: true }).selectOption('')
  await expect(list.locator('li')).toHaveCount(1)
  await expect(list.locator('li')).toHaveAttribute('data-kind', 'unpriced_model')

  const [{ n }] = await sql<{ n: number }>(
    `SELECT count(*)::int AS n FROM alert_mutes m JOIN organizations o ON o.id = m.org_id WHERE o.slug = $1 AND m.until > now() + interval '6 days'`,
    [org_slug],
  )
  expect(n).toBe(1)
})

test('drift detector settings: admins edit with the keyboard and field errors; a viewer reads them and sees webhook URLs cut to their host', async ({
  page,
  request,
  consoleErrors,
}) => {
  const stamp = Date.now()
  const email = `drift-settings-${stamp}@example.com`
  const { org_slug } = await (
    await request.post('/api/auth/signup', { data: { org_name: `Drift settings ${stamp}`, email, password: 'drift-password-1' } })
  ).json()
  await apiSignIn(page.request, email, 'drift-password-1')
  const hook = await page.request.post(`/api/v1/channels?org=${org_slug}`, {
    data: { name: 'Private hook', type: 'webhook', url: 'http://hook-user:pa55@127.0.0.1:9/services/T0/secret-path?token=abc' },
  })
  expect(hook.status()).toBe(201)

  await page.goto(`/${org_slug}/alerts`)
  const form = page.getByRole('form', { name: 'Drift detector settings' })
  const tokens = form.getByRole('group', { name: 'Tokens per call growth' })
  const margin = tokens.getByLabel('Rise over the 4-week baseline (%)')
  const calls = tokens.getByLabel('Calls needed in each window (calls)')
  await expect(margin).toHaveValue('50')
  await expect(calls).toHaveValue('10')
  await expect(form.getByRole('group', { name: 'Cost per outcome drift' }).getByLabel('Rise over the 4-week baseline (%)')).toHaveValue('25')

  // A bad value: the server's reason under the field, nothing saved.
  await margin.fill('30')
  await calls.fill('0')
  await calls.press('Enter')
  await expect(tokens.getByRole('alert')).toHaveText('must be at least 1')
  await expect(calls).toHaveAttribute('aria-invalid', 'true')
  expect(consoleErrors).toEqual([expect.stringContaining('status of 400')])
  consoleErrors.splice(0) // the browser logs the expected 400 itself
  expect(await sql(`SELECT 1 FROM alert_settings s JOIN organizations o ON o.id = s.org_id WHERE o.slug = $1`, [org_slug])).toHaveLength(0)

  await calls.fill('12')
  await calls.press('Enter')
  await expect(form.getByRole('status')).toHaveText('Saved. The next evaluation uses these settings.')
  const [{ config }] = await sql<{ config: Record<string, unknown> }>(
    `SELECT s.config FROM alert_settings s JOIN organizations o ON o.id = s.org_id WHERE o.slug = $1`,
    [org_slug],
  )
  expect(config).toMatchObject({ tokens_per_call_margin: 0.3, min_calls: 12, cost_per_outcome_margin: 0.25 })
  await page.reload()
  await expect(margin).toHaveValue(String(Number(config.tokens_per_call_margin) * 100))
  await expect(calls).toHaveValue('12')
  // an admin sees the whole URL of the webhook
  await expect(page.getByTestId('channels').locator('li[data-channel="Private hook"] [data-channel-target]')).toHaveText(
    'http://hook-user:pa55@127.0.0.1:9/services/T0/secret-path?token=abc',
  )

  // The same member as a viewer: the settings as text, no form; the webhook's host only, no secret hint, no buttons that change anything.
  await sql(`UPDATE memberships m SET role = 'viewer' FROM organizations o WHERE o.id = m.org_id AND o.slug = $1`, [org_slug])
  await page.reload()
  await expect(page.getByRole('heading', { name: 'Drift detector settings' })).toBeVisible()
  await expect(page.getByRole('form', { name: 'Drift detector settings' })).toHaveCount(0)
  const read = page.getByTestId('drift-settings')
  await expect(read.locator('[data-setting="tokens_per_call_margin"] dd')).toHaveText('30%')
  await expect(read.locator('[data-setting="min_calls"] dd')).toHaveText('12 calls')
  const channel = page.getByTestId('channels').locator('li[data-channel="Private hook"]')
  await expect(channel.locator('[data-channel-target]')).toHaveText('http://127.0.0.1:9/…')
  await expect(channel).not.toContainText('secret-path')
  await expect(channel).not.toContainText('pa55')
  await expect(channel).toContainText('only admins and engineers see the whole URL')
  await expect(channel.getByRole('button', { name: /Send a test|Rotate|Delete/ })).toHaveCount(0)
  await expect(page.getByRole('form', { name: 'New channel' })).toHaveCount(0)
  const asViewer = await (await page.request.get(`/api/v1/channels?org=${org_slug}`)).json()
  expect(asViewer.channels[0]).toMatchObject({ url: 'http://127.0.0.1:9/…', url_redacted: true, secret_hint: null })
  expect((await page.request.put(`/api/v1/alerts/settings?org=${org_slug}`, { data: { min_calls: 5 } })).status()).toBe(403)
})

// A count that could not be read shows a dash and says why, instead of loading forever.
test('the open-alerts count says when its read failed', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(page, (url) => url.pathname === '/api/v1/alerts' && url.searchParams.get('state') === 'open')
  await page.goto(`/${DEMO_LOGIN.slug}/alerts`)
  await expect(page.getByTestId('kpi-open')).toHaveText('—', { timeout: 15_000 })
  await expect(page.getByText('Could not load: The database is unavailable')).toBeVisible()
  await expect(page.getByTestId('kpi-channels')).toHaveText(/^\d+$/)
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})

// The empty state names the organization's own margins, and no figure at all when they could not be read (not the
// defaults, which may not be this organization's).
test("the alerts empty state quotes the organization's drift margins, and none when their read failed", async ({ page, consoleErrors }) => {
  const stamp = Date.now()
  const email = `margins-${stamp}@example.com`
  // a new organization by the CLI, not a sign-up: the specs' sign-ups share one address's throttle (createOrg)
  const { org_slug } = createOrg(`Margins ${stamp}`, email, 'margins-password-1', ['ingest'])
  await apiSignIn(page.request, email, 'margins-password-1')
  expect((await page.request.put(`/api/v1/alerts/settings?org=${org_slug}`, { data: { calls_per_run_margin: 0.37 } })).status()).toBe(200)
  await page.goto(`/${org_slug}/alerts`)
  await expect(page.getByTestId('alerts-empty')).toContainText('a workflow whose calls per run grow 37%')

  await answerUnavailable(page, (url) => url.pathname === '/api/v1/alerts/settings')
  await page.reload()
  const empty = page.getByTestId('alerts-empty')
  await expect(empty).toContainText('a workflow whose calls per run grow by more than its margin', { timeout: 15_000 })
  await expect(empty).not.toContainText('%')
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})
