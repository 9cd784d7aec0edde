import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { eventsWithKey } from '@/lib/ingest/http'
import { POST as postTraces } from '@/app/api/v1/otlp/v1/traces/route'
import { GET as getHealth } from '@/app/api/v1/telemetry-health/route'
import { flushGatewayEvents, recordGatewayEvent, UNLABELED } from '@/lib/gateway/recorder'
import { jsExporterPayload } from '@/lib/otlp/fixtures'
import { HEALTH_FIELDS, ZTelemetryHealthAnswer, type TTelemetryHealthAnswer } from '@/lib/telemetry/schema'
import { MISSING_SQL } from '@/lib/telemetry/load'

// Telemetry health through the three ways events arrive — an API key (the
// fast path), an OpenTelemetry exporter's payload (OTLP/JSON), the gateway's
// recorder — stored by the real worker path, then GET /api/v1/telemetry-health
// against SQL over the events.

let orgId = ''
let ingestKey = ''
let ingestKeyId = ''
let readKey = ''
const NOW = Date.now()
const at = (minAgo: number) => new Date(NOW - minAgo * 60_000).toISOString()

async function processPending() {
  for (let i = 0; i < 20; i++) {
    const ids = await pendingBatches(0)
    if (ids.length === 0) return
    for (const id of ids) await processBatch(id)
  }
}

async function postEvents(events: unknown[]) {
  const r = await eventsWithKey(`Bearer ${ingestKey}`, 'application/json', new TextEncoder().encode(JSON.stringify({ events })))
  return r
}

async function health(q = ''): Promise<{ status: number; body: unknown }> {
  const res = await getHealth(new Request(`http://x/api/v1/telemetry-health${q}`, { headers: { authorization: `Bearer ${readKey}` } }))
  return { status: res.status, body: await res.json() }
}

beforeAll(async () => {
  await useTestServices('telemetry')
  const a = await createOrgWithAdmin({ org_name: 'Health Co', email: 'health@example.com', password: 'password-123' })
  orgId = a.org.id
  setTestDefaultOrg(orgId)
  const k = await createTestApiKey(orgId, { name: 'backend', scopes: ['ingest'] })
  ingestKey = k.key
  ingestKeyId = k.api_key.id
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key

  const base = { provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1000, tokens_out: 100 }
  const r = await postEvents([
    { id: 'k1', timestamp: at(30), workflow_id: 'support', step: 'draft', outcome: 'success', account_id: 'acme', scenario_id: 's1', owner: 'ana', ...base },
    { id: 'k2', timestamp: at(29), workflow_id: 'support', step: 'draft', ...base }, // no outcome, account, scenario, owner
    { id: 'k3', timestamp: at(28), workflow_id: 'search', step: 'embed', outcome: 'success', account_id: 'acme', ...base, tokens_in: 5000 },
  ])
  expect(r.status).toBe(202)
  // an OpenTelemetry exporter's payload (service support-api, no outlay.step), and a span with no service.name
  const payload = jsExporterPayload(NOW - 20 * 60_000)
  const res = await postTraces(
    new Request('http://x/api/v1/otlp/v1/traces', {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(payload),
    }),
  )
  expect(res.status).toBe(200)
  const anonymous = jsExporterPayload(NOW - 19 * 60_000)
  anonymous.resourceSpans[0].resource.attributes = anonymous.resourceSpans[0].resource.attributes.filter((x) => x.key !== 'service.name')
  for (const ss of anonymous.resourceSpans[0].scopeSpans)
    for (const s of ss.spans) {
      s.spanId = `${s.spanId.slice(0, 15)}9`
      s.attributes = s.attributes.filter((x) => x.key !== 'outlay.workflow_id' && x.key !== 'outlay.step')
    }
  const res2 = await postTraces(
    new Request('http://x/api/v1/otlp/v1/traces', {
      method: 'POST',
      headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
      body: JSON.stringify(anonymous),
    }),
  )
  expect(res2.status).toBe(200)
  // the gateway: one labelled call, one without headers
  const gw = { timestamp: at(10), provider: 'openai', model: 'gpt-4o-mini', tokens_in: 2000, tokens_out: 50, outcome: 'success' }
  recordGatewayEvent(orgId, { id: 'g1', workflow_id: 'support', step: 'triage', account_id: 'acme', ...gw })
  recordGatewayEvent(orgId, { id: 'g2', workflow_id: UNLABELED, step: UNLABELED, ...gw })
  await flushGatewayEvents()
  await processPending()
})

afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('GET /api/v1/telemetry-health', () => {
  it('records each event’s source and the attribution Outlay filled in', async () => {
    const r = await ownerPool().query<{ event_id: string; source: string; defaulted: string[] | null }>(
      'SELECT event_id, source, defaulted FROM inference_events WHERE org_id = $1 ORDER BY event_id',
      [orgId],
    )
    const by = new Map(r.rows.map((x) => [x.event_id, x]))
    expect(by.get('k1')).toMatchObject({ source: `key:${ingestKeyId}`, defaulted: null })
    expect(by.get('k2')).toMatchObject({ source: `key:${ingestKeyId}`, defaulted: ['outcome'] })
    expect(by.get('g1')).toMatchObject({ source: 'gateway', defaulted: null })
    expect(by.get('g2')).toMatchObject({ source: 'gateway', defaulted: ['workflow_id', 'step'] })
    const otel = r.rows.filter((x) => x.source.startsWith('otel:'))
    expect(new Set(otel.map((x) => x.source))).toEqual(new Set(['otel:support-api', 'otel:unknown']))
    expect(otel.filter((x) => x.source === 'otel:unknown').every((x) => x.defaulted?.includes('workflow_id') && x.defaulted.includes('step'))).toBe(true)
    expect(otel.filter((x) => x.source === 'otel:support-api').every((x) => !x.defaulted?.includes('workflow_id'))).toBe(true)
  })

  it('answers per source the calls and spend lacking each field, equal to SQL over the events', async () => {
    const { status, body } = await health(`?from=${at(120)}&to=${at(-1)}`)
    expect(status).toBe(200)
    const a: TTelemetryHealthAnswer = ZTelemetryHealthAnswer.parse(body)
    for (const s of a.sources) {
      for (const f of HEALTH_FIELDS) {
        const [x] = (
          await ownerPool().query<{ calls: number; cost: string; all_calls: number }>(
            `SELECT (count(*) FILTER (WHERE ${MISSING_SQL[f]}))::int AS calls, round(coalesce(sum(cost_usd) FILTER (WHERE ${MISSING_SQL[f]}), 0), 6)::text AS cost,
               count(*)::int AS all_calls
             FROM inference_events WHERE org_id = $1 AND source IS NOT DISTINCT FROM $2`,
            [orgId, s.source],
          )
        ).rows
        expect([s.source, f, s.missing[f].calls, s.missing[f].cost_usd]).toEqual([s.source, f, x.calls, x.cost])
        expect(s.calls).toBe(x.all_calls)
      }
    }
    const key = a.sources.find((s) => s.kind === 'api_key')!
    expect(key.label).toMatch(/^API key backend \(/)
    expect(key.missing.outcome).toMatchObject({ calls: 1, share_of_calls: 0.3333 })
    expect(key.routes.map((r) => [r.workflow_id, r.step, r.lacks])).toEqual(
      expect.arrayContaining([['support', 'draft', ['account_id', 'outcome', 'scenario_id', 'owner']]]),
    )
    expect(a.sources.find((s) => s.source === 'otel:unknown')!.missing.workflow_id.share_of_calls).toBe(1)
    const g2 = await ownerPool().query<{ cost: string }>(
      `SELECT round(cost_usd, 6)::text AS cost FROM inference_events WHERE org_id = $1 AND event_id = 'g2'`,
      [orgId],
    )
    expect(a.unlabeled_gateway).toEqual({ calls: 1, cost_usd: g2.rows[0].cost })
    // most spend first
    const costs = a.sources.map((s) => Number(s.cost_usd))
    expect(costs).toEqual([...costs].sort((x, y) => y - x))
    expect(a.calls).toBe(a.sources.reduce((n, s) => n + s.calls, 0))
  })

  it('refuses a range over 31 days and a client that names its own source, by field', async () => {
    const { status, body } = await health(`?from=2026-01-01&to=2026-03-01`)
    expect(status).toBe(400)
    expect(JSON.stringify(body)).toContain('from')
    expect(JSON.stringify(body)).toContain('at most 31 days')
    const r = await postEvents([{ id: 'bad', workflow_id: 'w', step: 's', source: 'gateway' }])
    expect(r.status).toBe(202)
    expect(JSON.stringify(r.body)).toContain('source')
  })
})
