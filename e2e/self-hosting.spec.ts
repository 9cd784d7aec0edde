import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN } from './fixtures'

// GPU vs API on the fleet page: each demo pool's tokens equal SQL over its calls, its cost per million tokens is
// its paid capacity over them, and the verdict names which is cheaper. The demo's prod-h100 runs at about a fifth of
// its capacity after doubling: the API is cheaper for its calls.
test('fleet: each pool’s cost per million tokens against the API, tokens equal to SQL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/fleet?days=30`)
  const table = page.getByTestId('self-hosting')
  const row = table.locator('tr[data-self-hosting-pool="prod-h100"]')
  await expect(row).toBeVisible({ timeout: 30_000 })
  const from = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 30 * 86_400_000).toISOString()
  const [t] = await sql<{ tokens: string }>(
    `SELECT coalesce(sum(e.tokens_in + e.tokens_out), 0)::text AS tokens FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e.gpu_pool = 'prod-h100' AND e.timestamp >= $2`,
    [DEMO_LOGIN.slug, from],
  )
  expect(Number(t.tokens)).toBeGreaterThan(0)
  await expect(row.locator('td').nth(2)).toHaveAttribute('title', Number(t.tokens).toLocaleString('en-US'))
  const paid = Number(await row.locator('[data-usd]').getAttribute('data-usd'))
  await expect(row.getByTestId('self-hosted-per-mtok')).toHaveText(`${usd(((paid * 1e6) / Number(t.tokens)).toFixed(6))}/M`)
  await expect(row).toHaveAttribute('data-verdict', 'api_cheaper')
  await expect(row.getByTestId('verdict')).toHaveText(/^the API is \d[\d,]*(\.\d+)?× cheaper/)
  await expect(row).toContainText('llama-3.1-70b-instruct')
  // the reserve pool serves nothing: its whole cost buys nothing
  await expect(table.locator('tr[data-self-hosting-pool="reserve-h100"]').getByTestId('verdict')).toHaveText(
    'served no calls in the period: its whole cost buys nothing',
  )
})
