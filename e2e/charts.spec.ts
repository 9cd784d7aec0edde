import { test, expect, apiSignIn, sql, DEMO_LOGIN, type Page } from './fixtures'
import { seriesColors } from '../components/charts/theme'

// Charts that read (issue 21): a workflow keeps its colour from page to page,
// tokens in and out have their own axes, and "compare with the previous
// period" off hides the lists' Change columns.

const ORG = DEMO_LOGIN.slug
const WORKFLOW = 'support-agent'

/** The browser's rgb() for a hex colour, as getComputedStyle reports it. */
const rgb = (hex: string) => {
  const n = Number.parseInt(hex.slice(1), 16)
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`
}

async function paintedColor(page: Page, selector: string): Promise<string> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => getComputedStyle(el).backgroundColor)
}

test('a workflow has the same colour on the overview and on the workflows page', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)

  await page.goto(`/${ORG}/overview?range=30`)
  const overviewRow = page.getByTestId('by-workflow').locator(`tr[data-key="${WORKFLOW}"]`)
  // the overview loads a dozen queries: on a busy machine the list comes late
  await expect(overviewRow).toBeVisible({ timeout: 45_000 })
  const onOverview = await overviewRow.getAttribute('data-series-color')
  expect(onOverview).toMatch(/^#[0-9a-f]{6}$/)
  // what is painted is that colour: the row's share bar
  expect(await paintedColor(page, `[data-testid="by-workflow"] tr[data-key="${WORKFLOW}"] [style*="width"]`)).toBe(rgb(onOverview!))
  // the workflows drawn apart: no two rows of the list share a colour
  const overviewColors = await page
    .getByTestId('by-workflow')
    .locator('tr[data-series-color]')
    .evaluateAll((rows) => rows.filter((r) => !['Other', '(none)'].includes(r.getAttribute('data-key') ?? '')).map((r) => r.getAttribute('data-series-color')))
  expect(new Set(overviewColors).size).toBe(overviewColors.length)

  await page.goto(`/${ORG}/workflows?range=30`)
  const listRow = page.getByTestId('workflows-table').locator(`tr[data-key="${WORKFLOW}"]`)
  await expect(listRow).toBeVisible({ timeout: 45_000 })
  await expect(listRow).toHaveAttribute('data-series-color', onOverview!)
  // the swatch beside the name and the row's daily trend are painted in it
  expect(await paintedColor(page, `[data-testid="workflows-table"] tr[data-key="${WORKFLOW}"] th span[aria-hidden="true"]`)).toBe(rgb(onOverview!))
  await expect(listRow.locator('[data-series-color]').first()).toHaveAttribute('data-series-color', onOverview!)

  // and it is the colour the theme gives the workflow among the demo's workflows
  const keys = await page
    .getByTestId('workflows-table')
    .locator('tbody tr')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-key') ?? ''))
  expect(seriesColors(keys.filter((k) => k !== '(no workflow)'))[WORKFLOW]).toBe(onOverview)
  expect(consoleErrors).toEqual([])
})

test('a workflow keeps its overview colour on an account page that draws it beside other workflows', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  // the organization's workflows, and an account that calls only some of them (its chart draws a different set)
  const all = (
    await sql<{ workflow: string }>(
      `SELECT DISTINCT workflow_id AS workflow FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND workflow_id IS NOT NULL`,
      [ORG],
    )
  ).map((r) => r.workflow)
  const accounts = await sql<{ account: string; workflows: string[] }>(
    `SELECT account_id AS account, array_agg(DISTINCT workflow_id ORDER BY workflow_id) AS workflows FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND account_id IS NOT NULL AND workflow_id IS NOT NULL AND e.timestamp >= now() - interval '30 days'
     GROUP BY 1 HAVING count(DISTINCT workflow_id) BETWEEN 2 AND $2 - 1 ORDER BY count(*) DESC LIMIT 1`,
    [ORG, all.length],
  )
  expect(accounts.length).toBe(1)
  const { account, workflows } = accounts[0]
  const want = seriesColors(all)

  await page.goto(`/${ORG}/overview?range=30`)
  const list = page.getByTestId('by-workflow')
  for (const w of workflows) {
    const row = list.locator(`tr[data-key="${w}"]`)
    if ((await row.count()) === 0) continue // beyond the list's top rows (in "Other")
    await expect(row).toHaveAttribute('data-series-color', want[w], { timeout: 45_000 })
  }

  await page.goto(`/${ORG}/accounts/${encodeURIComponent(account)}?range=30`)
  const chart = page.getByRole('img', { name: new RegExp(`Spend per day of account ${account}, stacked by workflow`) })
  await expect(chart).toBeVisible({ timeout: 45_000 })
  // the colours follow the organization's names (read once): the chart's series in the colour they have on the overview
  await expect(chart).toHaveAttribute('data-series-colors', new RegExp(`(^| )${workflows[0]}=${want[workflows[0]]}( |$)`), { timeout: 15_000 })
  for (const w of workflows) {
    await expect(chart).toHaveAttribute('data-series-colors', new RegExp(`(^| )${w}=${want[w]}( |$)`))
    // the legend's swatch is painted in it
    const swatch = chart.locator('.recharts-legend-item').filter({ hasText: w }).locator('.recharts-legend-icon')
    await expect(swatch).toHaveAttribute('fill', want[w])
  }
  expect(consoleErrors).toEqual([])
})

test('tokens in and out of a workflow are on their own axes, each titled with its unit', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${ORG}/workflows/${WORKFLOW}?range=30`)
  const chart = page.getByRole('img', { name: /Input tokens per call \(left axis\) and output tokens per call \(right axis\)/ })
  await expect(chart).toBeVisible({ timeout: 45_000 })
  await expect(chart.locator('.recharts-yAxis')).toHaveCount(2)
  await expect(chart.getByText('input tokens / call', { exact: true })).toBeVisible()
  await expect(chart.getByText('output tokens / call', { exact: true })).toBeVisible()
  expect(consoleErrors).toEqual([])
})

