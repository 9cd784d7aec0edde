import { test, expect, apiSignIn, createOrg, sql, DEMO_LOGIN, type Page } from './fixtures'
import { definitionOf } from '../lib/metrics/definitions'
import { isStepAnomaly } from '../lib/metrics/views/account-detail'
import { micros } from '../lib/domain'
import { expectSorts } from './support/sorting'

// Issue 21: every table sorts by its columns (money by its exact value), each measure shows its one
// definition on hover and on keyboard focus, and the Accounts list flags the accounts the account page
// flags. Figures against SQL on the demo organization's events.

const attrs = async (page: Page, testId: string, attr: string) =>
  page
    .getByTestId(testId)
    .locator(`tbody tr [${attr}]`)
    .evaluateAll((els, a) => els.map((e) => e.getAttribute(a) ?? ''), attr)

const byMicros = (dir: 'asc' | 'desc') => (a: string, b: string) => {
  const d = micros(a) - micros(b)
  return (d === 0n ? 0 : d > 0n ? 1 : -1) * (dir === 'asc' ? 1 : -1)
}

test('tables sort by their columns: workflows by spend, a workflow’s steps by calls, against SQL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/workflows?range=90`)
  const spend = await sql<{ workflow: string; cost: string }>(
    `SELECT coalesce(workflow_id, '(no workflow)') AS workflow, round(coalesce(sum(cost_usd), 0), 6)::text AS cost
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 GROUP BY 1`,
    [DEMO_LOGIN.slug],
  )
  const table = page.getByTestId('workflows-table')
  await expect(table.locator('tbody tr')).toHaveCount(spend.length)
  const header = table.getByRole('columnheader', { name: /^Spend/ })
  await expect(header).toHaveAttribute('aria-sort', 'none')
  const sortButton = header.getByRole('button', { name: 'Spend', exact: true })

  // smallest first on the second press: the figures in ascending order of their exact value
  await sortButton.click()
  await expect(header).toHaveAttribute('aria-sort', 'descending')
  const wantDesc = spend.map((s) => s.cost).sort(byMicros('desc'))
  expect((await attrs(page, 'workflows-table', 'data-cost')).map((c) => micros(c))).toEqual(wantDesc.map((c) => micros(c)))
  await sortButton.press('Enter') // keyboard-usable: Enter on the header's button flips it
  await expect(header).toHaveAttribute('aria-sort', 'ascending')
  expect((await attrs(page, 'workflows-table', 'data-cost')).map((c) => micros(c))).toEqual([...wantDesc].reverse().map((c) => micros(c)))
  await expect(header).toContainText('▲')

  // by name, A → Z first
  const nameHeader = table.getByRole('columnheader', { name: /^Workflow/ })
  await nameHeader.getByRole('button').first().click()
  await expect(nameHeader).toHaveAttribute('aria-sort', 'ascending')
  const keys = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key') ?? ''))
  expect(keys).toEqual([...keys].sort((a, b) => a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' })))

  // a workflow's steps by calls, largest first
  const top = spend.sort((a, b) => byMicros('desc')(a.cost, b.cost))[0].workflow
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/${encodeURIComponent(top)}?range=90`)
  const calls = await sql<{ step: string; calls: string }>(
    `SELECT step, count(*)::text AS calls FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND workflow_id = $2 GROUP BY 1`,
    [DEMO_LOGIN.slug, top],
  )
  const steps = page.getByTestId('steps-table')
  await expect(steps.locator('tbody tr')).toHaveCount(calls.length)
  const callsHeader = steps.getByRole('columnheader', { name: /^Calls/ }).first()
  await callsHeader.getByRole('button', { name: 'Calls', exact: true }).click()
  await expect(callsHeader).toHaveAttribute('aria-sort', 'descending')
  expect((await attrs(page, 'steps-table', 'data-calls')).map(Number)).toEqual(calls.map((c) => Number(c.calls)).sort((a, b) => b - a))
})

test('a measure’s definition shows on hover and on keyboard focus, one wording for retry rate and retry tax %', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/workflows?range=90`)
  const tax = definitionOf('retry_tax_share')
  const icon = page.getByTestId('info-retry_tax_share').first()
  const tip = page.getByTestId('definition-retry_tax_share').first()
  await expect(icon).toBeVisible()
  await expect(tip).toBeHidden()
  await icon.hover()
  await expect(tip).toBeVisible()
  await expect(tip).toHaveText(`${tax.label}: ${tax.definition}`)
  await expect(icon).toHaveAttribute('aria-describedby', (await tip.getAttribute('id'))!)
  await page.mouse.move(0, 0)
  await expect(tip).toBeHidden()

  // keyboard: Tab to the icon from the control before it shows the definition; Escape hides it
  const spendIcon = page.getByTestId('info-spend').first()
  await spendIcon.focus()
  await expect(page.getByTestId('definition-spend').first()).toBeVisible()
  await page.keyboard.press('Tab')
  await expect(page.getByTestId('definition-spend').first()).toBeHidden()
  await page.keyboard.press('Shift+Tab')
  await expect(page.getByTestId('definition-spend').first()).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(page.getByTestId('definition-spend').first()).toBeHidden()
  await expect(page.getByRole('button', { name: `What is ${tax.label}?` }).first()).toBeVisible()

  // the decision record's retry rate is another measure (calls, not money), named and defined apart
  const table = page.getByTestId('workflows-table')
  const first = (await table.locator('tbody tr').first().getAttribute('data-key'))!
  await page.goto(`/${DEMO_LOGIN.slug}/workflows/${encodeURIComponent(first)}?range=90`)
  await page.getByTestId('steps-table').locator('tbody tr').first().getByRole('link').first().click()
  await expect(page.getByTestId('kpi-retry-rate')).toBeVisible()
  const rate = page.getByTestId('info-retry_rate').first()
  await rate.focus()
  await expect(page.getByTestId('definition-retry_rate').first()).toHaveText(`Retry rate: ${definitionOf('retry_rate').definition}`)
})

