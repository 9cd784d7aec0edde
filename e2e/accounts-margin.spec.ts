import { test, expect, apiSignIn, sql, DEMO_LOGIN } from './fixtures'

// Finance reads each customer's margin after AI cost on the Accounts list: revenue, AI cost, AI cost as a share of
// revenue and gross margin over the whole months of the period, sortable, every figure equal to SQL over the events
// (production traffic) and the revenue rows; the demo's globex has the thinnest margin and fourth-coffee no revenue.
const microsToUsd = (m: bigint) => {
  const neg = m < 0n
  const a = neg ? -m : m
  return `${neg ? '-' : ''}${a / 1_000_000n}.${String(a % 1_000_000n).padStart(6, '0')}`
}

test('accounts: revenue, AI cost, share and gross margin equal SQL, and the columns sort', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  // The page's default period is the last 30 days (today included): its months run from that day's month to this one.
  const now = new Date()
  const fromDay = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - 29))
  const first = new Date(Date.UTC(fromDay.getUTCFullYear(), fromDay.getUTCMonth(), 1)).toISOString().slice(0, 10)
  const next = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10)
  const cost = await sql<{ account_id: string; micros: string }>(
    `SELECT account_id, sum(m)::bigint::text AS micros FROM (
       SELECT e.account_id, date_trunc('month', e.timestamp AT TIME ZONE 'UTC') AS mo, round(sum(e.cost_usd), 6) * 1000000 AS m
       FROM inference_events e JOIN organizations o ON o.id = e.org_id
       WHERE o.slug = $1 AND e.account_id IS NOT NULL AND e.environment = 'production' AND e.traffic_source = 'production'
         AND e.timestamp >= $2::date AND e.timestamp < $3::date
       GROUP BY 1, 2) x GROUP BY 1`,
    [DEMO_LOGIN.slug, first, next],
  )
  const revenue = await sql<{ account_id: string; micros: string }>(
    `SELECT r.account_id, sum(r.revenue_micros)::text AS micros FROM account_revenue r JOIN organizations o ON o.id = r.org_id
     WHERE o.slug = $1 AND r.month >= $2::date AND r.month < $3::date GROUP BY 1`,
    [DEMO_LOGIN.slug, first, next],
  )
  const costOf = new Map(cost.map((r) => [r.account_id, BigInt(r.micros)]))
  const revenueOf = new Map(revenue.map((r) => [r.account_id, BigInt(r.micros)]))
  expect(revenueOf.has('globex'), 'the demo has revenue for globex').toBe(true)
  expect(revenueOf.has('fourth-coffee'), 'fourth-coffee has no revenue').toBe(false)

  await page.goto(`/${DEMO_LOGIN.slug}/accounts`)
  const table = page.getByTestId('accounts-table')
  await expect(table.locator('[data-ai-cost]').first()).toBeVisible({ timeout: 30_000 })
  const keys = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key') ?? ''))
  const shareOf = (a: string) => {
    const r = revenueOf.get(a)
    return r && r > 0n ? Number(((costOf.get(a) ?? 0n) * 1_000_000n) / r) / 1_000_000 : null
  }
  for (const account of keys.filter((k) => revenueOf.has(k))) {
    const row = table.locator(`tr[data-key="${account}"]`)
    const r = revenueOf.get(account)!
    const c = costOf.get(account) ?? 0n
    await expect(row.locator('[data-revenue]')).toHaveAttribute('data-revenue', microsToUsd(r))
    await expect(row.locator('[data-ai-cost]')).toHaveAttribute('data-ai-cost', microsToUsd(c))
    await expect(row.locator('[data-margin]')).toHaveAttribute('data-margin', microsToUsd(r - c))
    await expect(row.locator('[data-share]')).toHaveText(`${(shareOf(account)! * 100).toFixed(1)}%`)
  }
  // without revenue: "no revenue", never 0%
  const coffee = table.locator('tr[data-key="fourth-coffee"]')
  if (keys.includes('fourth-coffee')) {
    await expect(coffee).toContainText('no revenue')
    await expect(coffee.locator('[data-ai-cost]')).toHaveAttribute('data-ai-cost', microsToUsd(costOf.get('fourth-coffee') ?? 0n))
  }

  // Sort by the share: highest first (globex, the thin margin), then lowest first; accounts without revenue stay last.
  const withRevenue = keys.filter((k) => shareOf(k) !== null)
  const byShare = [...withRevenue].sort((a, b) => shareOf(b)! - shareOf(a)! || withRevenue.indexOf(a) - withRevenue.indexOf(b))
  expect(byShare[0]).toBe('globex')
  const header = table.getByRole('columnheader', { name: /AI cost \/ revenue/ })
  await header.getByRole('button', { name: 'AI cost / revenue', exact: true }).click()
  await expect(header).toHaveAttribute('aria-sort', 'descending')
  const order = async () =>
    (await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key') ?? ''))).filter((k) => withRevenue.includes(k))
  expect(await order()).toEqual(byShare)
  await expect(table.locator('tbody tr').first()).toHaveAttribute('data-key', 'globex')
  await header.getByRole('button', { name: 'AI cost / revenue', exact: true }).click()
  await expect(header).toHaveAttribute('aria-sort', 'ascending')
  expect(await order()).toEqual([...byShare].reverse())
  const last = await table.locator('tbody tr').last().getAttribute('data-key')
  expect(shareOf(last!)).toBeNull()

  // The account page: the month rows of globex, from the same figures.
  await table.locator('tr[data-key="globex"]').getByRole('link', { name: 'globex' }).click()
  const months = page.getByTestId('account-margin-table')
  const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString().slice(0, 10)
  await expect(months.locator(`tr[data-month="${first === thisMonth ? first : 'total'}"] [data-margin]`)).toHaveAttribute(
    'data-margin',
    microsToUsd(revenueOf.get('globex')! - (costOf.get('globex') ?? 0n)),
  )
})
