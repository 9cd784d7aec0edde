import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { listAlerts } from '@/lib/alerts'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as postOutcomes } from '@/app/api/v1/outcomes/route'
import { GET as getAlerts } from '@/app/api/v1/alerts/route'
import { GET as getSettings, PUT as putSettings } from '@/app/api/v1/alerts/settings/route'
import { settingsForm, settingsPatch } from '@/lib/alerts/settings-view'

// Each drift detector fires once on data pushed through the ingest API (so
// the rollups hold it), at an injected clock, and recovers when its condition
// goes away. The clock is 2026-11-20 12:30 UTC: the last complete hour is 11:00.
//
//   baseline: support/draft, 11 calls of 100k input tokens ($0.35 each) and 11
//             accepted outcomes, 7 to 28 days back; four of them at 11:00 on the
//             four previous Fridays (the same hour of the week)
//   recent:   at 11:00 today, 10 calls of 300k input tokens ($0.85 each) and 10
//             accepted outcomes; one call of a model without a price

const NOW = new Date('2026-11-20T12:30:00Z')
let orgId = ''
let ingestKey = ''
let readKey = ''
let writeKey = ''

const at = (daysBack: number, hour: number, minute = 0) => new Date(Date.UTC(2026, 10, 20 - daysBack, hour, minute)).toISOString()
const call = (id: string, timestamp: string, tokensIn: number, extra: Record<string, unknown> = {}) => ({
  id,
  timestamp,
  workflow_id: 'support',
  step: 'draft',
  provider: 'openai',
  model: 'gpt-4o',
  tokens_in: tokensIn,
  tokens_out: 10_000,
  ...extra,
})
const outcome = (id: string, timestamp: string) => ({ id, timestamp, workflow_id: 'support', accepted: true, kind: 'ticket_resolved' })

async function drain() {
  for (const id of await pendingBatches(0)) await processBatch(id)
}

