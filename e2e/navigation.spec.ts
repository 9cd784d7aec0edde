import { test, expect, apiSignIn, nav, DEMO_LOGIN, FULL_NAV, type Page } from './fixtures'

// Finding your way (issue 21): the grouped sidebar holds every entry one per row at desktop and tablet widths,
// becomes a drawer on a phone (a dialog that keeps the focus, closed by Escape), and a keyboard reaches everything at
// 1440, 1024 and 390 px: a skip link first, then each entry by Tab and Enter.

const ORG = DEMO_LOGIN.slug
/** Where each entry of the admin's navigation leads (a page may redirect further down, e.g. Reports to the monthly report). */
const HREF: Record<string, string> = {
  Overview: 'overview',
  Workflows: 'workflows',
  Features: 'features',
  Accounts: 'accounts',
  'What changed': 'changes',
  Calls: 'calls',
  Budgets: 'budgets',
  Alerts: 'alerts',
  Routing: 'routing',
  Opportunities: 'opportunities',
  'GPU fleet': 'fleet',
  Forecast: 'forecast',
  Reports: 'reports',
  Pricing: 'pricing',
  Settings: 'settings',
  Ingestion: 'admin',
}

/** Every link lies inside the sidebar's box, each on its own single row below the one before. */
async function oneEntryPerRow(page: Page) {
  const sidebar = await page.getByTestId('sidebar').boundingBox()
  expect(sidebar).not.toBeNull()
  const links = nav(page)
  await expect(links).toHaveText(FULL_NAV)
  const boxes = await links.evaluateAll((els) =>
    els.map((e) => {
      const r = e.getBoundingClientRect()
      return { x: r.x, y: r.y + window.scrollY, w: r.width, h: r.height, wraps: e.scrollWidth > e.clientWidth }
    }),
  )
  const rowHeight = boxes[0].h
  let bottom = Number.NEGATIVE_INFINITY
  for (const [i, b] of boxes.entries()) {
    const label = FULL_NAV[i]
    expect(b.x, label).toBeGreaterThanOrEqual(sidebar!.x)
    expect(b.x + b.w, label).toBeLessThanOrEqual(sidebar!.x + sidebar!.width + 0.5)
    expect(b.h, `${label} is one line`).toBeCloseTo(rowHeight, 0)
    expect(b.wraps, `${label} is not cut`).toBe(false)
    expect(b.y, `${label} is below the entry before`).toBeGreaterThanOrEqual(bottom - 0.5)
    bottom = b.y + b.h
  }
}

for (const width of [1440, 1024]) {
  test(`at ${width} px the sidebar holds every entry one per row, marks the current page, and stays hidden once hidden`, async ({ page }) => {
    await page.setViewportSize({ width, height: 900 })
    await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
    await page.goto(`/${ORG}/workflows`)
    await expect(page.getByTestId('sidebar')).toBeVisible()
    await oneEntryPerRow(page)
    for (const group of ['Spend', 'Control', 'Capacity', 'Finance', 'Setup'])
      await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('heading', { name: group })).toBeVisible()
    await expect(nav(page).and(page.locator('[aria-current="page"]'))).toHaveText(['Workflows'])
    // the person and the organization are in the sidebar
    await expect(page.getByTestId('sidebar').getByText(DEMO_LOGIN.email)).toBeVisible()
    await expect(page.getByTestId('sidebar').getByRole('button', { name: 'Sign out' })).toBeVisible()

    // collapsed: the page has the whole width; the choice survives a reload; Menu brings the sidebar back
    await page.getByRole('button', { name: 'Hide menu' }).click()
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
    await page.reload()
    await expect(page.getByRole('button', { name: 'Menu', exact: true })).toBeVisible()
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
    await page.getByRole('button', { name: 'Menu', exact: true }).click()
    await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible()
    await page.reload()
    await expect(nav(page)).toHaveText(FULL_NAV)
  })
}

test('at 390 px the navigation is a drawer: Menu opens it, Escape and following a link close it', async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 })
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${ORG}/overview`)
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
  const menu = page.getByRole('button', { name: 'Menu', exact: true })
  await expect(menu).toHaveAttribute('aria-expanded', 'false')
  await menu.click()
  await expect(menu).toHaveAttribute('aria-expanded', 'true')
  await oneEntryPerRow(page)
  const sidebar = await page.getByTestId('sidebar').boundingBox()
  expect(sidebar!.x + sidebar!.width).toBeLessThanOrEqual(390)

  await page.keyboard.press('Escape')
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
  await expect(menu).toBeFocused()

  await menu.click()
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Budgets' }).click()
  await expect(page).toHaveURL(new RegExp(`/${ORG}/budgets`))
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
})

/** Tab from the top of the page: every entry of the navigation comes, in the sidebar's order. */
async function tabReachesEveryEntry(page: Page) {
  const seen: string[] = []
  for (let i = 0; i < 60 && seen.length < FULL_NAV.length; i++) {
    await page.keyboard.press('Tab')
    const inNav = await page.evaluate(() => {
      const el = document.activeElement
      return el?.closest('nav[aria-label="Main"]') && el.tagName === 'A' ? (el.textContent ?? '') : null
    })
    if (inNav) seen.push(inNav)
  }
  expect(seen).toEqual(FULL_NAV)
}

for (const [width, height] of [
  [1440, 900],
  [1024, 768],
  [390, 844],
] as const) {
  test(`at ${width} px the skip link comes first, is visible when focused, and lands in the content`, async ({ page, consoleErrors }) => {
    await page.setViewportSize({ width, height })
    await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
    await page.goto(`/${ORG}/overview`)
    await page.keyboard.press('Tab')
    const skip = page.getByRole('link', { name: 'Skip to content' })
    await expect(skip).toBeFocused()
    await expect(skip).toBeVisible()
    const box = await skip.boundingBox()
    expect(box!.x + box!.width).toBeLessThanOrEqual(width)
    await page.keyboard.press('Enter')
    await expect(page.locator('main#main')).toBeFocused()
    // the next Tab goes on from the content, not back to the navigation
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => !!document.activeElement?.closest('main#main'))).toBe(true)
    expect(consoleErrors).toEqual([])
  })
}

test('at 1024 px Tab reaches every entry of the sidebar in order', async ({ page }) => {
  test.setTimeout(120_000)
  await page.setViewportSize({ width: 1024, height: 768 })
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${ORG}/overview`)
  await tabReachesEveryEntry(page)
})

