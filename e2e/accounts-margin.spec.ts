import { test, expect, apiSignIn, createOrg, demoMember, sql, DEMO_LOGIN } from './fixtures'

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
  // stable both ways: accounts with the same share keep the table's first order (the data can make two shares equal)
  const byShareAsc = [...withRevenue].sort((a, b) => shareOf(a)! - shareOf(b)! || withRevenue.indexOf(a) - withRevenue.indexOf(b))
  expect(await order()).toEqual(byShareAsc)
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

// Finance records revenue on the Accounts page: pasted CSV rows are saved (SQL), a bad row comes back with its line,
// field and reason while the good ones are kept, and the margin figures read them at once. A viewer has no form.
test('accounts: record revenue from pasted CSV, a bad row refused with its reason, the good ones kept', async ({ page }) => {
  const stamp = Date.now()
  const email = `revenue-${stamp}@example.com`
  const { org_slug } = createOrg(`Revenue ${stamp}`, email, 'revenue-password-1', ['read'])
  await apiSignIn(page.request, email, 'revenue-password-1')
  const month = new Date().toISOString().slice(0, 7)
  await page.goto(`/${org_slug}/accounts`)
  const form = page.getByTestId('revenue-upload')
  await form.getByLabel('Or paste the rows').fill(`account_id,month,revenue_usd\nacme,${month},1250.50\nglobex,${month},-3\ninitech,${month},99.999999`)
  await form.getByRole('button', { name: 'Save revenue' }).click()
  await expect(page.getByTestId('revenue-result')).toContainText('Saved 2 rows; 1 refused (below).')
  const refused = page.getByTestId('revenue-rejected').locator('tbody tr')
  await expect(refused).toHaveCount(1)
  await expect(refused.locator('td').nth(0)).toHaveText('3')
  await expect(refused.locator('td').nth(1)).toHaveText('revenue_usd')
  const rows = await sql<{ account_id: string; micros: string }>(
    `SELECT r.account_id, r.revenue_micros::text AS micros FROM account_revenue r JOIN organizations o ON o.id = r.org_id WHERE o.slug = $1 ORDER BY 1`,
    [org_slug],
  )
  expect(rows).toEqual([
    { account_id: 'acme', micros: '1250500000' },
    { account_id: 'initech', micros: '99999999' },
  ])

  // the form is for those who may write revenue (finance, admin), not a viewer
  await page.context().clearCookies()
  const viewer = await demoMember('viewer')
  await apiSignIn(page.request, viewer.email, viewer.password)
  await page.goto(`/${DEMO_LOGIN.slug}/accounts`)
  await expect(page.getByRole('heading', { name: 'Accounts', level: 1 })).toBeVisible()
  await expect(page.getByTestId('revenue-upload')).toHaveCount(0)
})
