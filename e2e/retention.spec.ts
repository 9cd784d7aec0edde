import { execFileSync } from 'node:child_process'
import { test, expect, createOrg, signInWithForm, sql } from './fixtures'

// Settings › Raw-event retention (issue 22, docs/events-partitioning.md): an admin reads and changes how many days
// of raw events the organization keeps, by keyboard; the API's field error shows beside the field; an engineer
// (who opens Settings but has no org.manage) reads it and cannot change it, on the page or through the API.

/** A member of `org` with `role`, made by the CLI's member:add (createOrg makes the admin the same way). */
function addMember(org: string, email: string, role: string, password: string) {
  execFileSync('npx', ['tsx', 'lib/cli/main.ts', 'member:add', '--org', org, '--email', email, '--role', role, '--password', password], {
    env: { ...process.env, DATABASE_URL: process.env.E2E_DATABASE_URL },
    encoding: 'utf8',
  })
}

test('an admin changes the raw-event retention by keyboard, a bad value shows its field error, an engineer only reads it', async ({
  page,
  browser,
  consoleErrors,
}) => {
  test.setTimeout(120_000)
  const stamp = Date.now()
  const admin = { email: `retention-${stamp}@example.com`, password: 'retention-password-1' }
  const { org_slug } = createOrg(`Retention ${stamp}`, admin.email, admin.password, ['read'])
  await signInWithForm(page, admin)
  await expect(page).toHaveURL(new RegExp(`/${org_slug}/`))
  await page.goto(`/${org_slug}/settings`)

  const card = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Raw-event retention' }) })
  await expect(card.getByTestId('retention-current')).toHaveText('Raw events kept: all of them (events are accepted up to 400 days old)')
  await expect(card.getByTestId('retention-explanation')).toContainText('rollups behind every chart')
  await expect(card.getByTestId('retention-explanation')).toContainText('calls explorer and run views cannot show calls older than it')

  // keyboard only: focus the field, type, Enter submits; the shorter retention is flagged before saving
  const days = page.getByLabel('Days of raw events to keep')
  await days.focus()
  await page.keyboard.type('90')
  await expect(card.getByTestId('retention-warning')).toContainText('older than 90 days are deleted')
  await page.keyboard.press('Enter')
  await expect(card.getByRole('status')).toHaveText('Saved: raw events kept 90 days.')
  await expect(card.getByTestId('retention-current')).toHaveText('Raw events kept: 90 days')
  expect(await sql<{ d: number }>('SELECT raw_event_retention_days AS d FROM organizations WHERE slug = $1', [org_slug])).toEqual([{ d: 90 }])

  await page.reload()
  await expect(card.getByTestId('retention-current')).toHaveText('Raw events kept: 90 days')
  await expect(days).toHaveValue('90')

  // a value the API refuses: its reason under the field, the field marked invalid, nothing saved
  await days.fill('500')
  await days.press('Enter')
  const fieldError = page.locator('#org-retention-days-error')
  await expect(fieldError).toHaveText('must be at most 400 days (events older than 400 days are never accepted)')
  await expect(days).toHaveAttribute('aria-invalid', 'true')
  await expect(days).toHaveAttribute('aria-describedby', 'org-retention-days-error')
  await days.fill('0')
  await page.getByRole('button', { name: 'Save retention' }).click()
  await expect(fieldError).toHaveText('must be at least 1 day')
  // the browser logs the two refused requests
  expect(consoleErrors).toEqual([expect.stringContaining('status of 400'), expect.stringContaining('status of 400')])
  consoleErrors.splice(0)
  // not a number: said before sending
  await days.fill('ninety')
  await days.press('Enter')
  await expect(fieldError).toHaveText('must be a whole number of days from 1 to 400, or empty')
  await page.reload()
  await expect(card.getByTestId('retention-current')).toHaveText('Raw events kept: 90 days')

  // empty: back to keeping all of them
  await days.fill('')
  await days.press('Enter')
  await expect(card.getByTestId('retention-current')).toHaveText('Raw events kept: all of them (events are accepted up to 400 days old)')
  await days.fill('30')
  await days.press('Enter')
  await expect(card.getByTestId('retention-current')).toHaveText('Raw events kept: 30 days')

  // an engineer of the same organization: reads it, no form, and the API refuses the change
  const engineer = { email: `retention-eng-${stamp}@example.com`, password: 'retention-password-2' }
  addMember(org_slug, engineer.email, 'engineer', engineer.password)
  const ctx = await browser.newContext()
  try {
    const p2 = await ctx.newPage()
    await signInWithForm(p2, engineer)
    await expect(p2).toHaveURL(new RegExp(`/${org_slug}/`))
    await p2.goto(`/${org_slug}/settings`)
    const card2 = p2.locator('section').filter({ has: p2.getByRole('heading', { name: 'Raw-event retention' }) })
    await expect(card2.getByTestId('retention-current')).toHaveText('Raw events kept: 30 days')
    await expect(card2.getByText('Only admins change the retention.')).toBeVisible()
    await expect(p2.getByLabel('Days of raw events to keep')).toHaveCount(0)
    await expect(p2.getByRole('button', { name: 'Save retention' })).toHaveCount(0)
    const refused = await p2.request.patch(`/api/v1/organization?org=${org_slug}`, { data: { raw_event_retention_days: 7 } })
    expect(refused.status()).toBe(403)
    expect((await refused.json()).error.message).toBe('Your role (engineer) does not allow org.manage')
  } finally {
    await ctx.close()
  }
  expect(await sql<{ d: number }>('SELECT raw_event_retention_days AS d FROM organizations WHERE slug = $1', [org_slug])).toEqual([{ d: 30 }])
})
