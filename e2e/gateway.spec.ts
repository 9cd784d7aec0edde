import OpenAI from 'openai'
import { test, expect, apiSignIn } from './fixtures'
import { expectSorts } from './support/sorting'
import { startFakeUpstream, FAKE_TEXT } from '../lib/testing/fake-upstream'

// Settings › Gateway: configure an upstream on the page (a fake OpenAI-compatible server this spec starts; the
// e2e server allows private upstreams), send calls through the gateway with the official `openai` client, and see
// them in the page's live list and on the overview.
test('configure a provider, call through the gateway with the openai SDK, see the calls', async ({ page, request, baseURL, consoleErrors }) => {
  const fake = await startFakeUpstream()
  try {
    const stamp = Date.now()
    const email = `gateway-${stamp}@example.com`
    const signup = await request.post('/api/auth/signup', { data: { org_name: `Gateway ${stamp}`, email, password: 'gateway-password-1' } })
    expect(signup.status()).toBe(201)
    const { org_slug } = await signup.json()
    await apiSignIn(page.request, email, 'gateway-password-1')
    const made = await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'gateway', scopes: ['gateway'] } })
    expect(made.status()).toBe(201)
    const { key } = await made.json()

    await page.goto(`/${org_slug}/settings`)
    await page.getByRole('link', { name: 'Gateway' }).click()
    await expect(page.getByRole('heading', { name: 'Gateway', exact: true })).toBeVisible()
    // the snippets carry this deployment's base URL
    await expect(page.getByTestId('snippet-ts-openai')).toContainText(`baseURL: '${baseURL}/api/v1/gateway/openai/v1'`)
    await expect(page.getByTestId('snippet-py-anthropic')).toContainText(`base_url="${baseURL}/api/v1/gateway/anthropic"`)
    await expect(page.getByText('No call yet.')).toBeVisible()

    // a bad base URL is named under its field, the field marked invalid, what was typed kept
    await page.getByLabel('Provider', { exact: true }).fill('openai')
    await page.getByLabel('Base URL', { exact: true }).fill('ftp://example.com/v1')
    await page.getByRole('button', { name: 'Save provider' }).click()
    await expect(page.locator('#gw-base-url-error')).toContainText('must be an http:// or https:// URL')
    await expect(page.getByLabel('Base URL', { exact: true })).toHaveAttribute('aria-invalid', 'true')
    await expect(page.getByLabel('Provider', { exact: true })).toHaveValue('openai')
    consoleErrors.splice(0) // the browser logs the 400 answer itself

    await page.getByLabel('Base URL', { exact: true }).fill(`${fake.url}/v1`)
    await page.getByLabel('API key', { exact: true }).fill('sk-e2e-upstream-key-1234')
    await page.getByRole('button', { name: 'Save provider' }).click()
    await expect(page.getByText('Provider “openai” saved.')).toBeVisible()
    await expect(page.getByTestId('masked-key-openai')).toHaveText('sk-…1234')
    await expect(page.getByRole('table', { name: 'Upstream providers' })).not.toContainText('sk-e2e-upstream-key-1234')

    const openai = new OpenAI({ baseURL: `${baseURL}/api/v1/gateway/openai/v1`, apiKey: key })
    for (let i = 0; i < 3; i++) {
      const r = await openai.chat.completions.create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: `hello ${i}` }] },
        { headers: { 'x-outlay-workflow-id': 'e2e-gateway', 'x-outlay-step': 'answer' } },
      )
      expect(r.choices[0].message.content).toBe(FAKE_TEXT)
    }
    expect(fake.requests.every((r) => r.headers.authorization === 'Bearer sk-e2e-upstream-key-1234')).toBe(true)

    // the live list polls: the three calls arrive without a reload, priced (gpt-4o: 3,250 µ$ each)
    const rows = page.getByTestId('gateway-call')
    await expect(rows).toHaveCount(3, { timeout: 20_000 })
    await expect(rows.first()).toContainText('e2e-gateway · answer')
    await expect(rows.first()).toContainText('gpt-4o')
    await expect(rows.first()).toContainText('$0.00325')

    // the response cache: the same call twice with x-outlay-cache: on; the second is answered from the cache, and the
    // live list says what it saved (the first call's cost)
    for (let i = 0; i < 2; i++) {
      await openai.chat.completions.create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'cache me' }] },
        { headers: { 'x-outlay-workflow-id': 'e2e-gateway', 'x-outlay-step': 'answer', 'x-outlay-cache': 'on' } },
      )
    }
    expect(fake.requests).toHaveLength(4)
    await expect(rows).toHaveCount(5, { timeout: 20_000 })
    await expect(page.getByTestId('gateway-cache-hit')).toHaveText('· cache hit · saved $0.00325')

    // both tables sort by their columns (issue 21): the calls by tokens, the providers (a second one added) by name
    await expectSorts(page, page.getByRole('table', { name: 'Last calls through the gateway' }), 'Tokens in / out')
    await page.getByLabel('Provider', { exact: true }).fill('anthropic')
    await page.getByLabel('Base URL', { exact: true }).fill(fake.url)
    await page.getByLabel('API key', { exact: true }).fill('sk-e2e-upstream-key-5678')
    await page.getByRole('button', { name: 'Save provider' }).click()
    await expect(page.getByText('Provider “anthropic” saved.')).toBeVisible()
    await expectSorts(page, page.getByRole('table', { name: 'Upstream providers' }), 'Provider')

    await page.goto(`/${org_slug}/overview`)
    await expect(page.getByTestId('kpi-events')).toHaveText('5')
    await expect(page.getByTestId('by-workflow')).toContainText('e2e-gateway')
  } finally {
    await fake.close()
  }
})
