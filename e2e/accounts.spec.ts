import { readFile } from 'node:fs/promises'
import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN } from './fixtures'

// Customer success's check: the accounts table and its CSV equal a direct SQL
// sum of the events per account, and the filters live in the URL.
test('the accounts page and its CSV equal a direct SQL sum per account', async ({ page }) => {
  test.setTimeout(120_000) // three page loads, a download and two filters: over a minute on a loaded machine
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  // The demo holds 14 days: all of them inside 90 days, none in the 90 days before.
  await page.goto(`/${DEMO_LOGIN.slug}/accounts?range=90`)
  await expect(page.getByRole('heading', { name: 'Accounts', level: 1 })).toBeVisible()
  await expect(page.getByLabel('Date range')).toHaveValue('90')

  const byAccount = await sql<{ account: string; cost: string }>(
    `SELECT coalesce(nullif(account_id, ''), '(no account)') AS account, round(sum(cost_usd), 6)::text AS cost
     FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 GROUP BY 1 ORDER BY sum(cost_usd) DESC NULLS LAST, 1`,
    [DEMO_LOGIN.slug],
  )
  expect(byAccount.length).toBeGreaterThan(10)
  const top = byAccount[0]

  // flagged accounts come first (the anomaly flags), then by spend: the top account's row, wherever it stands
  const firstRow = page.getByTestId('accounts-table').locator(`tbody tr[data-key="${top.account}"]`)
  await expect(firstRow.getByRole('rowheader')).toHaveText(top.account)
  await expect(firstRow.locator('[data-cost]')).toHaveAttribute('data-cost', top.cost)
  await expect(firstRow.locator('[data-cost]')).toHaveText(usd(top.cost))
  // nothing before the seeded days: every account is new
  await expect(firstRow).toContainText('new')
  await expect(page.getByTestId('accounts-table').locator('tbody tr')).toHaveCount(byAccount.length)

  // the card says the order it shows (it read "Sorted by spend" above flagged accounts that come first whatever their
  // spend): flagged accounts first, then the others, each part by spend, largest first
  await expect(page.getByTestId('flagged-count')).toContainText(' flagged: ')
  const shown = await page
    .getByTestId('accounts-table')
    .locator('tbody tr')
    .evaluateAll((trs) =>
      trs.map((tr) => ({ flagged: !!tr.querySelector('[data-flags]'), cost: Number(tr.querySelector('[data-cost]')?.getAttribute('data-cost')) })),
    )
  const flaggedShown = shown.filter((r) => r.flagged)
  const othersShown = shown.filter((r) => !r.flagged)
  expect(shown).toEqual([...flaggedShown, ...othersShown])
  for (const part of [flaggedShown, othersShown]) expect(part.map((r) => r.cost)).toEqual([...part.map((r) => r.cost)].sort((a, b) => b - a))
  const order = flaggedShown.length
    ? 'Flagged accounts first, then the others; each by spend in the period, largest first.'
    : 'By spend in the period, largest first.'
  await expect(page.locator('p', { hasText: 'Change compares with the previous period' })).toHaveText(new RegExp(`^${order.replace(/[.;]/g, '\\$&')} `))
  await expect(page.getByTestId('accounts-table').locator('caption')).toHaveText(`Spend per customer account. ${order}`)
  await expect(page.getByTestId('top-movers').getByRole('listitem')).toHaveCount(5)

  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toMatch(/^accounts-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/)
  const csv = await readFile(await download.path(), 'utf8')
  const lines = csv.trimEnd().split('\r\n')
  expect(lines[0]).toMatch(/^account,spend_usd,share_percent,change_usd,change_percent,events/)
  expect(lines.some((l) => l.startsWith(`${top.account},${top.cost},`))).toBe(true)
  expect(lines).toHaveLength(byAccount.length + 1)
  // in the table's order (flagged accounts first), not the spend order under it
  const tableOrder = await page.getByTestId('accounts-table').locator('tbody tr').getByRole('rowheader').allTextContents()
  expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(tableOrder.map((t) => t.trim()))

  // A filter changes the URL (so a link reproduces the view) and the numbers.
  const [staging] = await sql<{ cost: string }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 2)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND environment = 'staging'`,
    [DEMO_LOGIN.slug],
  )
  await page.getByLabel('Environment').selectOption('staging')
  await expect(page).toHaveURL(/[?&]environment=staging(&|$)/)
  await expect(page).toHaveURL(/[?&]range=90(&|$)/)
  await expect(page.getByTestId('kpi-spend')).toHaveText(usd(staging.cost))

  // The link reproduces the view.
  await page.reload()
  await expect(page.getByLabel('Environment')).toHaveValue('staging')
  await expect(page.getByTestId('kpi-spend')).toHaveText(usd(staging.cost))
})
