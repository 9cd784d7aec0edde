import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { PUT as putSlos } from '@/app/api/v1/feature-slos/route'
import { GET as getAlerts } from '@/app/api/v1/alerts/route'
import { PUT as putSettings } from '@/app/api/v1/alerts/settings/route'

// The detectors the seeds ask for beside the first four (issue 19): output tokens per
// call, calls per run, a step's prompt-cache hit rate, a feature's cost SLO. Data goes
// through the ingest API and the worker's batch processing (so the rollups hold it);
// the clock is injected: 2026-11-20 12:30 UTC, the last complete hour 11:00.
//
//   support/draft  baseline 12 calls × 300 output tokens (2–20 days back); today 11:00, 10 × 900
//   agent          baseline 12 runs × 3 calls; today 11:00, 10 runs × 8 calls (run_id set)
//   kb/answer      baseline 12 calls, 6,000 of 10,000 input tokens cached; today 10 calls, 1,000 cached
//   search         feature with a cost SLO of $0.0001 per action; 10 runs today at gpt-4o prices

const NOW = new Date('2026-11-20T12:30:00Z')
let orgId = ''
let ingestKey = ''
let writeKey = ''

const at = (daysBack: number, hour: number, minute = 0, second = 0) => new Date(Date.UTC(2026, 10, 20 - daysBack, hour, minute, second)).toISOString()
const BASE_DAYS = [2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 18, 20]
const ev = (id: string, timestamp: string, extra: Record<string, unknown>) => ({
  id,
  timestamp,
  provider: 'openai',
  model: 'gpt-4o',
  tokens_in: 1000,
  tokens_out: 100,
  ...extra,
})

async function drain() {
  for (const id of await pendingBatches(0)) await processBatch(id)
}

