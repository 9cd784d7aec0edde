import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'csv-parse/sync'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as postBill } from '@/app/api/v1/bills/route'
import { GET as getReconciliation } from '@/app/api/v1/reconciliation/route'
import { GET as getFocus } from '@/app/api/v1/exports/focus/route'
import { FOCUS_COLUMNS } from '@/lib/bills/focus'
import { amountMicros } from '@/lib/bills/parse'
import { micros, microsToUsd, DAY_MS } from '@/lib/domain'

// The FOCUS export through its route on real PostgreSQL, events through the ingest API and the worker: its
// BilledCost equals SQL over inference_events per provider × model × day to the micro-dollar, and the file,
// imported back as a bill, reconciles to zero difference on every row (the round trip).

let orgId = ''
let readKey = ''
let writeKey = ''
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10)
const today = Date.parse(dayOf(Date.now()))
const D1 = dayOf(today - 3 * DAY_MS)
const D2 = dayOf(today - 2 * DAY_MS)
const D3 = dayOf(today - 1 * DAY_MS)
const FROM = D1
const TO = dayOf(today + DAY_MS)
const ctx = { params: Promise.resolve({}) }

beforeAll(async () => {
  await useTestServices('focus_export')
  const made = await createOrgWithAdmin({ org_name: 'Focus Co', email: 'focus@example.com', password: 'password-123' })
  orgId = made.org.id
  setTestDefaultOrg(orgId)
  const ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['write'] })).key
  const events: Record<string, unknown>[] = []
  let n = 0
  for (const day of [D1, D2, D3]) {
    for (let i = 0; i < 16; i++) {
      const base = {
        timestamp: `${day}T${String(i).padStart(2, '0')}:41:00.000Z`,
        workflow_id: i % 3 ? 'support' : 'kb, "search"',
        step: i % 2 ? 'draft' : 'classify',
        account_id: `acct-${i % 4}`,
        feature: i % 5 ? 'chat' : undefined,
        environment: i % 4 ? 'production' : 'staging',
        traffic_source: i % 6 ? 'production' : 'eval',
      }
      // odd token counts: costs with more than 6 decimals, so the rows' rounding is exercised
      events.push({ ...base, id: `f-${n++}`, provider: 'openai', model: i % 2 ? 'gpt-4o' : 'gpt-4o-2024-08-06', tokens_in: 1013 + 37 * i, tokens_out: 77 + i })
      events.push({ ...base, id: `f-${n++}`, provider: 'openai', model: 'gpt-4o-mini', tokens_in: 3001 + i, tokens_out: 199 })
      events.push({ ...base, id: `f-${n++}`, provider: 'anthropic', model: 'claude-sonnet-4-5', tokens_in: 2003, tokens_out: 101 + i })
      if (i % 5 === 0) events.push({ ...base, id: `f-${n++}`, provider: 'openai', model: 'mystery-model-x', tokens_in: 500, tokens_out: 5 })
    }
  }
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

async function exportText(): Promise<string> {
  const res = await getFocus(apiRequest(`/api/v1/exports/focus?from=${FROM}&to=${TO}`, { key: readKey }), ctx)
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toMatch(/^text\/csv/)
  expect(res.headers.get('content-disposition')).toBe(`attachment; filename="outlay-focus-${FROM}-${TO}.csv"`)
  return res.text()
}

