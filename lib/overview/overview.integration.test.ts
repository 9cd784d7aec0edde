import { micros, microsToUsd } from '@/lib/domain'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as createPool } from '@/app/api/v1/gpu/pools/route'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as getOverview } from '@/app/api/v1/overview/route'
import { createLineItem } from '@/lib/gpu/scenarios'
import { wholeBill } from '@/lib/finance/whole-bill'
import { ZOverviewAnswer, type TOverviewAnswer } from '@/lib/overview/schema'

// GET /api/v1/overview: the month to date as the whole bill, against SQL over the events. This month: an API call,
// a self-hosted call on a pool (its GPU time is paid in GPU capacity, not again in API inference), an eval call and
// a line item; last month: a call and a line item that are not this month's.

const now = new Date()
const MONTH_START = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
const LAST_MONTH = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
const month = (d: Date) => d.toISOString().slice(0, 7)
// this month and already past (the first second of a month: its first instant)
const THIS_MONTH_AT = new Date(Math.max(MONTH_START.getTime(), now.getTime() - 60_000)).toISOString()
const ctx = () => ({ params: Promise.resolve<Record<string, string>>({}) })
let orgId = ''
let read = ''

beforeAll(async () => {
  await useTestServices('overview')
  orgId = (await createOrgWithAdmin({ org_name: 'Overview Co', email: 'overview@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  const write = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  const ingest = (await createTestApiKey(orgId, { name: 'i', scopes: ['ingest'] })).key
  read = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  const pool = apiRequest('/api/v1/gpu/pools', {
    key: write,
    body: {
      effective_from: LAST_MONTH.toISOString(),
      name: 'prod',
      role: 'production',
      gpu_type: 'H100',
      gpu_count: 2,
      pricing: 'hourly',
      gpu_hour_usd: '1',
      serves: ['search'],
    },
  })
  expect((await createPool(pool, ctx())).status).toBe(201)
  const ev = (id: string, extra: Record<string, unknown>) => ({ id, timestamp: THIS_MONTH_AT, workflow_id: 'search', step: 'answer', ...extra })
  const events = [
    ev('gpu', { provider: 'self-hosted', model: 'llama', gpu_seconds: 36, gpu_pool: 'prod' }),
    ev('api', { provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1_000_000, tokens_out: 10_000 }),
    ev('eval', { provider: 'openai', model: 'gpt-4o-mini', tokens_in: 500_000, traffic_source: 'eval', environment: 'staging' }),
    ev('last-month', { timestamp: new Date(LAST_MONTH.getTime() + 86_400_000).toISOString(), provider: 'openai', model: 'gpt-4o-mini', tokens_in: 2_000_000 }),
  ]
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingest, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
  await createLineItem(orgId, { scenario: 'search', month: month(MONTH_START), category: 'engineering', amount_usd: '100.5', note: 'prompt work' })
  await createLineItem(orgId, { scenario: 'search', month: month(LAST_MONTH), category: 'operations', amount_usd: '7', note: 'not this month' })
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

async function overview(): Promise<TOverviewAnswer> {
  const res = await getOverview(apiRequest('/api/v1/overview', { key: read }), ctx())
  expect(res.status).toBe(200)
  return ZOverviewAnswer.parse(await res.json())
}

describe('GET /api/v1/overview', () => {
  it('is the month to date as the whole bill: API inference (SQL over the events, less the GPU time on pools) + GPU capacity + this month’s line items', async () => {
    const a = await overview()
    const m = a.month_to_date
    expect(m.from).toBe(MONTH_START.toISOString())
    expect(m.to).toBe(a.as_of)
    expect(m.months.map((x) => x.month)).toEqual([month(MONTH_START)])
    const [sql] = (
      await ownerPool().query<{ calls: string; used: string }>(
        `SELECT (SELECT round(sum(cost_usd), 6)::text FROM inference_events WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3) AS calls,
                (SELECT round(coalesce(sum(gpu_seconds), 0) * 1.0 / 3600, 6)::text FROM inference_events
                  WHERE org_id = $1 AND gpu_pool = 'prod' AND timestamp >= $2 AND timestamp < $3) AS used`,
        [orgId, MONTH_START, a.as_of],
      )
    ).rows
    expect(micros(sql.calls)).toBeGreaterThan(0n)
    expect(sql.used).toBe('0.010000') // 36 GPU-seconds at $1 per GPU-hour
    expect(m.api_inference_usd).toBe(microsToUsd(micros(sql.calls) - micros(sql.used)))
    expect(m.line_items_usd).toBe('100.500000')
    expect(micros(m.api_inference_usd) + micros(m.gpu_capacity_usd) + micros(m.line_items_usd)).toBe(micros(m.total_usd))
    expect(m.pools).toEqual([expect.objectContaining({ pool: 'prod', role: 'production', used_by_calls_usd: '0.010000' })])
  })

  it('counts GPU capacity as the whole bill does at the same moment (the fleet page’s paid cost, idle included)', async () => {
    const a = await overview()
    const wb = await wholeBill(orgId, { from: MONTH_START, to: new Date(a.as_of) }, new Date(a.as_of))
    expect(a.month_to_date.gpu_capacity_usd).toBe(wb.gpu_capacity_usd)
    expect(a.month_to_date.total_usd).toBe(wb.total_usd)
  })

  it('answers a read key only within its organization: another organization’s key sees its own, empty month', async () => {
    const other = (await createOrgWithAdmin({ org_name: 'Other Co', email: 'other@example.com', password: 'password-123' })).org.id
    const key = (await createTestApiKey(other, { name: 'r', scopes: ['read'] })).key
    const res = await getOverview(apiRequest('/api/v1/overview', { key }), ctx())
    expect(res.status).toBe(200)
    const m = ZOverviewAnswer.parse(await res.json()).month_to_date
    expect(m).toMatchObject({ api_inference_usd: '0.000000', gpu_capacity_usd: '0.000000', line_items_usd: '0.000000', total_usd: '0.000000' })
  })
})
