import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Worker } from 'bullmq'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues, QUEUE_INGEST, workerConnection } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { ingestProcessor } from '@/workers/processors/ingest'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { PUT as putPrices } from '@/app/api/v1/prices/route'
import { POST as createPolicy } from '@/app/api/v1/policies/route'
import { POST as publish } from '@/app/api/v1/policies/[id]/publish/route'
import { GET as getReview } from '@/app/api/v1/opportunities/review/route'
import { GET as getOpportunities } from '@/app/api/v1/opportunities/route'
import { ZOpportunityReviewAnswer, ZOpportunitiesAnswer, type TOpportunityReviewAnswer } from '@/lib/opportunities/schema'

// The quarterly review through the API: events before and after a routing policy's publication on a step, the
// opportunities of the range, which were acted on, and the saving measured after the publication against SQL over
// the events (the calls after at the cost per call before, less their cost).

let prefix = ''
let orgId = ''
let ingestKey = ''
let readKey = ''
let writeKey = ''
let worker: Worker | null = null

const HOUR = 3_600_000
const DAY = 86_400_000
const T0 = Math.floor(Date.now() / DAY) * DAY - 10 * DAY
const at = (h: number, m = 0) => new Date(T0 + h * HOUR + m * 60_000).toISOString()
const FROM = new Date(T0).toISOString()
// published on day 5 at 12:30: "before" ends at 12:00, "after" starts at 13:00
const PUBLISHED = new Date(T0 + 5 * DAY + 12 * HOUR + 30 * 60_000)

type TEv = Record<string, unknown>
let seq = 0
const ev = (ts: string, step: string, extra: TEv = {}): TEv => ({
  id: `r${++seq}`,
  timestamp: ts,
  workflow_id: 'support',
  step,
  provider: 'acme',
  model: 'acme-1',
  tokens_in: 2000,
  tokens_out: 300,
  ...extra,
})

async function waitProcessed(timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const r = await ownerPool().query<{ n: string }>('SELECT count(*)::text AS n FROM ingest_batches WHERE processed_at IS NULL')
    if (r.rows[0].n === '0') return
    if (Date.now() > until) throw new Error(`${r.rows[0].n} batches still pending`)
    await new Promise((res) => setTimeout(res, 100))
  }
}

async function post(events: TEv[]) {
  const res = await postEvents(apiRequest('/api/v1/events', { key: ingestKey, method: 'POST', body: { events } }))
  expect(res.status).toBe(202)
  await waitProcessed()
}

async function review(q = `from=${FROM}`): Promise<TOpportunityReviewAnswer> {
  const res = await getReview(apiRequest(`/api/v1/opportunities/review?${q}`, { key: readKey }))
  expect(res.status).toBe(200)
  return ZOpportunityReviewAnswer.parse(await res.json())
}

async function stepBySql(from: string, to: string) {
  const r = await ownerPool().query<{ calls: number; cost: string }>(
    `SELECT count(*)::int AS calls, round(coalesce(sum(cost_usd), 0), 6)::text AS cost FROM inference_events
     WHERE org_id = $1 AND workflow_id = 'support' AND step = 'generate' AND "timestamp" >= $2 AND "timestamp" < $3`,
    [orgId, from, to],
  )
  return r.rows[0]
}

const micros = (s: string) => BigInt(s.replace('.', ''))