test('the Accounts list flags the accounts the account page flags: column, “Flagged only”, flagged first, against SQL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  // each account's calls per run at each step, and the median over accounts (the account page's yardstick)
  const per = await sql<{ account: string; workflow: string; step: string; calls: string; runs: string }>(
    `WITH x AS (SELECT account_id, workflow_id, step, run_id FROM inference_events e JOIN organizations o ON o.id = e.org_id
                WHERE o.slug = $1 AND account_id IS NOT NULL AND workflow_id IS NOT NULL AND step IS NOT NULL),
          r AS (SELECT account_id, workflow_id, count(DISTINCT run_id) AS runs FROM x GROUP BY 1, 2)
     SELECT x.account_id AS account, x.workflow_id AS workflow, x.step, count(*)::text AS calls, max(r.runs)::text AS runs
     FROM x JOIN r USING (account_id, workflow_id) GROUP BY 1, 2, 3`,
    [DEMO_LOGIN.slug],
  )
  const ratios = new Map<string, number[]>()
  for (const p of per) ratios.set(`${p.workflow}/${p.step}`, [...(ratios.get(`${p.workflow}/${p.step}`) ?? []), Number(p.calls) / Number(p.runs)])
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b)
    const m = s.length >> 1
    return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
  }
  const flagged = new Set(
    per
      .filter((p) => {
        const list = ratios.get(`${p.workflow}/${p.step}`)!
        return isStepAnomaly({ calls_per_run: Number(p.calls) / Number(p.runs), median_calls_per_run: median(list), runs: Number(p.runs), peers: list.length })
      })
      .map((p) => p.account),
  )
  expect([...flagged]).toContain('globex') // the demo's double retrieval

  await page.goto(`/${DEMO_LOGIN.slug}/accounts?range=90`)
  const table = page.getByTestId('accounts-table')
  await expect(page.getByTestId('flagged-count')).toContainText(`${flagged.size} account${flagged.size === 1 ? '' : 's'} flagged`)
  // flagged rows first
  const keys = async () => table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-key') ?? ''))
  expect((await keys()).slice(0, flagged.size).sort()).toEqual([...flagged].sort())
  await expect(table.locator('tr[data-key="globex"] [data-flag="support-agent/retrieve"]')).toBeVisible()

  // the filter: only them, in the URL
  // the box follows the URL (router.replace), so click and wait for it rather than check()
  await page.getByLabel('Flagged only').click()
  await expect(page.getByLabel('Flagged only')).toBeChecked()
  await expect(page).toHaveURL(/flagged=1/)
  await expect(table.locator('tbody tr')).toHaveCount(flagged.size)
  expect((await keys()).sort()).toEqual([...flagged].sort())
  await page.getByLabel('Flagged only').click()
  await expect(page.getByLabel('Flagged only')).not.toBeChecked()
  await expect(table.locator('tbody tr')).not.toHaveCount(flagged.size)

  // the flag leads to the account page, which flags the same step
  await table.locator('tr[data-key="globex"] [data-flag="support-agent/retrieve"]').click()
  await expect(page.getByRole('heading', { name: 'Account globex', level: 1 })).toBeVisible()
  await expect(page.getByTestId('account-steps-table').getByRole('row', { name: /support-agent \/ retrieve/ })).toHaveAttribute('data-flagged', 'true')
})

