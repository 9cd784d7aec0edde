import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, createTestApiKey, ownerPool } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { createBudget } from '@/lib/budgets'
import { listAlerts } from '@/lib/budgets/alerts'
import { evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { recordAlerts, type TAlertCandidate } from '@/lib/alerts'
import { randomUUID } from 'node:crypto'

const evaluateOrgBudgets = (orgId: string, now: Date) => evaluateOrgAlerts(orgId, now, { kinds: ['budget'] })
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as getAlerts } from '@/app/api/v1/alerts/route'
import { POST as ack } from '@/app/api/v1/alerts/[id]/ack/route'
import { gpt4oCall } from '@/lib/testing/events'

// Spend pushed over a daily budget through the ingest path, evaluated with an
// injected clock: each threshold fires once, repeated evaluations fire nothing
// more, and the next day starts clean.

let orgId = ''
let ingestKey = ''
let writeKey = ''
let otherKey = ''

// gpt-4o: 100k input + 10k output tokens = $0.35 a call
const call = (id: string, timestamp: string) => gpt4oCall(id, { timestamp })
async function ingest(events: Record<string, unknown>[]) {
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
}

beforeAll(async () => {
  await useTestServices('alerts')
  const a = await createOrgWithAdmin({ org_name: 'Alert Co', email: 'alert@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id) // the tests' own calls of lib functions run for this organization
  const b = await createOrgWithAdmin({ org_name: 'Other Co', email: 'other-alert@example.com', password: 'password-123' })
  orgId = a.org.id
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['read', 'write'] })).key
  otherKey = (await createTestApiKey(b.org.id, { name: 'other', scopes: ['read', 'write'] })).key
  await createBudget(orgId, {
    name: 'Support daily',
    environment: null,
    workflow_id: 'support',
    account_id: null,
    feature: null,
    traffic_sources: ['production'],
    period: 'day',
    rolling_days: null,
    metric: 'spend',
    amount_usd: '1',
    thresholds: [50, 80, 100],
    hard_cutoff: false,
    cutoff_action: 'throttle',
    throttle_per_minute: 60,
    owner: null,
  })
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('budget alerts', () => {
  it('one alert per breach whose level rises with each threshold crossed, and not again on re-evaluation', async () => {
    // a default e-mail channel: each level of the alert is delivered once
    await ownerPool().query(
      `INSERT INTO notification_channels (id, org_id, name, type, emails, is_default) VALUES (gen_random_uuid(), $1, 'Finance', 'email', '{fin@example.com}', true)`,
      [orgId],
    )
    const levels = async () =>
      (await ownerPool().query<{ level: number }>(`SELECT level FROM notification_deliveries WHERE org_id = $1 ORDER BY level`, [orgId])).rows.map(
        (r) => r.level,
      )
    await ingest([call('a1', '2026-11-02T09:00:00Z'), call('a2', '2026-11-02T10:00:00Z')]) // $0.70
    const first = await evaluateOrgBudgets(orgId, new Date('2026-11-02T12:00:00Z'))
    expect(first.map((x) => [x.threshold, x.state, x.actual_usd])).toEqual([[50, 'warning', '0.7']])
    expect(await evaluateOrgBudgets(orgId, new Date('2026-11-02T12:01:00Z'))).toEqual([])

    await ingest([call('a3', '2026-11-02T12:30:00Z')]) // $1.05
    const second = await evaluateOrgBudgets(orgId, new Date('2026-11-02T13:00:00Z'))
    // 80% and 100% were both crossed since: the same alert, raised to 100%
    expect(second.map((x) => [x.id, x.threshold, x.state, x.actual_usd])).toEqual([[first[0].id, 100, 'exceeded', '1.05']])
    expect(second[0].period_start).toBe('2026-11-02T00:00:00.000Z')
    expect(await evaluateOrgBudgets(orgId, new Date('2026-11-02T13:01:00Z'))).toEqual([])
    expect(await levels()).toEqual([50, 100])
  })

  it('writes no alert for a budget deleted while its evaluation ran, and does not fail the evaluation', async () => {
    // the alerts worker read the budget, then someone deleted it: its candidate names a budget that is gone
    const gone: TAlertCandidate = {
      kind: 'budget',
      source_key: `budget:${randomUUID()}`,
      dedupe_key: `budget:gone:${randomUUID()}`,
      subject: 'Deleted meanwhile',
      title: 'Deleted meanwhile: 100% of the budget reached',
      details: {},
      budget_id: randomUUID(),
      period_start: '2026-11-02T00:00:00.000Z',
      threshold: 100,
      state: 'exceeded',
      actual_usd: '2',
      amount_usd: '1',
    }
    const c = await ownerPool().connect()
    try {
      // it failed the whole evaluation with a foreign-key violation (alerts_budget_id_fkey)
      expect(await recordAlerts(c, orgId, new Date('2026-11-02T14:00:00Z'), [gone], { kinds: ['budget'], sourceKeys: [gone.source_key] })).toEqual([])
    } finally {
      c.release()
    }
    expect((await ownerPool().query('SELECT 1 FROM alerts WHERE dedupe_key = $1', [gone.dedupe_key])).rowCount).toBe(0)
  })

  it('recovers in the next period: nothing spent, nothing fires', async () => {
    expect(await evaluateOrgBudgets(orgId, new Date('2026-11-03T01:00:00Z'))).toEqual([])
    const all = await listAlerts(orgId)
    expect(all).toHaveLength(1)
    // the day's breach no longer holds: resolved at the evaluation that saw the new period
    expect(all.map((a) => a.resolved_at)).toEqual(['2026-11-03T01:00:00.000Z'])
  })

  it('lists alerts newest first to a read key and acknowledges them with a write key, in its organization only', async () => {
    const res = await getAlerts(apiRequest('/api/v1/alerts', { key: writeKey }))
    const { alerts } = await res.json()
    expect(alerts.map((a: { threshold: number }) => a.threshold)).toEqual([100])
    expect(alerts[0]).toMatchObject({
      kind: 'budget',
      budget_name: 'Support daily',
      state: 'exceeded',
      actual_usd: '1.05',
      amount_usd: '1',
      acknowledged_at: null,
      muted: false,
    })
    const id = alerts[0].id
    expect((await ack(apiRequest(`/api/v1/alerts/${id}/ack`, { key: otherKey, method: 'POST' }), { params: Promise.resolve({ id }) })).status).toBe(404)
    expect((await ack(apiRequest(`/api/v1/alerts/${id}/ack`, { key: writeKey, method: 'POST' }), { params: Promise.resolve({ id }) })).status).toBe(200)
    expect((await listAlerts(orgId))[0].acknowledged_at).not.toBeNull()
    const bad = await ack(apiRequest('/api/v1/alerts/x/ack', { key: writeKey, method: 'POST' }), { params: Promise.resolve({ id: 'x' }) })
    expect(bad.status).toBe(400)
  })
})