describe('GET /api/v1/exports/focus', () => {
  it('exports one row per provider × model × day × attribution, BilledCost equal to SQL over the events to the micro-dollar', async () => {
    const text = await exportText()
    const records = parse(text, { columns: true }) as Record<string, string>[]
    expect(Object.keys(records[0])).toEqual([...FOCUS_COLUMNS])
    expect(records.every((r) => r.BillingCurrency === 'USD' && r.ChargeCategory === 'Usage' && r.ServiceCategory === 'AI and Machine Learning')).toBe(true)
    expect(records.every((r) => /^\d+\.\d{6}$/.test(r.BilledCost))).toBe(true)

    // What the events cost per day × provider × model, each rounded to the micro-dollar (as the reconciliation reads them).
    const ev = await ownerPool().query<{ day: string; provider: string; model: string; usd: string; tokens: string; events: number }>(
      `SELECT (timestamp AT TIME ZONE 'UTC')::date::text AS day, provider, model, round(coalesce(sum(cost_usd), 0), 6)::text AS usd,
              sum(tokens_in + tokens_out)::text AS tokens, count(*)::int AS events
       FROM inference_events WHERE org_id = $1 AND timestamp >= $2::date AND timestamp < $3::date GROUP BY 1, 2, 3`,
      [orgId, FROM, TO],
    )
    type TSum = { micros: bigint; tokens: bigint; events: number }
    const sums = (rows: { key: string; micros: bigint; tokens: bigint; events: number }[]) => {
      const m = new Map<string, TSum>()
      for (const r of rows) {
        const s = m.get(r.key) ?? { micros: 0n, tokens: 0n, events: 0 }
        s.micros += r.micros
        s.tokens += r.tokens
        s.events += r.events
        m.set(r.key, s)
      }
      return m
    }
    const fromSql = sums(ev.rows.map((r) => ({ key: `${r.day} ${r.provider} ${r.model}`, micros: micros(r.usd), tokens: BigInt(r.tokens), events: r.events })))
    const fromCsv = sums(
      records.map((r) => ({
        key: `${r.ChargePeriodStart.slice(0, 10)} ${r.ProviderName} ${r.ResourceName}`,
        micros: amountMicros(r.BilledCost) as bigint,
        tokens: BigInt(r.ConsumedQuantity),
        events: Number(r.x_events),
      })),
    )
    expect(fromCsv).toEqual(fromSql)
    const total = [...fromSql.values()].reduce((s, x) => s + x.micros, 0n)
    expect(total).toBeGreaterThan(0n)
    expect(records.reduce((s, r) => s + (amountMicros(r.BilledCost) as bigint), 0n)).toBe(total)

    // the attribution: as many rows as distinct day × provider × model × attribution among the events
    const groups = await ownerPool().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM (SELECT DISTINCT (timestamp AT TIME ZONE 'UTC')::date, provider, model, workflow_id, step, account_id, feature, environment, traffic_source
       FROM inference_events WHERE org_id = $1) g`,
      [orgId],
    )
    expect(records).toHaveLength(groups.rows[0].n)
    expect(new Set(records.map((r) => r.x_workflow_id))).toEqual(new Set(['support', 'kb, "search"']))
    expect(new Set(records.map((r) => r.x_traffic_source))).toEqual(new Set(['production', 'eval']))
    expect(records.some((r) => r.x_feature === '')).toBe(true)
    const unpriced = records.filter((r) => r.ResourceName === 'mystery-model-x')
    expect(unpriced.length).toBeGreaterThan(0)
    expect(unpriced.every((r) => r.BilledCost === '0.000000' && Number(r.x_unpriced_events) > 0)).toBe(true)
  })

  it('round trip: the export imported as a bill reconciles to zero difference on every row', async () => {
    const text = await exportText()
    const imported = await postBill(apiRequest('/api/v1/bills?source=outlay-focus', { key: writeKey, body: text, contentType: 'text/csv' }), ctx)
    expect(imported.status).toBe(201)
    const j = await imported.json()
    expect(j.import).toMatchObject({ format: 'focus', rejected: 0, first_day: D1, last_day: D3 })
    expect(j.import.lines).toBe(text.trimEnd().split('\r\n').length - 1)

    const res = await getReconciliation(apiRequest(`/api/v1/reconciliation?from=${FROM}&to=${TO}`, { key: readKey }), ctx)
    expect(res.status).toBe(200)
    const rec = await res.json()
    expect(rec.rows.length).toBeGreaterThan(0)
    for (const r of rec.rows)
      expect({ ...r, difference_usd: r.difference_usd, flagged: r.flagged }).toMatchObject({ difference_usd: '0.000000', flagged: false })
    expect(rec.totals).toMatchObject({
      billed_usd: j.import.total_usd,
      computed_usd: j.import.total_usd,
      difference_usd: '0.000000',
      unexplained_usd: '0.000000',
      unbilled_computed_usd: '0.000000',
      flagged_rows: 0,
      providers: ['anthropic', 'openai'],
    })
    expect(micros(rec.totals.billed_usd)).toBeGreaterThan(0n)
    expect(microsToUsd(micros(rec.totals.billed_usd))).toBe(rec.totals.computed_usd)
  })

  it('refuses a bad range, and answers an empty range with the header alone', async () => {
    const bad = await getFocus(apiRequest(`/api/v1/exports/focus?from=${TO}&to=${FROM}`, { key: readKey }), ctx)
    expect(bad.status).toBe(400)
    const empty = await getFocus(apiRequest('/api/v1/exports/focus?from=2020-01-01&to=2020-01-03', { key: readKey }), ctx)
    expect(empty.status).toBe(200)
    expect(await empty.text()).toBe(`${FOCUS_COLUMNS.join(',')}\r\n`)
  })
})
