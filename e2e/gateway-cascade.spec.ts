import OpenAI from 'openai'
import { test, expect, apiSignIn, createOrg } from './fixtures'
import { startFakeUpstream } from '../lib/testing/fake-upstream'

// Issue 18, a cascade in the browser: a routing policy for a step escalates when a JSON field of the answer is
// below the threshold (edited and published on the Routing page), an upstream (the fake OpenAI-compatible server
// this spec starts; the e2e server allows private upstreams) configured on Settings › Gateway, calls sent with the
// official `openai` client, and the page's live list showing both attempts of the escalated call.
test('a cascade through the gateway: a low-confidence answer escalates, and the live list shows both attempts', async ({ page, request, baseURL }) => {
  test.setTimeout(120_000)
  const fake = await startFakeUpstream()
  try {
    const stamp = Date.now()
    const email = `cascade-${stamp}@example.com`
    const { org_slug, api_key } = createOrg(`Cascade ${stamp}`, email, 'cascade-password-1', ['gateway', 'ingest'])
    await apiSignIn(page.request, email, 'cascade-password-1')

    // the policy: gpt-4o-mini, escalating to gpt-4o below a confidence of 0.7 read from the answer's "confidence"
    await page.goto(`/${org_slug}/routing`)
    const create = page.getByRole('form', { name: 'New policy' })
    await create.getByLabel('Workflow', { exact: true }).fill('e2e-cascade')
    await create.getByLabel('Step', { exact: true }).fill('classify')
    await create.getByLabel('Candidate models', { exact: true }).fill('openai/gpt-4o-mini')
    await create.getByRole('button', { name: 'Create draft policy' }).click()
    await expect(page.getByRole('heading', { name: 'e2e-cascade · classify' })).toBeVisible()
    const draft = page.getByRole('form', { name: 'Policy draft' })
    await draft.getByLabel('Cascade, cheapest first', { exact: true }).fill('openai/gpt-4o-mini\nopenai/gpt-4o')
    await draft.getByLabel('Escalate below confidence', { exact: true }).fill('0.7')
    await draft.getByLabel('Confidence from', { exact: true }).selectOption('json_field')
    await draft.getByLabel('Confidence JSON field', { exact: true }).fill('confidence')
    await draft.getByRole('button', { name: 'Save draft' }).click()
    await expect(draft.getByRole('status')).toHaveText('Draft saved.')
    const publish = page.getByRole('form', { name: 'Publish draft' })
    await publish.getByLabel('What changed and why', { exact: true }).fill('Classification on gpt-4o-mini, gpt-4o when it is unsure')
    await publish.getByRole('button', { name: 'Publish v1' }).click()
    await expect(publish.getByRole('status')).toHaveText('Published v1.')
    await expect(page.getByTestId('selected-model')).toHaveText('openai/gpt-4o-mini')

    // the upstream, on Settings › Gateway
    await page.goto(`/${org_slug}/settings/gateway`)
    await expect(page.getByText('No call yet.')).toBeVisible()
    await page.getByLabel('Provider', { exact: true }).fill('openai')
    await page.getByLabel('Base URL', { exact: true }).fill(`${fake.url}/v1`)
    await page.getByLabel('API key', { exact: true }).fill('sk-e2e-cascade-key-4321')
    await page.getByRole('button', { name: 'Save provider' }).click()
    await expect(page.getByText('Provider “openai” saved.')).toBeVisible()

    // run time has the published version (decide and the gateway read the same policies)
    await expect(async () => {
      const r = await request.post('/api/v1/decide', {
        headers: { authorization: `Bearer ${api_key}` },
        data: { workflow_id: 'e2e-cascade', step: 'classify' },
      })
      expect(await r.json()).toMatchObject({ model: 'gpt-4o-mini', policy_version: 1 })
    }).toPass({ timeout: 15_000 })

    const unsure = JSON.stringify({ label: 'billing', confidence: 0.4 })
    const sure = JSON.stringify({ label: 'refund', confidence: 0.93 })
    fake.answerText('gpt-4o-mini', unsure)
    fake.answerText('gpt-4o', sure)
    const openai = new OpenAI({ baseURL: `${baseURL}/api/v1/gateway/openai/v1`, apiKey: api_key })
    const headers = { 'x-outlay-workflow-id': 'e2e-cascade', 'x-outlay-step': 'classify' }
    // the client asks for gpt-3.5-turbo: the policy replaces it; the unsure answer of gpt-4o-mini goes up to gpt-4o
    const { data, response } = await openai.chat.completions
      .create({ model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'Classify: my card was charged twice' }] }, { headers })
      .withResponse()
    expect(data.choices[0].message.content).toBe(sure)
    expect(response.headers.get('x-outlay-model')).toBe('gpt-4o')
    expect(fake.requests.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o'])

    // the live list polls: both attempts arrive without a reload, the escalation with its model, outcome and price
    const table = page.getByRole('table', { name: 'Last calls through the gateway' })
    const rows = page.getByTestId('gateway-call')
    await expect(rows).toHaveCount(2, { timeout: 20_000 })
    const escalated = rows.filter({ hasText: 'escalation' })
    await expect(escalated).toHaveCount(1)
    await expect(escalated.locator('td').nth(2)).toHaveText('e2e-cascade · classify')
    await expect(escalated.locator('td').nth(3)).toHaveText('gpt-4o')
    await expect(escalated.locator('td').nth(4)).toHaveText('escalation (attempt 2)')
    await expect(escalated.locator('td').nth(7)).toHaveText('$0.00325')
    const first = rows.filter({ hasText: 'gpt-4o-mini' })
    await expect(first).toHaveCount(1)
    await expect(first.locator('td').nth(4)).toHaveText('success')

    // a confident answer stays: one more row, no escalation
    fake.answerText('gpt-4o-mini', JSON.stringify({ label: 'shipping', confidence: 0.9 }))
    const kept = await openai.chat.completions.create(
      { model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'Classify: where is my parcel' }] },
      { headers },
    )
    expect(JSON.parse(kept.choices[0].message.content!)).toEqual({ label: 'shipping', confidence: 0.9 })
    expect(fake.requests.map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o', 'gpt-4o-mini'])
    await expect(rows).toHaveCount(3, { timeout: 20_000 })
    await expect(table.getByText('escalation (attempt 2)')).toHaveCount(1)
    await expect(rows.filter({ hasText: 'gpt-4o-mini' })).toHaveCount(2)
  } finally {
    await fake.close()
  }
})