beforeAll(async () => {
  await useTestServices('drift')
  orgId = (await createOrgWithAdmin({ org_name: 'Drift Co', email: 'drift@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['read', 'write'] })).key
  const baselineTimes = [at(7, 11, 5), at(14, 11, 5), at(21, 11, 5), at(28 - 1, 3), ...[9, 10, 11, 12, 13, 15].map((d) => at(d, 3))]
  const events = [
    ...baselineTimes.map((t, i) => call(`base-${i}`, t, 100_000)),
    ...Array.from({ length: 10 }, (_, i) => call(`recent-${i}`, at(0, 11, i), 300_000)),
    call('mystery-1', at(0, 11, 30), 1000, { workflow_id: 'labs', step: 'try', provider: 'acme', model: 'acme-mystery-9' }),
  ]
  // one more on the Friday four weeks back at 11:00 (the anomaly has 4 earlier weeks of history)
  events.push(call('base-10', at(28, 11, 5), 100_000))
  const e = await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))
  expect(e.status).toBe(202)
  expect((await e.json()).rejected).toEqual([])
  const outcomes = [
    ...baselineTimes.map((t, i) => outcome(`ob-${i}`, t)),
    outcome('ob-10', at(28, 11, 5)),
    ...Array.from({ length: 10 }, (_, i) => outcome(`or-${i}`, at(0, 11, 40 + i))),
  ]
  expect((await postOutcomes(apiRequest('/api/v1/outcomes', { key: ingestKey, body: { outcomes } }))).status).toBe(202)
  await drain()
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('drift detectors on the rollups', () => {
  it('each fires once, with its numbers', async () => {
    const fired = await evaluateOrgAlerts(orgId, NOW)
    const byKind = Object.fromEntries(fired.map((a) => [a.kind, a]))
    expect(fired.map((a) => a.kind).sort()).toEqual(['cost_per_outcome_drift', 'spend_anomaly', 'tokens_per_call_growth', 'unpriced_model'])

    // 11 × $0.35 / 11 accepted in the 4-week baseline vs 10 × $0.85 / 10 in the last 7 days
    expect(byKind.cost_per_outcome_drift).toMatchObject({ subject: 'support', actual_usd: '0.85', amount_usd: '0.35', state: 'warning', budget_id: null })
    expect(byKind.cost_per_outcome_drift.details).toMatchObject({ recent: { accepted_outcomes: 10 }, baseline: { accepted_outcomes: 11 } })
    expect(byKind.tokens_per_call_growth).toMatchObject({ subject: 'support/draft', title: 'support / draft: input tokens per call ×3.0 (100,000 → 300,000)' })
    expect(byKind.tokens_per_call_growth.details).toMatchObject({ recent: { calls: 10 }, baseline: { calls: 11 } })
    expect(byKind.unpriced_model).toMatchObject({ subject: 'acme/acme-mystery-9' })
    expect(byKind.unpriced_model.details).toMatchObject({ unpriced_events: 1 })
    // 11:00 today: $8.50 vs $0.35 at 11:00 on each of the four previous Fridays
    expect(byKind.spend_anomaly).toMatchObject({ subject: 'organization', period_start: '2026-11-20T11:00:00.000Z', actual_usd: '8.5', amount_usd: '0.35' })
    expect(byKind.spend_anomaly.details).toMatchObject({
      previous: expect.arrayContaining([{ hour: '2026-10-23T11:00:00.000Z', spend_usd: '0.350000000000' }]),
    })
    expect((byKind.spend_anomaly.details.previous as unknown[]).length).toBe(4)

    // Later in the same hour the hourly detectors do not run again (their windows end at 12:00); the others find nothing new.
    expect(await evaluateOrgAlerts(orgId, new Date('2026-11-20T12:59:00Z'))).toEqual([])
    const runs = await ownerPool().query<{ hour: Date }>(`SELECT hour FROM alert_evaluations WHERE org_id = $1`, [orgId])
    expect(runs.rows.map((r) => r.hour.toISOString())).toEqual(['2026-11-20T12:00:00.000Z'])
  })

  it('recover when the condition goes away, and the list says so', async () => {
    // 13:05: the last complete hour (12:00) has no spend: the anomaly recovers; the weekly drifts and the unpriced model still hold.
    expect(await evaluateOrgAlerts(orgId, new Date('2026-11-20T13:05:00Z'))).toEqual([])
    const all = await listAlerts(orgId)
    const resolved = Object.fromEntries(all.map((a) => [a.kind, a.resolved_at]))
    expect(resolved).toEqual({ spend_anomaly: '2026-11-20T13:05:00.000Z', cost_per_outcome_drift: null, tokens_per_call_growth: null, unpriced_model: null })

    // An evaluation that still sees the anomaly (one that started before, on rollups read earlier) reopens it and fires nothing.
    expect(await evaluateOrgAlerts(orgId, new Date('2026-11-20T12:45:00Z'))).toEqual([])
    expect((await listAlerts(orgId, { kind: ['spend_anomaly'] }))[0].resolved_at).toBeNull()
    expect(await evaluateOrgAlerts(orgId, new Date('2026-11-20T13:05:00Z'))).toEqual([])
    expect((await listAlerts(orgId, { kind: ['spend_anomaly'] }))[0].resolved_at).toBe('2026-11-20T13:05:00.000Z')

    const res = await getAlerts(apiRequest('/api/v1/alerts?kind=spend_anomaly,unpriced_model&state=open', { key: readKey }))
    expect((await res.json()).alerts.map((a: { kind: string }) => a.kind)).toEqual(['unpriced_model'])
    const bad = await getAlerts(apiRequest('/api/v1/alerts?kind=weather&state=maybe', { key: readKey }))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual([
      'kind.0: must be one or more of: budget, cost_per_outcome_drift, tokens_per_call_growth, output_tokens_per_call_growth, calls_per_run_growth, cache_hit_rate_drop, feature_slo_breach, unpriced_model, spend_anomaly, revenue_share, account_step_anomaly',
      'state: must be one of: open, acknowledged, resolved, muted',
    ])
  })

  it('the next week is a new period: a drift that still holds fires again, once', async () => {
    // Monday 23 Nov: the recent window (last 7 days) still holds Friday's calls.
    const fired = await evaluateOrgAlerts(orgId, new Date('2026-11-23T00:30:00Z'))
    expect(fired.map((a) => [a.kind, a.period_start])).toEqual([['cost_per_outcome_drift', '2026-11-23T00:00:00.000Z']])
    const old = (await listAlerts(orgId, { kind: ['cost_per_outcome_drift'] })).find((a) => a.period_start === '2026-11-16T00:00:00.000Z')
    expect(old?.resolved_at).toBe('2026-11-23T00:30:00.000Z')
  })

  it('margins are set per organization and the evaluation uses them', async () => {
    const bad = await putSettings(
      apiRequest('/api/v1/alerts/settings', { key: writeKey, method: 'PUT', body: { tokens_per_call_margin: -1, anomaly_min_usd: 'x', z: 1 } }),
    )
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual([
      'tokens_per_call_margin: must be at least 0 (0%)',
      'anomaly_min_usd: must be a USD amount of at least 0 with at most 6 decimal places',
      'z: unknown field',
    ])
    expect((await putSettings(apiRequest('/api/v1/alerts/settings', { key: readKey, method: 'PUT', body: {} }))).status).toBe(403)
    const put = await putSettings(
      apiRequest('/api/v1/alerts/settings', { key: writeKey, method: 'PUT', body: { cost_per_outcome_margin: 5, tokens_per_call_margin: 5 } }),
    )
    expect((await put.json()).settings).toMatchObject({ cost_per_outcome_margin: 5, tokens_per_call_margin: 5, min_calls: 10, anomaly_z: 3.5 })
    expect((await (await getSettings(apiRequest('/api/v1/alerts/settings', { key: readKey }))).json()).settings.cost_per_outcome_margin).toBe(5)

    // Back at Friday 12:20 the anomaly holds again (reopened), but neither drift does at 500% margins: their week-of-16-Nov alerts stay resolved.
    expect(await evaluateOrgAlerts(orgId, new Date('2026-11-20T12:20:00Z'))).toEqual([])
    const week16 = (await listAlerts(orgId)).filter((a) => a.period_start === '2026-11-16T00:00:00.000Z')
    expect(week16.map((a) => [a.kind, a.resolved_at !== null]).sort()).toEqual([
      ['cost_per_outcome_drift', true],
      ['tokens_per_call_growth', true],
    ])
    expect((await listAlerts(orgId, { kind: ['spend_anomaly'] }))[0].resolved_at).toBeNull()
  })

  it('the Alerts page form round-trips: percents in, fractions stored, each bad field named', async () => {
    const current = (await (await getSettings(apiRequest('/api/v1/alerts/settings', { key: readKey }))).json()).settings
    const form = { ...settingsForm(current), tokens_per_call_margin: '30', min_calls: '', anomaly_z: 'high' }
    const bad = await putSettings(apiRequest('/api/v1/alerts/settings', { key: writeKey, method: 'PUT', body: settingsPatch(form) }))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual(['min_calls: must be a whole number', 'anomaly_z: must be a number'])
    const ok = await putSettings(
      apiRequest('/api/v1/alerts/settings', { key: writeKey, method: 'PUT', body: settingsPatch({ ...form, min_calls: '12', anomaly_z: '4' }) }),
    )
    expect(ok.status).toBe(200)
    const saved = (await ok.json()).settings
    expect(saved).toEqual({ ...current, tokens_per_call_margin: 0.3, min_calls: 12, anomaly_z: 4 })
    expect(settingsForm(saved).tokens_per_call_margin).toBe('30')
    const [row] = (await ownerPool().query(`SELECT config FROM alert_settings WHERE org_id = $1`, [orgId])).rows
    expect(row.config).toMatchObject({ tokens_per_call_margin: 0.3, min_calls: 12, anomaly_z: 4 })
  })
})
