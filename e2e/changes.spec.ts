import { readFile } from 'node:fs/promises'
import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN, type Page, answerUnavailable } from './fixtures'
import { DAY_MS, micros, microsToUsd } from '../lib/domain'

// "Why is spend different from last week?": the page's change equals a direct
// SQL sum on the raw events of the two periods, its five parts add up to it,
// and a contributor's link opens the same question for that workflow.

const day = (offset: number) => new Date(Date.now() + offset * DAY_MS).toISOString().slice(0, 10)
// The demo holds 14 days up to now: A = the 7 days before the last 7, B = the last 7 (today included).
const days = { a_from: day(-13), a_to: day(-7), b_from: day(-6), b_to: day(0) }
const end = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + DAY_MS).toISOString()

async function spend(from: string, to: string, workflow?: string): Promise<string> {
  const rows = await sql<{ cost: string }>(
    `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id
     WHERE o.slug = $1 AND e."timestamp" >= $2 AND e."timestamp" < $3 AND ($4::text IS NULL OR e.workflow_id = $4)`,
    [DEMO_LOGIN.slug, `${from}T00:00:00Z`, end(to), workflow ?? null],
  )
  return rows[0].cost
}

async function shownParts(page: Page): Promise<string[]> {
  const cells = page.getByTestId('parts').locator('tbody [data-usd]')
  await expect(cells).toHaveCount(5)
  return cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-usd')!))
}

test('the change equals SQL on the events, its parts add up to it, and a contributor link drills down', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  const qs = new URLSearchParams(days).toString()
  await page.goto(`/${DEMO_LOGIN.slug}/changes?${qs}`)
  await expect(page.getByRole('heading', { name: 'What changed', level: 1 })).toBeVisible()
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'What changed' })).toHaveAttribute('aria-current', 'page')
  await expect(page.getByLabel('B from', { exact: true })).toHaveValue(days.b_from)
  await expect(page.getByLabel('A to', { exact: true })).toHaveValue(days.a_to)

  const a = await spend(days.a_from, days.a_to)
  const b = await spend(days.b_from, days.b_to)
  expect(micros(a)).toBeGreaterThan(0n)
  const delta = microsToUsd(micros(b) - micros(a))
  await expect(page.getByTestId('delta')).toHaveAttribute('data-usd', delta)
  await expect(page.getByTestId('kpi-a')).toHaveText(usd(a))
  await expect(page.getByTestId('kpi-b')).toHaveText(usd(b))
  const parts = await shownParts(page)
  expect(microsToUsd(parts.reduce((s, p) => s + micros(p), 0n))).toBe(delta)
  for (const label of ['Volume', 'Tokens per call', 'Model mix', 'Price', 'Retries and errors']) {
    await expect(page.getByTestId('parts').getByRole('rowheader', { name: label })).toBeVisible()
  }

  // CSV: what is shown
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export CSV' }).click()])
  expect(download.suggestedFilename()).toBe(`changes-${days.b_from}-${days.b_to}-vs-${days.a_from}-${days.a_to}.csv`)
  const lines = (await readFile(await download.path(), 'utf8')).trimEnd().split('\r\n')
  expect(lines[0]).toBe('section,item,period_a_usd,period_b_usd,change_usd,explanation')
  expect(lines[1].split(',').slice(0, 5)).toEqual(['total', 'spend', a, b, delta])
  expect(lines.slice(2, 7).map((l) => l.split(',')[4])).toEqual(parts)

  // The largest workflow contributor, by its link: the same question scoped to it.
  const top = page.getByTestId('contributors-workflow').locator('tbody tr').first()
  const workflow = (await top.getAttribute('data-key'))!
  await expect(top.locator('[data-delta]')).toHaveAttribute(
    'data-delta',
    microsToUsd(micros(await spend(days.b_from, days.b_to, workflow)) - micros(await spend(days.a_from, days.a_to, workflow))),
  )
  await top.getByRole('link', { name: workflow, exact: true }).click()
  await expect(page).toHaveURL(new RegExp(`workflow_id=${encodeURIComponent(workflow)}`))
  await expect(page.getByText(`for workflow ${workflow}`)).toBeVisible()
  const wa = await spend(days.a_from, days.a_to, workflow)
  const wb = await spend(days.b_from, days.b_to, workflow)
  await expect(page.getByTestId('delta')).toHaveAttribute('data-usd', microsToUsd(micros(wb) - micros(wa)))
  await expect(page.getByTestId('contributors-workflow').locator('tbody tr')).toHaveCount(1)
  expect(microsToUsd((await shownParts(page)).reduce((s, p) => s + micros(p), 0n))).toBe(microsToUsd(micros(wb) - micros(wa)))
})