test('at 390 px the drawer opens from the keyboard, Tab reaches every entry, the focus stays in it, and Escape returns to Menu', async ({
  page,
  consoleErrors,
}) => {
  // some sixty key presses, each checked in the page: slow on a loaded machine
  test.setTimeout(120_000)
  await page.setViewportSize({ width: 390, height: 844 })
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${ORG}/overview`)
  const menu = page.getByRole('button', { name: 'Menu', exact: true })
  // skip link, then Menu
  await page.keyboard.press('Tab')
  await page.keyboard.press('Tab')
  await expect(menu).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page.getByRole('dialog', { name: 'Menu' })).toBeVisible()
  const inDrawer = () => page.evaluate(() => !!document.activeElement?.closest('[data-testid="sidebar"]'))
  expect(await inDrawer()).toBe(true)
  const first = await page.evaluate(() => document.activeElement?.outerHTML)

  // every entry, in order, and the focus never leaves the drawer: past the last control it comes back to the first
  const seen: string[] = []
  let wrapped = false
  for (let i = 0; i < 60 && !wrapped; i++) {
    await page.keyboard.press('Tab')
    expect(await inDrawer(), `Tab ${i + 1} stays in the drawer`).toBe(true)
    const el = await page.evaluate(() => {
      const a = document.activeElement
      return { html: a?.outerHTML, nav: a?.closest('nav[aria-label="Main"]') && a.tagName === 'A' ? (a.textContent ?? '') : null }
    })
    if (el.nav) seen.push(el.nav)
    wrapped = el.html === first
  }
  expect(seen).toEqual(FULL_NAV)
  expect(wrapped, 'Tab past the last control returns to the first').toBe(true)
  // and Shift+Tab from the first goes to the last (Sign out), still inside
  await page.keyboard.press('Shift+Tab')
  await expect(page.getByTestId('sidebar').getByRole('button', { name: 'Sign out' })).toBeFocused()

  await page.keyboard.press('Escape')
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
  await expect(menu).toBeFocused()
  await expect(menu).toHaveAttribute('aria-expanded', 'false')

  // an entry followed from the keyboard: the drawer closes on the new page
  await page.keyboard.press('Enter')
  const budgets = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Budgets', exact: true })
  for (let i = 0; i < 40 && !(await budgets.evaluate((e) => e === document.activeElement)); i++) await page.keyboard.press('Tab')
  await expect(budgets).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(page).toHaveURL(new RegExp(`/${ORG}/budgets`))
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeHidden()
  expect(consoleErrors).toEqual([])
})

test('the keyboard at 1440 px: Tab reaches every entry in order and Enter follows it', async ({ page }) => {
  test.setTimeout(120_000)
  await page.setViewportSize({ width: 1440, height: 900 })
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${ORG}/overview`)
  await tabReachesEveryEntry(page)

  // each entry: Tab to it, Enter follows it — from the top of the page (the overview's tiles and tables have many
  // focusable definitions and sort buttons after the navigation)
  await page.getByRole('link', { name: 'Skip to content' }).focus()
  for (const label of FULL_NAV) {
    const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: label, exact: true })
    let reached = false
    for (let i = 0; i < 60 && !reached; i++) {
      await page.keyboard.press('Tab')
      reached = await link.evaluate((el) => el === document.activeElement)
    }
    expect(reached, `${label} is reached by Tab`).toBe(true)
    await page.keyboard.press('Enter')
    await expect(page, label).toHaveURL(new RegExp(`/${ORG}/${HREF[label]}(/|\\?|$)`))
    await expect(link).toHaveAttribute('aria-current', 'page')
  }
})

test('an unknown address answers the branded 404 with a way home', async ({ page, consoleErrors }) => {
  const res = await page.goto('/no-such-page/at-all')
  expect(res?.status()).toBe(404)
  // the browser logs the expected 404 itself, once the page has loaded (not always by the time goto returns)
  await page.waitForLoadState('networkidle')
  consoleErrors.splice(0)
  await expect(page.getByRole('heading', { name: 'Page not found', level: 1 })).toBeVisible()
  await page.getByRole('link', { name: 'Go to the start page' }).click()
  await expect(page).not.toHaveURL(/no-such-page/)
})
