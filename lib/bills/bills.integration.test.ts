import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as listBills, POST as postBill } from '@/app/api/v1/bills/route'
import { DELETE as deleteBill } from '@/app/api/v1/bills/[id]/route'
import { GET as getReconciliation } from '@/app/api/v1/reconciliation/route'
import { billModel, billProvider, reconciliationRange } from '@/lib/bills/reconcile'
import { micros, microsToUsd, DAY_MS } from '@/lib/domain'

// Bills through the API route handlers on real PostgreSQL: every format imports, a re-import replaces the
// source in one transaction, refused lines come back with their line numbers while the good ones are kept,
// and the reconciliation's figures equal SQL over the events and the bill lines.

const fixture = (name: string) => readFileSync(path.join(import.meta.dirname, 'fixtures', name), 'utf8')
let orgId = ''
let writeKey = ''
let readKey = ''
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10)
const today = Date.parse(dayOf(Date.now()))
const D1 = dayOf(today - 3 * DAY_MS)
const D2 = dayOf(today - 2 * DAY_MS)
const D3 = dayOf(today - 1 * DAY_MS)

const post = (source: string, body: string, contentType: string, key = writeKey) =>
  postBill(apiRequest(`/api/v1/bills?source=${encodeURIComponent(source)}`, { key, body, contentType }), { params: Promise.resolve({}) })
const linesOf = async (source: string) =>
  (
    await ownerPool().query<{ line_no: number; day: string; provider: string; model: string | null; micros: string }>(
      `SELECT l.line_no, l.day::text AS day, l.provider, l.model, l.cost_micros::text AS micros
       FROM bill_lines l JOIN bill_imports i ON i.id = l.import_id WHERE i.org_id = $1 AND i.source = $2 ORDER BY l.line_no`,
      [orgId, source],
    )
  ).rows

