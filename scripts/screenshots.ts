// Screenshots of the main pages at 1440 px, from the demo organization, for
// docs/pages.md: a script, not a test. Against a running build with the demo
// seeded (`npm run demo`, or the e2e server after its setup):
//
//   npx tsx scripts/screenshots.ts --url http://127.0.0.1:3000 [--out docs/screenshots] [--only overview,forecast]
//
// Uses Debian's Chromium (/usr/bin/chromium, as the e2e specs do), signs in as
// the demo admin through next-auth's credentials endpoint, waits for each page
// to load its data (no skeleton left, the network idle), and writes one PNG of
// the first 1440×900 of the page (the part a reader sees first).

import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { chromium, type Page } from '@playwright/test'

const DEMO = { email: 'demo@outlay.dev', password: 'outlay-demo-2026', slug: 'demo-co' }

/** file name → path under /<org>/ (the demo's workflow: support-agent). */
export const SHOTS: { name: string; path: string; title: string }[] = [
  { name: 'overview', path: 'overview?range=30', title: 'Overview' },
  { name: 'workflows', path: 'workflows?range=30', title: 'Workflows' },
  { name: 'workflow', path: 'workflows/support-agent?range=30', title: 'A workflow’s page' },
  { name: 'accounts', path: 'accounts?range=30', title: 'Accounts' },
  { name: 'changes', path: 'changes', title: 'What changed' },
  { name: 'budgets', path: 'budgets', title: 'Budgets' },
  { name: 'routing', path: 'routing', title: 'Routing' },
  { name: 'opportunities', path: 'opportunities?range=30', title: 'Opportunities' },
  { name: 'forecast', path: 'forecast', title: 'Forecast' },
  { name: 'reports-monthly', path: 'reports/monthly', title: 'Monthly report' },
  { name: 'reconciliation', path: 'reports/reconciliation', title: 'Reconciliation' },
  { name: 'calls', path: 'calls', title: 'Calls' },
  { name: 'fleet', path: 'fleet', title: 'GPU fleet' },
]

async function settle(page: Page) {
  await page.waitForLoadState('networkidle', { timeout: 60_000 }).catch(() => {})
  // the pages draw a pulsing skeleton while a query loads
  await page
    .waitForFunction(() => document.querySelectorAll('main .animate-pulse').length === 0, undefined, { timeout: 60_000 })
    .catch(() => console.warn(`  still loading after 60 s: ${page.url()}`))
  // charts size themselves after the first frame
  await page.waitForTimeout(500)
}

async function main() {
  const { values } = parseArgs({
    options: { url: { type: 'string', default: 'http://127.0.0.1:3000' }, out: { type: 'string', default: 'docs/screenshots' }, only: { type: 'string' } },
  })
  const base = values.url.replace(/\/$/, '')
  const only = values.only ? new Set(values.only.split(',')) : null
  await mkdir(values.out, { recursive: true })

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] })
  try {
    const context = await browser.newContext({ baseURL: base, viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1 })
    const { csrfToken } = (await (await context.request.get('/api/auth/csrf')).json()) as { csrfToken: string }
    const signIn = await context.request.post('/api/auth/callback/credentials', {
      form: { csrfToken, email: DEMO.email, password: DEMO.password, json: 'true' },
    })
    if (!signIn.ok()) throw new Error(`sign-in as ${DEMO.email}: HTTP ${signIn.status()}`)
    const page = await context.newPage()
    const errors: string[] = []
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text())
    })
    for (const shot of SHOTS) {
      if (only && !only.has(shot.name)) continue
      errors.length = 0
      const res = await page.goto(`/${DEMO.slug}/${shot.path}`)
      await settle(page)
      const file = join(values.out, `${shot.name}.png`)
      await page.screenshot({ path: file })
      console.log(`${file}  HTTP ${res?.status()}${errors.length ? `  console errors: ${errors.join(' | ')}` : ''}`)
    }
  } finally {
    await browser.close()
  }
}

main().catch((e) => {
  console.error(e)
  process.exit(1)
})