beforeAll(async () => {
  await useTestServices('seeddrift')
  orgId = (await createOrgWithAdmin({ org_name: 'Seed Drift Co', email: 'seed-drift@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['read', 'write'] })).key
  const draft = { workflow_id: 'support', step: 'draft' }
  const kb = { workflow_id: 'kb', step: 'answer' }
  const events = [
    ...BASE_DAYS.map((d, i) => ev(`draft-b${i}`, at(d, 3), { ...draft, tokens_out: 300 })),
    ...Array.from({ length: 10 }, (_, i) => ev(`draft-r${i}`, at(0, 11, i), { ...draft, tokens_out: 900 })),
    ...BASE_DAYS.flatMap((d, i) => [0, 1, 2].map((k) => ev(`agent-b${i}-${k}`, at(d, 4, k), { workflow_id: 'agent', step: 'turn', run_id: `rb-${i}` }))),
    ...Array.from({ length: 10 }, (_, i) =>
      Array.from({ length: 8 }, (_, k) => ev(`agent-r${i}-${k}`, at(0, 11, i, k), { workflow_id: 'agent', step: 'turn', run_id: `rr-${i}` })),
    ).flat(),
    ...BASE_DAYS.map((d, i) => ev(`kb-b${i}`, at(d, 5), { ...kb, tokens_in: 10_000, cached_tokens_in: 6000 })),
    ...Array.from({ length: 10 }, (_, i) => ev(`kb-r${i}`, at(0, 11, 20 + i), { ...kb, tokens_in: 10_000, cached_tokens_in: 1000 })),
    ...Array.from({ length: 10 }, (_, i) => ev(`search-${i}`, at(1, 9, i), { workflow_id: 'search', step: 'rank', feature: 'search', run_id: `rs-${i}` })),
  ]
  const r = await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))
  expect(r.status).toBe(202)
  expect((await r.json()).rejected).toEqual([])
  await drain()
  const slo = await putSlos(
    apiRequest('/api/v1/feature-slos', { method: 'PUT', key: writeKey, body: { slos: [{ feature: 'search', target_usd_per_action: '0.0001' }] } }),
  )
  expect(slo.status).toBeLessThan(300)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('the seeds’ drift alerts on the rollups', () => {
  it('each fires once for its subject, with its numbers, and the list links it', async () => {
    const fired = await evaluateOrgAlerts(orgId, NOW)
    const byKind = Object.fromEntries(fired.map((a) => [a.kind, a]))
    expect(fired.map((a) => a.kind).sort()).toEqual(['cache_hit_rate_drop', 'calls_per_run_growth', 'feature_slo_breach', 'output_tokens_per_call_growth'])

    expect(byKind.output_tokens_per_call_growth).toMatchObject({
      subject: 'support/draft',
      title: 'support / draft: output tokens per call ×3.0 (300 → 900)',
    })
    expect(byKind.output_tokens_per_call_growth.details).toMatchObject({ recent: { calls: 10, tokens_out: 9000 }, baseline: { calls: 12, tokens_out: 3600 } })
    expect(byKind.calls_per_run_growth).toMatchObject({ subject: 'agent' })
    expect(byKind.calls_per_run_growth.details).toMatchObject({
      recent: { runs: 10, calls: 80 },
      baseline: { runs: 12, calls: 36 },
      recent_calls_per_run: 8,
      baseline_calls_per_run: 3,
    })
    expect(byKind.cache_hit_rate_drop).toMatchObject({ subject: 'kb/answer' })
    expect(byKind.cache_hit_rate_drop.details).toMatchObject({ recent_cache_hit_rate: 0.1, baseline_cache_hit_rate: 0.6 })
    // gpt-4o at the catalog price: every search run costs more than $0.0001
    expect(byKind.feature_slo_breach).toMatchObject({ subject: 'search', amount_usd: '0.0001' })
    expect(byKind.feature_slo_breach.details).toMatchObject({ runs: 10 })

    // Once per period: the same hour and a later one in the same week add nothing.
    expect(await evaluateOrgAlerts(orgId, new Date('2026-11-20T12:59:00Z'))).toEqual([])
    expect(await evaluateOrgAlerts(orgId, new Date('2026-11-20T13:30:00Z'))).toEqual([])

    const list = await getAlerts(apiRequest('/api/v1/alerts?kind=calls_per_run_growth,feature_slo_breach', { key: writeKey }))
    expect(list.status).toBe(200)
    expect(((await list.json()) as { alerts: { kind: string }[] }).alerts.map((a) => a.kind).sort()).toEqual(['calls_per_run_growth', 'feature_slo_breach'])
  })

  it('the organization’s settings decide: at a 200% calls-per-run margin and a 95% cache drop those two recover', async () => {
    const put = await putSettings(
      apiRequest('/api/v1/alerts/settings', { method: 'PUT', key: writeKey, body: { calls_per_run_margin: 2, cache_hit_rate_drop: 0.95 } }),
    )
    expect(put.status).toBe(200)
    const bad = await putSettings(apiRequest('/api/v1/alerts/settings', { method: 'PUT', key: writeKey, body: { cache_hit_rate_drop: 0, min_runs: 1.5 } }))
    expect(bad.status).toBe(400)
    const msg = JSON.stringify(await bad.json())
    expect(msg).toContain('cache_hit_rate_drop')
    expect(msg).toContain('min_runs')
    // Later the same week the data still holds: under the new settings those two recover, the other two stay open.
    expect(await evaluateOrgAlerts(orgId, new Date('2026-11-20T14:30:00Z'))).toEqual([])
    const list = await getAlerts(apiRequest('/api/v1/alerts', { key: writeKey }))
    const alerts = ((await list.json()) as { alerts: { kind: string; resolved_at: string | null }[] }).alerts
    const resolved = Object.fromEntries(alerts.map((a) => [a.kind, a.resolved_at !== null]))
    expect(resolved).toEqual({ calls_per_run_growth: true, cache_hit_rate_drop: true, output_tokens_per_call_growth: false, feature_slo_breach: false })
  })
})