beforeAll(async () => {
  await useTestServices('bills')
  const made = await createOrgWithAdmin({ org_name: 'Bills Co', email: 'bills@example.com', password: 'password-123' })
  orgId = made.org.id
  setTestDefaultOrg(orgId)
  const ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['write'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  const events: Record<string, unknown>[] = []
  let n = 0
  for (const day of [D1, D2, D3]) {
    for (let i = 0; i < 12; i++) {
      const timestamp = `${day}T${String(i * 2).padStart(2, '0')}:17:00.000Z`
      const base = {
        workflow_id: 'support',
        step: 'draft',
        timestamp,
        environment: i % 4 ? 'production' : 'staging',
        traffic_source: i % 5 ? 'production' : 'eval',
      }
      // the same model sent two ways: the dated snapshot reconciles with the plain name
      events.push({ ...base, id: `e-${n++}`, provider: 'openai', model: i % 2 ? 'gpt-4o' : 'gpt-4o-2024-08-06', tokens_in: 1000 + 37 * i, tokens_out: 80 + i })
      events.push({ ...base, id: `e-${n++}`, provider: 'openai', model: 'gpt-4o-mini', tokens_in: 3000 + i, tokens_out: 200 })
      events.push({ ...base, id: `e-${n++}`, provider: 'anthropic', model: 'claude-sonnet-4-5', tokens_in: 2000, tokens_out: 100 + i })
      if (i % 3 === 0) events.push({ ...base, id: `e-${n++}`, provider: 'openai', model: 'mystery-model-x', tokens_in: 500, tokens_out: 5 })
      // cached reads and never a cache write: a reporter that does not send cache_write_tokens
      events.push({ ...base, id: `e-${n++}`, provider: 'anthropic', model: 'claude-haiku-4-5', tokens_in: 9000, cached_tokens_in: 8000, tokens_out: 50 })
    }
  }
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('POST /api/v1/bills', () => {
  it('imports the simple CSV: keeps the good lines, reports the bad ones with line number and reason', async () => {
    const r = await post('simple', fixture('simple.csv'), 'text/csv')
    expect(r.status).toBe(201)
    const j = await r.json()
    expect(j.replaced).toBe(false)
    expect(j.import).toMatchObject({
      source: 'simple',
      format: 'simple',
      lines: 5,
      rejected: 3,
      total_usd: '13.945679',
      first_day: '2026-11-01',
      last_day: '2026-11-03',
    })
    expect(j.rejected.map((x: { line: number }) => x.line)).toEqual([6, 7, 8])
    expect(j.rejected[2].reason).toMatch(/^cost_usd: /)
    expect((await linesOf('simple')).map((l) => [l.line_no, l.day, l.provider, l.model, l.micros])).toEqual([
      [2, '2026-11-01', 'openai', 'gpt-4o-2024-08-06', '12345678'],
      [3, '2026-11-01', 'anthropic', 'claude-sonnet-4-5-20250929', '3100000'],
      [4, '2026-11-02', 'openai', 'gpt-4o-mini', '1'],
      [5, '2026-11-02', 'openai', null, '1000000'],
      [9, '2026-11-03', 'openai', 'gpt-4o', '-2500000'],
    ])
  })

  it('re-importing a source replaces it; a file with no usable line changes nothing', async () => {
    const first = await (await post('monthly', 'date,provider,model,cost_usd\n2026-11-01,openai,gpt-4o,1\n2026-11-02,openai,gpt-4o,2\n', 'text/csv')).json()
    const again = await post('monthly', 'date,provider,model,cost_usd\n2026-11-05,anthropic,claude-opus-4,7.5\n', 'text/csv')
    expect(again.status).toBe(201)
    const j = await again.json()
    expect(j.replaced).toBe(true)
    expect(j.import.id).not.toBe(first.import.id)
    expect(j.import).toMatchObject({ lines: 1, total_usd: '7.500000' })
    expect((await linesOf('monthly')).map((l) => [l.day, l.provider, l.micros])).toEqual([['2026-11-05', 'anthropic', '7500000']])
    expect((await ownerPool().query('SELECT count(*)::int AS n FROM bill_lines WHERE import_id = $1', [first.import.id])).rows[0].n).toBe(0)

    const bad = await post('monthly', 'date,provider,model,cost_usd\nnot-a-day,openai,gpt-4o,1\n', 'text/csv')
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual(['line 2: date: must be a day (YYYY-MM-DD) or an ISO-8601 date-time'])
    expect((await linesOf('monthly')).map((l) => l.micros)).toEqual(['7500000'])
  })

  it('imports FOCUS CSV, OpenAI and Anthropic cost reports, recognizing each', async () => {
    const focus = await (await post('aws-focus', fixture('focus.csv'), 'text/csv')).json()
    expect(focus.import).toMatchObject({ format: 'focus', lines: 5, rejected: 3, total_usd: '5.485000' })
    expect(focus.rejected).toEqual([
      { line: 5, reason: 'BillingCurrency: "EUR" is not USD (Outlay reconciles USD bills only)' },
      { line: 6, reason: 'BilledCost: is empty (FOCUS: must not be null)' },
      { line: 9, reason: 'ChargePeriodStart: must be an ISO-8601 date-time' },
    ])
    const openai = await (await post('openai-nov', fixture('openai-costs.json'), 'application/json')).json()
    expect(openai.import).toMatchObject({ format: 'openai', lines: 4, rejected: 2, total_usd: '6.760000' })
    const anthropic = await (await post('anthropic-nov', fixture('anthropic-cost-report.json'), 'application/json')).json()
    expect(anthropic.import).toMatchObject({ format: 'anthropic', lines: 3, rejected: 2, total_usd: '11.234550' })
  })

  it('streams a large CSV in chunks, to the micro-dollar', async () => {
    const rows = ['date,provider,model,cost_usd']
    let total = 0n
    for (let i = 0; i < 12_345; i++) {
      const cost = `0.${String(i * 7919)
        .padStart(6, '0')
        .slice(-6)}`
      total += micros(cost)
      rows.push(`2026-10-${String((i % 28) + 1).padStart(2, '0')},openai,gpt-4o-mini,${cost}`)
    }
    const j = await (await post('big', rows.join('\n'), 'text/csv')).json()
    expect(j.import).toMatchObject({ lines: 12_345, rejected: 0, total_usd: microsToUsd(total) })
    const sum = await ownerPool().query(`SELECT count(*)::int AS n, sum(cost_micros)::text AS s FROM bill_lines WHERE import_id = $1`, [j.import.id])
    expect(sum.rows[0]).toEqual({ n: 12_345, s: total.toString() })
  })

  it('refuses what it cannot read as a whole: another content type, an unknown JSON, a broken CSV, a read key', async () => {
    expect((await post('x', 'a', 'application/xml')).status).toBe(415)
    expect((await post('x', '{"rows": []}', 'application/json')).status).toBe(400)
    const broken = await post('x', 'date,provider,model,cost_usd\n2026-11-01,"openai,gpt-4o,1\n', 'text/csv')
    expect(broken.status).toBe(400)
    expect((await broken.json()).error.message).toMatch(/^Invalid CSV/)
    expect((await post('x', '2026-11-01,openai,gpt-4o,1\n', 'text/csv', readKey)).status).toBe(403)
    expect((await ownerPool().query(`SELECT count(*)::int AS n FROM bill_imports WHERE org_id = $1 AND source = 'x'`, [orgId])).rows[0].n).toBe(0)
  })

  it('lists the imports with their totals and deletes one with its lines', async () => {
    const list = await (await listBills(apiRequest('/api/v1/bills', { key: readKey }), { params: Promise.resolve({}) })).json()
    const sources = list.imports.map((i: { source: string }) => i.source)
    expect(sources).toEqual(expect.arrayContaining(['simple', 'monthly', 'aws-focus', 'openai-nov', 'anthropic-nov', 'big']))
    const simple = list.imports.find((i: { source: string }) => i.source === 'simple')
    expect(simple.total_usd).toBe('13.945679')
    const del = () => deleteBill(apiRequest(`/api/v1/bills/${simple.id}`, { key: writeKey, method: 'DELETE' }), { params: Promise.resolve({ id: simple.id }) })
    expect((await del()).status).toBe(204)
    expect(await linesOf('simple')).toEqual([])
    expect((await del()).status).toBe(404)
  })
})

describe('GET /api/v1/reconciliation', () => {
  it('holds the bill against the events per provider × model × day, as SQL over the events and bill lines says', async () => {
    // What the events cost, per day, provider and model as sent (each rounded to the micro-dollar, as the rollups answer).
    const ev = await ownerPool().query<{ day: string; provider: string; model: string; usd: string; unpriced: number }>(
      `SELECT (timestamp AT TIME ZONE 'UTC')::date::text AS day, provider, model, round(coalesce(sum(cost_usd), 0), 6)::text AS usd,
              count(*) FILTER (WHERE cost_usd IS NULL)::int AS unpriced
       FROM inference_events WHERE org_id = $1 GROUP BY 1, 2, 3`,
      [orgId],
    )
    const computed = (day: string, provider: string, model: string) =>
      ev.rows.filter((r) => r.day === day && r.provider === provider && billModel(r.model) === model).reduce((s, r) => s + micros(r.usd), 0n)
    const gpt4oD1 = computed(D1, 'openai', 'gpt-4o')
    const gpt4oD2 = computed(D2, 'openai', 'gpt-4o')
    expect(gpt4oD1).toBeGreaterThan(0n)
    // An OpenAI bill for D1 and D2: D1's gpt-4o matches to the micro-dollar, D2's is 5% higher, a tool line no
    // event explains, no line for gpt-4o-mini on D2 (its events are computed with nothing billed).
    const bill = [
      'date,provider,model,cost_usd,description',
      `${D1},OpenAI,gpt-4o-2024-08-06,${microsToUsd(gpt4oD1)},`,
      `${D1},openai,gpt-4o-mini,${microsToUsd(computed(D1, 'openai', 'gpt-4o-mini'))},`,
      `${D1},openai,,1.000000,web search tool calls`,
      `${D2},openai,openai/gpt-4o,${microsToUsd((gpt4oD2 * 105n) / 100n)},`,
    ].join('\n')
    // (the earlier imports are November's, outside this range; anthropic events have no bill here)
    expect((await post('openai-recent', bill, 'text/csv')).status).toBe(201)

    const from = D1
    const to = dayOf(today + DAY_MS)
    const res = await getReconciliation(apiRequest(`/api/v1/reconciliation?from=${from}&to=${to}`, { key: readKey }), { params: Promise.resolve({}) })
    expect(res.status).toBe(200)
    const rec = await res.json()

    // The expected rows from SQL: the bill lines of the range, and the events of the billed provider on the bill's days.
    const lines = await ownerPool().query<{ day: string; provider: string; model: string | null; micros: string }>(
      `SELECT day::text AS day, provider, model, sum(cost_micros)::text AS micros FROM bill_lines WHERE org_id = $1 AND day >= $2 AND day < $3 GROUP BY 1, 2, 3`,
      [orgId, from, to],
    )
    type TExp = { day: string; provider: string; model: string | null; computed: bigint; billed: bigint; unpriced: number }
    const exp = new Map<string, TExp>()
    const at = (day: string, provider: string, model: string | null) => {
      const k = JSON.stringify([day, provider, model])
      if (!exp.has(k)) exp.set(k, { day, provider, model, computed: 0n, billed: 0n, unpriced: 0 })
      return exp.get(k)!
    }
    for (const l of lines.rows) at(l.day, billProvider(l.provider), billModel(l.model)).billed += BigInt(l.micros)
    let unbilled = 0n
    for (const r of ev.rows) {
      if (r.provider === 'openai' && (r.day === D1 || r.day === D2)) {
        const e = at(r.day, 'openai', billModel(r.model))
        e.computed += micros(r.usd)
        e.unpriced += r.unpriced
      } else unbilled += micros(r.usd)
    }
    const expected = [...exp.values()].map((e) => ({
      day: e.day,
      provider: e.provider,
      model: e.model,
      computed_usd: microsToUsd(e.computed),
      billed_usd: microsToUsd(e.billed),
      difference_usd: microsToUsd(e.billed - e.computed),
      flagged: e.billed === 0n ? e.billed !== e.computed : (e.billed > e.computed ? e.billed - e.computed : e.computed - e.billed) * 100n > e.billed,
      unpriced_events: e.unpriced,
    }))
    const strip = ({ difference_ratio: _r, causes: _c, ...row }: Record<string, unknown>) => row
    const key = (r: { day: string; provider: string; model: string | null }) => `${r.day} ${r.provider} ${r.model}`
    expect(rec.rows.map(strip).sort((a: never, b: never) => key(a).localeCompare(key(b)))).toEqual(expected.sort((a, b) => key(a).localeCompare(key(b))))

    const row = (day: string, model: string | null) => rec.rows.find((r: { day: string; model: string | null }) => r.day === day && r.model === model)
    expect(row(D1, 'gpt-4o')).toMatchObject({ difference_usd: '0.000000', difference_ratio: 0, flagged: false })
    expect(row(D2, 'gpt-4o').flagged).toBe(true)
    expect(row(D2, 'gpt-4o').difference_ratio).toBeCloseTo(0.05 / 1.05, 3)
    expect(row(D1, null)).toMatchObject({ computed_usd: '0.000000', billed_usd: '1.000000', difference_ratio: 1, flagged: true })
    expect(row(D2, 'gpt-4o-mini')).toMatchObject({ billed_usd: '0.000000', difference_ratio: null, flagged: true })
    expect(row(D1, 'mystery-model-x').unpriced_events).toBeGreaterThan(0)

    const sum = (f: (e: TExp) => bigint) => [...exp.values()].reduce((s, e) => s + f(e), 0n)
    const billed = sum((e) => e.billed)
    const unexplained = sum((e) => (e.billed > e.computed ? e.billed - e.computed : 0n))
    expect(rec.totals).toMatchObject({
      computed_usd: microsToUsd(sum((e) => e.computed)),
      billed_usd: microsToUsd(billed),
      difference_usd: microsToUsd(billed - sum((e) => e.computed)),
      unexplained_usd: microsToUsd(unexplained),
      unbilled_computed_usd: microsToUsd(unbilled),
      flagged_rows: expected.filter((e) => e.flagged).length,
      providers: ['openai'],
    })
    expect(rec.totals.unexplained_share).toBeCloseTo(Number(unexplained) / Number(billed), 9)

    // By month: the same figures summed into the month's first day.
    const monthly = await (
      await getReconciliation(apiRequest(`/api/v1/reconciliation?from=${from}&to=${to}&granularity=month`, { key: readKey }), { params: Promise.resolve({}) })
    ).json()
    expect(monthly.totals).toEqual({ ...rec.totals, flagged_rows: monthly.totals.flagged_rows })
    expect(monthly.rows.every((r: { day: string }) => r.day.endsWith('-01'))).toBe(true)
  })

  it('a `from` alone is never an empty or unbounded range: after today its day alone, long ago at most 400 days (the API fuzz’s from=tomorrow answered 500)', async () => {
    const get = async (qs: string) => {
      const r = await getReconciliation(apiRequest(`/api/v1/reconciliation?${qs}`, { key: readKey }), { params: Promise.resolve({}) })
      expect(r.status, qs).toBe(200)
      return (await r.json()) as { from: string; to: string; rows: unknown[] }
    }
    const tomorrow = dayOf(today + DAY_MS)
    expect(await get(`from=${tomorrow}`)).toMatchObject({ from: tomorrow, to: dayOf(today + 2 * DAY_MS), rows: [] })
    const later = dayOf(today + 40 * DAY_MS)
    expect(await get(`from=${later}`)).toMatchObject({ from: later, to: dayOf(today + 41 * DAY_MS), rows: [] })
    expect(await get('from=2020-01-01')).toMatchObject({ from: '2020-01-01', to: '2021-02-04' })
    expect(await get(`from=${D1}`)).toMatchObject({ from: D1, to: tomorrow })
    expect(reconciliationRange({ from: undefined, to: undefined }, new Date(today))).toEqual({ from: dayOf(today - 29 * DAY_MS), to: tomorrow })
  })

  it('reads each flagged row’s likely causes from the data: a price step, a missing cache write, an unpriced model, days after the bill', async () => {
    const ev = await ownerPool().query<{ day: string; model: string; micros: string }>(
      `SELECT (timestamp AT TIME ZONE 'UTC')::date::text AS day, model, (round(coalesce(sum(cost_usd), 0), 6) * 1000000)::int8::text AS micros
       FROM inference_events WHERE org_id = $1 AND provider = 'anthropic' GROUP BY 1, 2`,
      [orgId],
    )
    const cost = (day: string, model: string) => BigInt(ev.rows.find((r) => r.day === day && r.model === model)?.micros ?? '0')
    // Anthropic's bill for D1 and D2: sonnet at Outlay's price on D1 and 10% above from D2 (a price change); haiku 20%
    // above on both days (the cache writes the events never reported); a model Outlay never saw. D3 is after the bill.
    const bill = [
      'date,provider,model,cost_usd',
      `${D1},anthropic,claude-sonnet-4-5,${microsToUsd(cost(D1, 'claude-sonnet-4-5'))}`,
      `${D2},anthropic,claude-sonnet-4-5-20250929,${microsToUsd((cost(D2, 'claude-sonnet-4-5') * 110n) / 100n)}`,
      `${D1},anthropic,claude-haiku-4-5,${microsToUsd((cost(D1, 'claude-haiku-4-5') * 120n) / 100n)}`,
      `${D2},anthropic,claude-haiku-4-5,${microsToUsd((cost(D2, 'claude-haiku-4-5') * 120n) / 100n)}`,
      `${D2},anthropic,claude-3-opus,2.000000`,
    ].join('\n')
    expect((await post('anthropic-recent', bill, 'text/csv')).status).toBe(201)
    // and OpenAI bills the model Outlay has no price for
    expect((await post('openai-mystery', `date,provider,model,cost_usd\n${D1},openai,mystery-model-x,0.500000`, 'text/csv')).status).toBe(201)
    const to = dayOf(today + DAY_MS)
    const rec = await (
      await getReconciliation(apiRequest(`/api/v1/reconciliation?from=${D1}&to=${to}`, { key: readKey }), { params: Promise.resolve({}) })
    ).json()
    type TRow = { day: string; provider: string; model: string | null; flagged: boolean; causes: { kind: string; message: string }[] }
    const row = (day: string, provider: string, model: string | null) =>
      rec.rows.find((r: TRow) => r.day === day && r.provider === provider && r.model === model) as TRow
    const kinds = (r: TRow) => r.causes.map((c) => c.kind)

    expect(row(D1, 'anthropic', 'claude-sonnet-4-5')).toMatchObject({ flagged: false, causes: [] })
    expect(kinds(row(D2, 'anthropic', 'claude-sonnet-4-5'))).toEqual(['price_change'])
    expect(row(D2, 'anthropic', 'claude-sonnet-4-5').causes[0].message).toMatch(
      new RegExp(`^the provider’s rate changed \\+10\\.0% from ${D2} .*the catalog’s.*: add the new price from ${D2}$`),
    )
    for (const d of [D1, D2]) expect(kinds(row(d, 'anthropic', 'claude-haiku-4-5'))).toEqual(['rate_differs', 'missing_cache_writes'])
    expect(kinds(row(D2, 'anthropic', 'claude-3-opus'))).toEqual(['not_reported'])
    // the OpenAI rows of the first bill: an unpriced model, traffic the bill does not charge, charges beside the models
    expect(kinds(row(D1, 'openai', 'mystery-model-x'))).toEqual(['unpriced_events'])
    expect(row(D1, 'openai', 'mystery-model-x').causes[0].message).toMatch(/^\d+ events of mystery-model-x have no price in Outlay/)
    expect(kinds(row(D2, 'openai', 'gpt-4o-mini'))).toEqual(['not_billed'])
    expect(kinds(row(D1, 'openai', null))).toEqual(['non_model_charges'])
    expect(rec.rows.filter((r: TRow) => !r.flagged).every((r: TRow) => r.causes.length === 0)).toBe(true)

    // After the bill: each provider's events after its last bill day, to the end of that month (SQL over the events).
    const after = await ownerPool().query<{ provider: string; usd: string }>(
      `SELECT provider, round(sum(cost_usd), 6)::text AS usd FROM inference_events
       WHERE org_id = $1 AND provider = 'anthropic' AND timestamp >= $2::date + 1 AND timestamp < date_trunc('month', $2::date) + interval '1 month' AND timestamp < $3::date
       GROUP BY 1`,
      [orgId, D2, to],
    )
    const openaiAfter = await ownerPool().query<{ usd: string | null }>(
      `SELECT round(sum(cost_usd), 6)::text AS usd FROM inference_events
       WHERE org_id = $1 AND provider = 'openai' AND timestamp >= $2::date + 1 AND timestamp < date_trunc('month', $2::date) + interval '1 month'`,
      [orgId, D2],
    )
    const expected = [
      ...after.rows.map((r) => ({ provider: 'anthropic', last_billed_day: D2, computed_usd: microsToUsd(micros(r.usd)) })),
      ...(openaiAfter.rows[0].usd ? [{ provider: 'openai', last_billed_day: D2, computed_usd: microsToUsd(micros(openaiAfter.rows[0].usd)) }] : []),
    ].sort((a, b) => a.provider.localeCompare(b.provider))
    expect(rec.totals.after_period).toEqual(expected)
    if (D3.slice(0, 7) === D2.slice(0, 7)) expect(expected.map((e) => e.provider)).toContain('anthropic')
  })
})