for (const [path, testId] of [
  ['workflows', 'workflows-table'],
  ['features', 'features-table'],
  ['accounts', 'accounts-table'],
] as const) {
  test(`${path}: the Change columns follow "compare with the previous period"`, async ({ page, consoleErrors }) => {
    await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
    await page.goto(`/${ORG}/${path}?range=30`)
    const table = page.getByTestId(testId)
    // each header's sort button (the header's own name also holds its definition's ⓘ)
    const header = (name: string) => table.getByRole('columnheader').getByRole('button', { name, exact: true })
    await expect(header('Change')).toBeVisible({ timeout: 45_000 })
    await expect(header('Change %')).toBeVisible()
    await expect(table.locator('[data-change]').first()).toBeVisible()
    await expect(page.getByTestId('top-movers').or(page.getByText(/spent more than in the previous period/))).toBeVisible()

    await page.getByLabel('Compare with the previous period').uncheck()
    await expect(page).toHaveURL(/[?&]compare=0(&|$)/)
    await expect(header('Spend')).toBeVisible()
    await expect(header('Change')).toHaveCount(0)
    await expect(header('Change %')).toHaveCount(0)
    await expect(table.locator('[data-change]')).toHaveCount(0)
    await expect(page.getByRole('heading', { name: 'Top movers' })).toHaveCount(0)

    // kept in the URL: a reload keeps them hidden; on again, they are back
    await page.reload()
    await expect(header('Spend')).toBeVisible({ timeout: 45_000 })
    await expect(header('Change')).toHaveCount(0)
    await page.getByLabel('Compare with the previous period').check()
    await expect(header('Change')).toBeVisible()
    await expect(header('Change %')).toBeVisible()
    expect(consoleErrors).toEqual([])
  })
}