beforeAll(async () => {
  ;({ prefix } = await useTestServices('opportunity_review'))
  orgId = (await createOrgWithAdmin({ org_name: 'Review Co', email: 'review@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  ingestKey = (await createTestApiKey(orgId, { name: 'i', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  worker = new Worker(QUEUE_INGEST, ingestProcessor, { connection: workerConnection(), prefix, concurrency: 2 })
  const res = await putPrices(
    apiRequest('/api/v1/prices', {
      key: writeKey,
      method: 'PUT',
      body: { prices: [{ provider: 'acme', model: 'acme-1', effective_from: '2020-01-01T00:00:00Z', input_per_mtok: '1', output_per_mtok: '4' }] },
    }),
  )
  expect(res.status).toBe(200)
})
afterAll(async () => {
  await worker?.close()
  await closeQueues()
  await closeDb()
})

describe('GET /api/v1/opportunities/review', () => {
  it('lists the opportunities, none acted on before any policy', async () => {
    const events: TEv[] = []
    // before: 5 days of generate calls with long prompts, repeats and retries; classify calls with retries too
    for (let d = 0; d < 5; d++)
      for (let i = 0; i < 6; i++) {
        events.push(ev(at(d * 24 + 9 + i), 'generate', { input_hash: `h${i % 3}`, ...(i === 5 ? { outcome: 'retry' } : {}) }))
        if (i < 2) events.push(ev(at(d * 24 + 10 + i), 'classify', { tokens_in: 500, tokens_out: 5, ...(i === 1 ? { outcome: 'error' } : {}) }))
      }
    // the publication's own hour (12:00 on day 5) is in neither window: its calls may be on either side
    events.push(ev(at(5 * 24 + 12, 10), 'generate'))
    events.push(ev(at(5 * 24 + 12, 40), 'generate'))
    // after: shorter prompts, fewer retries
    for (let d = 6; d < 9; d++) for (let i = 0; i < 6; i++) events.push(ev(at(d * 24 + 9 + i), 'generate', { tokens_in: 800, input_hash: `n${d}-${i}` }))
    await post(events)
    const a = await review()
    expect(a.acted_on).toBe(0)
    expect(a.items.length).toBeGreaterThan(0)
    expect(a.items.every((i) => i.acted_on === null && i.measured === null)).toBe(true)
    const opps = ZOpportunitiesAnswer.parse(
      await (await getOpportunities(apiRequest(`/api/v1/opportunities?from=${FROM}&to=${a.to}`, { key: readKey }))).json(),
    )
    expect(a.estimated_usd_per_month).toBe(opps.total_savings_usd_per_month)
    expect(a.items.map((i) => i.opportunity.id).sort()).toEqual(opps.opportunities.map((o) => o.id).sort())
  })

  it('marks the step’s opportunities acted on once a policy is published, and measures the saving after it against SQL', async () => {
    const created = await createPolicy(
      apiRequest('/api/v1/policies', {
        key: writeKey,
        method: 'POST',
        body: { workflow_id: 'support', step: 'generate', candidates: [{ provider: 'acme', model: 'acme-1' }] },
      }),
    )
    expect(created.status).toBe(201)
    const { policy } = await created.json()
    const published = await publish(apiRequest(`/api/v1/policies/${policy.id}/publish`, { key: writeKey, method: 'POST', body: { note: 'Trim the prompt' } }), {
      params: Promise.resolve({ id: policy.id }),
    })
    expect(published.status).toBe(200)
    // the publication happened on day 5 (the events before and after it are already stored)
    await ownerPool().query('UPDATE routing_policy_versions SET published_at = $2 WHERE policy_id = $1', [policy.id, PUBLISHED])

    const a = await review()
    const acted = a.items.filter((i) => i.acted_on)
    expect(acted.length).toBeGreaterThanOrEqual(2) // retries and response_cache on support/generate
    expect(new Set(acted.map((i) => `${i.opportunity.workflow_id}/${i.opportunity.step}`))).toEqual(new Set(['support/generate']))
    expect(a.items.slice(0, acted.length)).toEqual(acted) // acted on first
    expect(a.items.find((i) => i.opportunity.step === 'classify')!.acted_on).toBeNull()
    const m = acted[0].measured!
    expect(acted[0].acted_on).toMatchObject({ policy_id: policy.id, version: 1, published_at: PUBLISHED.toISOString(), note: 'Trim the prompt' })
    expect(m.before_from).toBe(FROM)
    expect(m.before_to).toBe(new Date(T0 + 5 * DAY + 12 * HOUR).toISOString())
    expect(m.after_from).toBe(new Date(T0 + 5 * DAY + 13 * HOUR).toISOString())
    const before = await stepBySql(m.before_from, m.before_to)
    const after = await stepBySql(m.after_from, m.after_to)
    expect([m.calls_before, m.cost_before_usd]).toEqual([before.calls, before.cost])
    expect([m.calls_after, m.cost_after_usd]).toEqual([after.calls, after.cost])
    expect(before.calls).toBe(30) // not the 12:10 and 12:40 calls: the publication's hour
    // the calls after at the cost per call before, less their cost (half-up to the micro-dollar)
    const num = micros(before.cost) * BigInt(after.calls)
    const den = BigInt(before.calls)
    const expected = (num * 2n + den) / (2n * den) - micros(after.cost)
    expect(micros(m.saving_usd!)).toBe(expected)
    expect(expected).toBeGreaterThan(0n)
    const hours = BigInt((Date.parse(m.after_to) - Date.parse(m.after_from)) / HOUR)
    expect(micros(m.saving_usd_per_month!)).toBe((expected * 720n * 2n + hours) / (2n * hours))
    expect(a.measured_usd_per_month).toBe(m.saving_usd_per_month) // one step, counted once
    expect(acted.every((i) => i.measured!.saving_usd === m.saving_usd)).toBe(true)
  })

  it('a publication before the range is not an action of this review', async () => {
    const a = await review(`from=${new Date(T0 + 6 * DAY).toISOString()}`)
    expect(a.acted_on).toBe(0)
  })
})
