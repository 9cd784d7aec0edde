import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN } from './fixtures'
import { toScaled } from '../lib/cost/money'

/** A non-negative USD amount in pico-dollars (10^-12), exact. */
const picos = (usd: string | null) => toScaled(usd ?? 'NaN', 12)

// Finance reads what a scenario really costs this month: its production calls
// match SQL, every part adds up to the calls plus the pools plus the line
// items, a line item entered with the keyboard lands in its scenario, and an
// edited split rule moves a pool's cost.
test('scenarios: parts match SQL and add up; line item and split rule edited in place', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/overview`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'GPU fleet' }).click()
  await page.getByRole('navigation', { name: 'GPU fleet' }).getByRole('link', { name: 'Scenario cost' }).click()
  await expect(page.getByRole('heading', { name: 'Scenario cost', level: 1 })).toBeVisible()

  const month = `date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`
  const [calls] = await sql<{ kb_prod: string; all: string }>(
    `SELECT round(sum(cost_usd) FILTER (WHERE coalesce(scenario_id, workflow_id) = 'kb-search' AND traffic_source = 'production' AND environment = 'production'), 12)::text AS kb_prod,
            round(sum(cost_usd), 6)::text AS all
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND e.timestamp >= ${month}`,
    [DEMO_LOGIN.slug],
  )
  const kb = page.getByTestId('scenarios').locator('tr[data-scenario="kb-search"]')
  // Every part of every scenario is rounded together so that they add up to the month's exact sum rounded once
  // (lib/gpu/scenario-cost.ts, largest remainder): a part is its exact sum rounded down or up, within a micro-dollar.
  const prodPart = kb.locator('[data-part="production_inference"]')
  await expect(prodPart).toHaveAttribute('data-usd', /^\d+\.\d{6}$/)
  const exact = picos(calls.kb_prod)
  const shown = picos(await prodPart.getAttribute('data-usd'))
  expect(shown === (exact / 1_000_000n) * 1_000_000n || shown === (exact / 1_000_000n + 1n) * 1_000_000n, `${shown} pico-dollars for ${exact}`).toBe(true)

  // Everything adds up: scenario totals = every call + what of each pool its calls did not already pay for (+ line items, none yet).
  const splits = page.getByTestId('pool-splits')
  await expect(splits.locator('[data-pool]')).toHaveCount(4)
  const attrs = (sel: string, attr: string) => splits.locator(sel).evaluateAll((els, a) => els.map((e) => Number(e.getAttribute(a))), attr)
  const poolCosts = await attrs('[data-pool-cost]', 'data-pool-cost')
  const paidByCalls = await attrs('[data-used]', 'data-used')
  const [gpuCalls] = await sql<{ usd: string }>(
    `SELECT round(sum(cost_usd), 6)::text AS usd FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND e.timestamp >= ${month} AND gpu_pool IS NOT NULL`,
    [DEMO_LOGIN.slug],
  )
  expect(paidByCalls.reduce((s, v) => s + v, 0)).toBeCloseTo(Number(gpuCalls.usd), 5) // the demo's self-hosted calls have no token price: all GPU
  const totals = await page
    .getByTestId('scenarios')
    .locator('[data-total]')
    .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-total'))))
  const sum = (xs: number[]) => xs.reduce((s, v) => s + v, 0)
  expect(sum(totals)).toBeCloseTo(Number(calls.all) + sum(poolCosts) - sum(paidByCalls), 3) // each part is rounded once to the micro-dollar
  // …and a pool's cost is its versions' GPU-hours × price since the start of the month.
  const [prod] = await sql<{ usd: string }>(
    `SELECT sum(v.gpu_count * v.effective_gpu_hour_usd * extract(epoch FROM least(coalesce(v.until, now()), now()) - greatest(v.effective_from, ${month})) / 3600)::text AS usd
     FROM (SELECT *, lead(effective_from) OVER (PARTITION BY pool_id ORDER BY effective_from) AS until FROM gpu_pool_versions) v
     JOIN gpu_pools p ON p.id = v.pool_id JOIN organizations o ON o.id = p.org_id
     WHERE o.slug = $1 AND p.name = 'prod-h100' AND coalesce(v.until, now()) > ${month}`,
    [DEMO_LOGIN.slug],
  )
  expect(Number(await splits.locator('[data-pool="prod-h100"] [data-pool-cost]').getAttribute('data-pool-cost'))).toBeCloseTo(Number(prod.usd), 0)

  // Month by month: this month's total per scenario is the same figure.
  const kbTotal = await kb.locator('[data-total]').textContent()
  await expect(
    page.getByTestId('scenario-trend').locator('tr', { hasText: 'kb-search' }).locator('td').last().locator('xpath=preceding-sibling::td[1]'),
  ).toHaveText(kbTotal!)

  // A line item, with the keyboard.
  const form = page.getByRole('form', { name: 'New line item' })
  await form.getByLabel('Scenario').fill('kb-search')
  await form.getByLabel('Amount (USD, this month)').fill('1250')
  await form.getByLabel('Note').fill('index rebuild, 3 engineer-days')
  await form.getByLabel('Note').press('Enter')
  await expect(page.getByTestId('line-items')).toContainText('index rebuild, 3 engineer-days')
  await expect(kb.locator('[data-part="engineering"]')).toHaveText(usd(1250))

  // The reserve pool split evenly instead of 3:1.
  const reserve = splits.locator('[data-pool="reserve-h100"]')
  await reserve.getByLabel('Rule', { exact: true }).selectOption('even')
  await reserve.getByRole('button', { name: 'Apply' }).click()
  await expect(async () => {
    const shares = await reserve.locator('li .num').allTextContents()
    expect(shares).toHaveLength(2)
    const [a, b] = shares.map((s) => Number(s.replace(/[$,]/g, '')))
    expect(Math.abs(a - b)).toBeLessThanOrEqual(0.01)
  }).toPass({ timeout: 15_000 })
})
