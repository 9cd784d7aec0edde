import { test, expect, apiSignIn, sql, usd, DEMO_LOGIN, answerUnavailable } from './fixtures'

// The demo's self-hosted fleet: the run-rate per role and a pool's idle cost
// on the page equal what SQL computes from the pools' versions and the hourly
// utilization; the right-sizing hint names the oversized production pool.
test('fleet: run-rate per role and idle cost match SQL, with a right-sizing hint', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/overview`)
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'GPU fleet' }).click()
  await expect(page.getByRole('heading', { name: 'GPU fleet', level: 1 })).toBeVisible()

  // Run-rate per role: GPUs × price per GPU-hour × 730 h, of each pool's version in force now.
  const roles = await sql<{ role: string; monthly: string }>(
    `SELECT p.role, round(sum(v.gpu_count * v.effective_gpu_hour_usd * 730), 2)::text AS monthly
     FROM gpu_pools p JOIN organizations o ON o.id = p.org_id
     JOIN LATERAL (SELECT * FROM gpu_pool_versions v WHERE v.pool_id = p.id AND v.effective_from <= now() ORDER BY effective_from DESC LIMIT 1) v ON true
     WHERE o.slug = $1 GROUP BY p.role`,
    [DEMO_LOGIN.slug],
  )
  expect(roles.map((r) => r.role).sort()).toEqual(['canary', 'production', 'reserve', 'staging'])
  for (const r of roles) await expect(page.getByTestId('roles').locator(`tr[data-role="${r.role}"] td`).nth(3)).toHaveText(usd(r.monthly))

  // Idle cost of prod-h100 over the last 30 days: each measured hour's cost × (1 − its mean utilization).
  const [idle] = await sql<{ idle: string }>(
    `SELECT sum(v.gpu_count * v.effective_gpu_hour_usd * (1 - least(1, greatest(0, h.util_sum / h.samples / 100))))::text AS idle
     FROM gpu_util_hourly h JOIN gpu_pools p ON p.id = h.pool_id JOIN organizations o ON o.id = p.org_id
     JOIN LATERAL (SELECT * FROM gpu_pool_versions v WHERE v.pool_id = p.id AND v.effective_from <= h.hour ORDER BY effective_from DESC LIMIT 1) v ON true
     WHERE o.slug = $1 AND p.name = 'prod-h100' AND h.hour >= date_trunc('hour', now()) - interval '30 days' AND h.hour < now()`,
    [DEMO_LOGIN.slug],
  )
  const idleCell = page.getByTestId('pools').locator('tr[data-pool="prod-h100"] td').nth(6)
  await expect(idleCell).toHaveText(/^\$\d/)
  expect(Number(await idleCell.getAttribute('data-usd'))).toBeCloseTo(Number(idle.idle), 2)
  await expect(page.getByRole('img', { name: 'Daily mean GPU utilization per pool, percent' })).toBeVisible()
  await expect(page.getByTestId('hints')).toContainText(/prod-h100 averaged \d+% utilization over 14 days .*: \d of its 8 H100s would carry its p95 load/)
})

// An engineer describes a new pool with the keyboard, uploads nvidia-smi output,
// and a self-hosted call on the pool is priced from it.
test('fleet: create a pool from the empty state, upload nvidia-smi CSV, price a self-hosted call from it', async ({ page, request, consoleErrors }) => {
  const stamp = Date.now()
  const email = `fleet-${stamp}@example.com`
  const { org_slug } = await (await request.post('/api/auth/signup', { data: { org_name: `Fleet ${stamp}`, email, password: 'fleet-password-1' } })).json()
  await apiSignIn(page.request, email, 'fleet-password-1')
  await page.goto(`/${org_slug}/fleet`)
  await expect(page.getByRole('heading', { name: 'No GPU pools yet' })).toBeVisible()
  await page.getByRole('button', { name: 'Create the first pool' }).click()

  const form = page.getByRole('form', { name: 'New GPU pool' })
  await form.getByLabel('Name (the gpu_pool events carry)').fill('gpu-a')
  await form.getByLabel('GPU type').fill('L4')
  await form.getByLabel('GPUs').fill('-2')
  await form.getByLabel('USD per GPU-hour').fill('0.8')
  await form.getByLabel('USD per GPU-hour').press('Enter')
  await expect(form.getByText('must be ≥ 0')).toBeVisible()
  expect(consoleErrors).toEqual([expect.stringContaining('status of 400')])
  consoleErrors.splice(0) // the browser logs the expected 400 itself
  await form.getByLabel('GPUs').fill('2')
  await form.getByLabel('Size and price effective from (UTC)').fill('2026-01-01T00:00')
  await form.getByLabel('GPUs').press('Enter')
  await expect(page.getByTestId('pools').locator('tr[data-pool="gpu-a"]')).toContainText('$0.80')
  await expect(page.getByTestId('kpi-monthly')).toHaveText('$1,168.00/mo') // 2 × 0.80 × 730

  // The pool grows from now on: a new version; the past keeps its size.
  await page.getByRole('button', { name: 'Edit gpu-a' }).click()
  const edit = page.getByRole('form', { name: 'Edit pool gpu-a' })
  await edit.getByLabel('GPUs').fill('3')
  await edit.getByLabel('GPUs').press('Enter')
  await expect(page.getByTestId('kpi-monthly')).toHaveText('$1,752.00/mo') // 3 × 0.80 × 730
  await page.getByRole('button', { name: 'Edit gpu-a' }).click()
  await page.getByText('Size and price history (2 versions)').click()
  await expect(page.getByTestId('pool-versions').locator('tbody tr')).toHaveCount(2)
  await expect(page.getByTestId('pool-versions').locator('tbody tr').last()).toContainText('1 Jan 2026, 00:00 UTC')
  await page.getByRole('button', { name: 'Cancel' }).click()

  const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000)
  const stampOf = (min: number) => new Date(hour.getTime() + min * 60_000).toISOString().replace('T', ' ').replace('Z', '').replace(/-/g, '/')
  await page
    .getByLabel('…or paste it')
    .fill(
      `timestamp, index, utilization.gpu [%], memory.used [MiB]\n${stampOf(5)}, 0, 90 %, 1000 MiB\n${stampOf(5)}, 1, 10 %, 1000 MiB\n${stampOf(6)}, 1, n/a, 1 MiB\n`,
    )
  await page.getByRole('button', { name: 'Upload samples' }).click()
  await expect(page.getByTestId('csv-result')).toHaveText('2 samples stored, 0 already there, 1 lines rejected:')
  await expect(page.getByText('Line 4: utilization.gpu: "n/a" is not a number of %')).toBeVisible()
  await expect(page.getByTestId('pools').locator('tr[data-pool="gpu-a"] td').nth(7)).toHaveText('50%')

  const { key } = await (await page.request.post(`/api/v1/keys?org=${org_slug}`, { data: { name: 'ingest', scopes: ['ingest'] } })).json()
  const ev = {
    id: `gpu-${stamp}`,
    timestamp: hour.toISOString(),
    workflow_id: 'search',
    step: 'answer',
    provider: 'self-hosted',
    model: 'llama',
    gpu_seconds: 450,
    gpu_pool: 'gpu-a',
  }
  expect((await request.post('/api/v1/events', { headers: { authorization: `Bearer ${key}` }, data: { events: [ev] } })).status()).toBe(202)
  await expect(async () => {
    const rows = await sql<{ cost: string }>(
      `SELECT cost_usd::text AS cost FROM inference_events e JOIN organizations o ON o.id = e.org_id WHERE o.slug = $1`,
      [org_slug],
    )
    expect(rows).toEqual([{ cost: '0.100000000000' }]) // 450 s × $0.80/h
  }).toPass({ timeout: 30_000 })
})

// Issue 21: the right-sizing hints add up to a total saving per month, equal to SQL over the pools' last 14 days
// (the rule: needed = ⌈GPUs × p95 of hourly utilization ÷ 0.8⌉, at least half the hours measured, reserve pools
// not sized), and every figure names its window.
test('fleet: the right-sizing hints add up to a total per month, equal to SQL, each with its window', async ({ page }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await page.goto(`/${DEMO_LOGIN.slug}/fleet`)
  await expect(page.getByRole('heading', { name: 'GPU fleet', level: 1 })).toBeVisible()
  const hints = await sql<{ pool: string; saving: string }>(
    `WITH cur AS (
       SELECT p.id, p.name, p.role, v.gpu_count, v.effective_gpu_hour_usd AS price FROM gpu_pools p JOIN organizations o ON o.id = p.org_id
       JOIN LATERAL (SELECT * FROM gpu_pool_versions v WHERE v.pool_id = p.id AND v.effective_from <= now() ORDER BY effective_from DESC LIMIT 1) v ON true
       WHERE o.slug = $1),
     u AS (
       SELECT h.pool_id, count(*) AS hours, percentile_disc(0.95) WITHIN GROUP (ORDER BY h.util_sum / h.samples / 100) AS p95
       FROM gpu_util_hourly h JOIN cur ON cur.id = h.pool_id
       WHERE h.samples > 0 AND h.hour >= date_trunc('hour', now()) - interval '14 days' AND h.hour < now() GROUP BY h.pool_id),
     sized AS (
       SELECT cur.name, cur.gpu_count, cur.price, greatest(1, ceil(cur.gpu_count * u.p95 / 0.8 - 1e-9))::int AS needed
       FROM cur JOIN u ON u.pool_id = cur.id WHERE cur.role <> 'reserve' AND cur.gpu_count >= 2 AND u.hours >= 14 * 24 * 0.5)
     SELECT name AS pool, round((gpu_count - needed) * price * 730, 6)::text AS saving FROM sized WHERE needed < gpu_count ORDER BY 2 DESC`,
    [DEMO_LOGIN.slug],
  )
  expect(hints.length).toBeGreaterThan(0)
  const total = hints.reduce((s, h) => s + Number(h.saving), 0)
  const items = page.getByTestId('hints').locator('li')
  await expect(items).toHaveCount(hints.length)
  for (const h of hints) await expect(page.getByTestId('hints').locator(`li[data-pool="${h.pool}"]`)).toContainText('(14-day window)')
  const sum = page.getByTestId('hints-total')
  await expect(sum).toContainText(`Together: ${usd(total)}/month`)
  await expect(sum).toContainText('the last 14 days')
  expect(Number(await sum.locator('[data-usd]').getAttribute('data-usd'))).toBeCloseTo(total, 6)
  // the tables name theirs (the period picked: 30 days by default)
  await expect(page.getByTestId('pools').locator('th').filter({ hasText: 'Idle, last 30 days' })).toHaveCount(1)
  await expect(page.getByTestId('roles').locator('th').filter({ hasText: 'Paid, last 30 days' })).toHaveCount(1)
})

// The pools' settings feed the Edit buttons: when their read fails the card says so instead of hiding the buttons.
test('fleet: the pools card says when the pools could not be read for editing', async ({ page, consoleErrors }) => {
  await apiSignIn(page.request, DEMO_LOGIN.email, DEMO_LOGIN.password)
  await answerUnavailable(page, (url) => url.pathname === '/api/v1/gpu/pools')
  await page.goto(`/${DEMO_LOGIN.slug}/fleet`)
  await expect(
    page.getByRole('alert').filter({ hasText: "Could not load the pools' settings, so they cannot be edited now: The database is unavailable" }),
  ).toBeVisible({
    timeout: 15_000,
  })
  // the fleet's own figures still answer
  await expect(page.getByTestId('pools').locator('tr[data-pool="prod-h100"]')).toBeVisible()
  await expect(page.getByRole('button', { name: 'Edit prod-h100' })).toHaveCount(0)
  consoleErrors.splice(0) // the browser logs the 503 answers itself
})