// Every other table sorts the same way (issue 21): a header's button sorts its rows by the column's value — largest first
// for figures, A→Z for text, nulls last — and a second press flips it; aria-sort says which. Read on the demo organization.

const month = () => new Date().toISOString().slice(0, 7)

test.describe('every data table sorts by its columns (demo organization)', () => {
  test.beforeEach(async ({ page }) => {
    await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  })
  const ORG = DEMO_LOGIN.slug

  test('monthly report: spend by workflow, scenarios', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/reports/monthly?month=${month()}`)
    await expectSorts(page, page.getByTestId('report-workflow_id').locator('table'), 'Spend')
    await expectSorts(page, page.getByTestId('report-workflow_id').locator('table'), 'Calls')
    const scenarios = page.getByTestId('report-scenarios').locator('table')
    if (await scenarios.count()) await expectSorts(page, scenarios, 'Fully loaded cost')
    expect(consoleErrors).toEqual([])
  })

  test('quarterly audit: workflows, and a workflow’s steps', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/reports/audit`)
    await expectSorts(page, page.getByTestId('audit-table').locator('table'), 'Production mean')
    await expectSorts(page, page.getByTestId('audit-table').locator('table'), 'Workflow')
    expect(consoleErrors).toEqual([])
  })

  test('end users across accounts', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/accounts?range=30`)
    await expectSorts(page, page.getByTestId('end-users-table'), 'Spend (USD)')
    await expectSorts(page, page.getByTestId('end-users-table'), 'Calls')
    expect(consoleErrors).toEqual([])
  })

  test('a workflow’s prompt versions', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/workflows/support-agent?range=30`)
    await expectSorts(page, page.getByTestId('prompt-versions-table'), 'Calls')
    expect(consoleErrors).toEqual([])
  })

  test('quarterly audit: a workflow’s sampled steps', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/reports/audit`)
    await expectSorts(page, page.getByTestId('audit-evidence-support-agent').locator('table').first(), 'Mean per call')
    expect(consoleErrors).toEqual([])
  })

  test('calls explorer: the calls loaded sort, saying so', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/calls?range=30`)
    await expect(page.getByTestId('call-row').first()).toBeVisible({ timeout: 30_000 })
    await expect(page.getByTestId('calls-sorted-note')).toHaveCount(0)
    await expectSorts(page, page.getByTestId('calls-table'), 'Cost')
    await expect(page.getByTestId('calls-sorted-note')).toContainText('Sorted among the 50 calls loaded')
    expect(consoleErrors).toEqual([])
  })

  test('bills: the imports', async ({ page, consoleErrors }) => {
    const [{ n }] = await sql<{ n: string }>(`SELECT count(*)::text AS n FROM bill_imports b JOIN organizations o ON o.id = b.org_id WHERE o.slug = $1`, [ORG])
    test.skip(Number(n) < 2, 'the demo has fewer than two bills')
    await page.goto(`/${ORG}/reports/bills`)
    await expectSorts(page, page.getByTestId('bill-imports'), 'Total')
    await expectSorts(page, page.getByTestId('bill-imports'), 'Source')
    expect(consoleErrors).toEqual([])
  })

  test('forecast: the summary and the budgets’ outlook', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/forecast`)
    await expectSorts(page, page.getByTestId('forecast-summary'), 'Month to date (through yesterday)')
    expect(consoleErrors).toEqual([])
  })

  test('What changed: the parts and the workflows behind the change', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/changes`)
    await expectSorts(page, page.getByTestId('parts'), 'Change')
    await expectSorts(page, page.getByTestId('contributors-workflow'), 'B')
    expect(consoleErrors).toEqual([])
  })

  test('overview: the ranked lists, Other kept last', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/overview?range=30`)
    await expectSorts(page, page.getByTestId('by-workflow'), 'Events', { skipRow: 'Other' })
    expect(consoleErrors).toEqual([])
  })

  test('scenario cost: the scenarios', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/fleet/scenarios`)
    await expectSorts(page, page.getByTestId('scenarios'), 'Fully loaded')
    await expectSorts(page, page.getByTestId('scenarios'), 'Accepted outcomes')
    expect(consoleErrors).toEqual([])
  })

  test('run view: a run’s calls, each keeping its number', async ({ page, consoleErrors }) => {
    const [run] = await sql<{ run_id: string }>(
      `SELECT run_id FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND run_id IS NOT NULL
       GROUP BY run_id HAVING count(DISTINCT cost_usd) > 2 ORDER BY count(*) DESC LIMIT 1`,
      [ORG],
    )
    await page.goto(`/${ORG}/calls/runs/${encodeURIComponent(run.run_id)}`)
    const table = page.getByTestId('run-timeline')
    await expectSorts(page, table, 'Cost')
    await expectSorts(page, table, '#')
    expect(consoleErrors).toEqual([])
  })

  test('routing: a published policy’s live days', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/routing`)
    // the demo's published policy (lead-qualifier/classify): other specs add draft-only policies to the shared demo organization
    await page.getByTestId('policies').getByRole('region', { name: 'Workflow lead-qualifier' }).locator('tbody tr').first().getByRole('link').first().click()
    await expect(page.getByTestId('live-days')).toBeVisible({ timeout: 30_000 })
    await expectSorts(page, page.getByTestId('live-days'), 'Calls')
    expect(consoleErrors).toEqual([])
  })

  test('pricing: the default catalog', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/pricing`)
    await page.getByLabel('Search the catalog').fill('gpt')
    await expectSorts(page, page.getByTestId('catalog'), 'Input')
    expect(consoleErrors).toEqual([])
  })

  test('admin: the queues', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/admin`)
    await expectSorts(page, page.getByTestId('queues'), 'Queue')
    expect(consoleErrors).toEqual([])
  })

  test('a workflow’s latency figures per day', async ({ page, consoleErrors }) => {
    await page.goto(`/${ORG}/workflows/support-agent?range=30`)
    await page.getByText('Figures per UTC day').click()
    await expectSorts(page, page.getByTestId('latency-routing-table'), 'Calls')
    expect(consoleErrors).toEqual([])
  })
})

test('the forecast’s budget outlook sorts by its columns', async ({ page, consoleErrors }) => {
  const stamp = Date.now()
  const email = `outlook-${stamp}@example.com`
  const { org_slug } = createOrg(`Outlook ${stamp}`, email, 'outlook-password-1', ['ingest'])
  await apiSignIn(page.request, email, 'outlook-password-1')
  for (const [name, amount_usd] of [
    ['Small monthly', '50'],
    ['Large monthly', '5000'],
    ['Middle monthly', '700'],
  ])
    expect((await page.request.post(`/api/v1/budgets?org=${org_slug}`, { data: { name, period: 'month', metric: 'spend', amount_usd } })).status()).toBe(201)
  await page.goto(`/${org_slug}/forecast`)
  await expectSorts(page, page.getByTestId('budget-outlook'), 'Amount')
  await expectSorts(page, page.getByTestId('budget-outlook'), 'Budget')
  expect(consoleErrors).toEqual([])
})

test('a pool’s size and price history sorts by its columns', async ({ page, consoleErrors }) => {
  const stamp = Date.now()
  const email = `pools-${stamp}@example.com`
  const { org_slug } = createOrg(`Pools ${stamp}`, email, 'pools-password-1', ['ingest'])
  await apiSignIn(page.request, email, 'pools-password-1')
  const day = 86_400_000
  const at = (daysAgo: number) => new Date(Math.floor(Date.now() / day) * day - daysAgo * day).toISOString()
  const made = await page.request.post(`/api/v1/gpu/pools?org=${org_slug}`, {
    data: { name: 'grow', role: 'production', gpu_type: 'L4', gpu_count: 2, pricing: 'hourly', gpu_hour_usd: '1.5', effective_from: at(20) },
  })
  expect(made.status()).toBe(201)
  for (const [gpu_count, daysAgo, gpu_hour_usd] of [
    [6, 10, '1.25'],
    [4, 5, '1.75'],
  ] as const) {
    const r = await page.request.patch(`/api/v1/gpu/pools?org=${org_slug}`, { data: { name: 'grow', gpu_count, gpu_hour_usd, effective_from: at(daysAgo) } })
    expect(r.status()).toBe(200)
  }
  await page.goto(`/${org_slug}/fleet`)
  await page.getByRole('button', { name: 'Edit grow' }).click()
  await page.getByText(/Size and price history/).click()
  await expectSorts(page, page.getByTestId('pool-versions'), 'GPUs')
  await expectSorts(page, page.getByTestId('pool-versions'), '$ / GPU-hour')
  expect(consoleErrors).toEqual([])
})