test('periods and scope are picked with the keyboard and kept in the URL', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/changes`)
  // default: the last 7 days vs the 7 before
  await expect(page.getByLabel('B to', { exact: true })).toHaveValue(day(0))
  await expect(page.getByLabel('A from', { exact: true })).toHaveValue(day(-13))
  await expect(page.getByTestId('delta')).toHaveAttribute('data-usd', /^-?\d+\.\d{6}$/)

  await page.getByLabel('B from', { exact: true }).fill(day(-1))
  await page.getByLabel('B to', { exact: true }).fill(day(-1))
  await page.getByLabel('A from', { exact: true }).fill(day(-8))
  await page.getByLabel('A to', { exact: true }).fill(day(-8))
  await page.getByRole('combobox', { name: 'Scope' }).selectOption('account')
  const account = page.getByRole('combobox', { name: 'Account', exact: true })
  await expect(account.locator('option:not([disabled])').first()).toBeAttached()
  const first = await account.locator('option:not([disabled])').first().getAttribute('value')
  await account.selectOption(first!)
  await page.getByRole('button', { name: 'Compare' }).press('Enter')
  await expect(page).toHaveURL(new RegExp(`a_from=${day(-8)}.*b_to=${day(-1)}.*account_id=${encodeURIComponent(first!)}`))
  await expect(page.getByText(`for account ${first}`)).toBeVisible()
  const rows = await sql<{ a: string; b: string }>(
    `SELECT round(coalesce(sum(cost_usd) FILTER (WHERE "timestamp" >= $2 AND "timestamp" < $3), 0), 6)::text AS a,
            round(coalesce(sum(cost_usd) FILTER (WHERE "timestamp" >= $4 AND "timestamp" < $5), 0), 6)::text AS b
     FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1 AND e.account_id = $6`,
    [DEMO_LOGIN.slug, `${day(-8)}T00:00:00Z`, end(day(-8)), `${day(-1)}T00:00:00Z`, end(day(-1)), first],
  )
  await expect(page.getByTestId('delta')).toHaveAttribute('data-usd', microsToUsd(micros(rows[0].b) - micros(rows[0].a)))
})

test('a day of the overview spend chart leads to that day vs a week earlier', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/overview?range=30`)
  await page.getByTestId('day-links').locator('summary').click()
  const target = day(-2)
  await page.getByTestId('day-links').getByRole('link', { name: target, exact: true }).click()
  await expect(page.getByRole('heading', { name: 'What changed', level: 1 })).toBeVisible()
  await expect(page.getByLabel('B from', { exact: true })).toHaveValue(target)
  await expect(page.getByLabel('A from', { exact: true })).toHaveValue(day(-9))
  const b = await spend(target, target)
  await expect(page.getByTestId('kpi-b')).toHaveText(usd(b))
})

test('a click on a bar of the overview spend chart opens that day', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/overview?range=7`)
  // the first series (the largest: production traffic), its last bar tall enough to take a click: today, or the day
  // before when today is minutes old and its bar a sliver under the axis line (which then takes the click)
  const bars = page.locator('.recharts-bar').first().locator('.recharts-bar-rectangle')
  await expect(bars.last()).toBeVisible()
  const heights = await bars.evaluateAll((els) => els.map((el) => el.getBoundingClientRect().height))
  let last = heights.length - 1
  while (last > 0 && heights[last] < 6) last--
  await bars.nth(last).click()
  await expect(page).toHaveURL(/\/changes\?/)
  const q = new URL(page.url()).searchParams
  const b = q.get('b_from')!
  expect([0, -1, -2].map(day)).toContain(b)
  expect(q.get('b_to')).toBe(b)
  expect(q.get('a_from')).toBe(day(Math.round((Date.parse(b) - Date.parse(day(0))) / DAY_MS) - 7))
  await expect(page.getByTestId('delta')).toHaveAttribute('data-usd', /^-?\d+\.\d{6}$/)
})

// The scope's list of workflows comes from a read; when it fails the picker says so instead of offering nothing.
test('the scope picker says when it could not load its list', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(
    page,
    (url) => url.pathname === '/api/v1/metrics' && url.searchParams.get('group_by') === 'workflow_id' && url.searchParams.get('granularity') === 'none',
  )
  await page.goto(`/${DEMO_LOGIN.slug}/changes`)
  await page.getByRole('combobox', { name: 'Scope' }).selectOption('workflow')
  await expect(page.getByRole('combobox', { name: 'Workflow', exact: true }).locator('option[disabled]')).toHaveText(
    'Could not load the list: The database is unavailable',
    { timeout: 15_000 },
  )
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})
