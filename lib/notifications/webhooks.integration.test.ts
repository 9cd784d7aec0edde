import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Worker } from 'bullmq'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues, QUEUE_NOTIFICATIONS, workerConnection } from '@/lib/queues'
import { env } from '@/lib/env'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { listDeliveries, type TDelivery } from '@/lib/notifications/channels'
import { tryDelivery } from '@/lib/notifications/deliver'
import { verifySignature } from '@/lib/notifications/sign'
import { notificationsProcessor } from '@/workers/processors/notifications'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { POST as postBudget } from '@/app/api/v1/budgets/route'
import { GET as listChannelsRoute, POST as postChannel } from '@/app/api/v1/channels/route'
import { DELETE as deleteChannelRoute, PATCH as patchChannel } from '@/app/api/v1/channels/[id]/route'
import { POST as testChannel } from '@/app/api/v1/channels/[id]/test/route'
import { GET as deliveriesRoute } from '@/app/api/v1/channels/[id]/deliveries/route'
import { GET as getAlerts } from '@/app/api/v1/alerts/route'
import { POST as muteRoute } from '@/app/api/v1/alerts/[id]/mute/route'
import { gpt4oCall } from '@/lib/testing/events'

// Spend pushed over a budget through the ingest API: the alert fires once and
// its notifications go through the real "notifications" queue to local HTTP
// receivers started here: a good one (valid signature, once per alert), one
// that fails every time (retried with exponential backoff, then logged as
// failed with its status codes) and one that fails once then recovers.

type TReceived = { headers: IncomingHttpHeaders; body: string }
let orgId = ''
let ingestKey = ''
let writeKey = ''
let otherKey = ''
const servers: Server[] = []
let worker: Worker | undefined

async function receiver(answer: (n: number) => number): Promise<{ url: string; got: TReceived[] }> {
  const got: TReceived[] = []
  const s = createServer((req, res) => {
    let body = ''
    req.on('data', (c) => (body += c))
    req.on('end', () => {
      got.push({ headers: req.headers, body })
      res.writeHead(answer(got.length)).end('ok')
    })
  })
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  servers.push(s)
  return { url: `http://127.0.0.1:${(s.address() as AddressInfo).port}/hook`, got }
}

// gpt-4o: 100k input + 10k output tokens = $0.35 a call
const call = (id: string, timestamp: string) => gpt4oCall(id, { timestamp })
async function ingest(events: Record<string, unknown>[]) {
  expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
}
const params = (id: string) => ({ params: Promise.resolve({ id }) })

/** Wait (the test's own timeout bounds it) until every delivery of the organization is finished. */
async function settled(): Promise<void> {
  for (;;) {
    const r = await ownerPool().query<{ n: string }>(`SELECT count(*) AS n FROM notification_deliveries WHERE org_id = $1 AND status = 'pending'`, [orgId])
    if (r.rows[0].n === '0') return
    await new Promise((res) => setTimeout(res, 100))
  }
}

let good: Awaited<ReturnType<typeof receiver>>
let failing: Awaited<ReturnType<typeof receiver>>
let flaky: Awaited<ReturnType<typeof receiver>>
const channels: Record<string, { id: string; secret: string }> = {}

beforeAll(async () => {
  await useTestServices('webhooks')
  Object.assign(process.env, { NOTIFICATION_ATTEMPTS: '3', NOTIFICATION_BACKOFF_MS: '300' })
  const a = await createOrgWithAdmin({ org_name: 'Hook Co', email: 'hook@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id) // the tests' own calls of lib functions run for this organization
  const b = await createOrgWithAdmin({ org_name: 'Other Hook Co', email: 'other-hook@example.com', password: 'password-123' })
  orgId = a.org.id
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'write', scopes: ['read', 'write'] })).key
  otherKey = (await createTestApiKey(b.org.id, { name: 'other', scopes: ['read', 'write'] })).key
  good = await receiver(() => 204)
  failing = await receiver(() => 503)
  flaky = await receiver((n) => (n === 1 ? 500 : 200))
  for (const [name, r] of [
    ['good', good],
    ['failing', failing],
    ['flaky', flaky],
  ] as const) {
    const res = await postChannel(apiRequest('/api/v1/channels', { key: writeKey, body: { name, type: 'webhook', url: r.url, is_default: false } }))
    expect(res.status).toBe(201)
    const body = await res.json()
    expect(body.secret).toMatch(/^whsec_/)
    expect(body.channel.secret_hint).toBe(`…${body.secret.slice(-4)}`)
    channels[name] = { id: body.channel.id, secret: body.secret }
  }
  worker = new Worker(QUEUE_NOTIFICATIONS, notificationsProcessor, { connection: workerConnection(), prefix: env().QUEUE_PREFIX, concurrency: 3 })
})
afterAll(async () => {
  await worker?.close()
  for (const s of servers) s.close()
  await closeQueues()
  await closeDb()
})

describe('webhook notifications', () => {
  let budgetId = ''
  it('channels are validated, scoped to their organization, and a budget names only its own', async () => {
    const bad = await postChannel(apiRequest('/api/v1/channels', { key: writeKey, body: { name: '', type: 'webhook', url: 'ftp://x' } }))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual(['name: must not be empty', 'url: must be an http:// or https:// URL'])
    const email = await postChannel(apiRequest('/api/v1/channels', { key: writeKey, body: { name: 'ops', type: 'email' } }))
    expect((await email.json()).error.details.errors).toEqual(['emails: is required for an email channel'])
    expect(
      (
        await patchChannel(
          apiRequest(`/api/v1/channels/${channels.good.id}`, { key: otherKey, method: 'PATCH', body: { name: 'x' } }),
          params(channels.good.id),
        )
      ).status,
    ).toBe(404)
    const list = await (await listChannelsRoute(apiRequest('/api/v1/channels', { key: otherKey }))).json()
    expect(list.channels).toEqual([])

    // a channel id of another organization is refused
    const otherChannel = await (
      await postChannel(apiRequest('/api/v1/channels', { key: otherKey, body: { name: 'theirs', type: 'webhook', url: good.url } }))
    ).json()
    const budget = { name: 'Support daily', workflow_id: 'support', period: 'day', metric: 'spend', amount_usd: '1', thresholds: [50, 100] }
    const refused = await postBudget(apiRequest('/api/v1/budgets', { key: writeKey, body: { ...budget, channel_ids: [otherChannel.channel.id] } }))
    expect(refused.status).toBe(400)
    expect((await refused.json()).error.details.errors).toEqual([`channel_ids: no channel ${otherChannel.channel.id} in this organization`])

    const res = await postBudget(
      apiRequest('/api/v1/budgets', { key: writeKey, body: { ...budget, channel_ids: [channels.good.id, channels.failing.id, channels.flaky.id] } }),
    )
    expect(res.status).toBe(201)
    budgetId = (await res.json()).budget.id
  })

  it('an alert fires once and is delivered once to each of its budget’s channels, signed', async () => {
    await ingest([call('w1', '2026-11-02T09:00:00Z'), call('w2', '2026-11-02T10:00:00Z')]) // $0.70: 50%
    const fired = await evaluateOrgAlerts(orgId, new Date('2026-11-02T12:00:00Z'))
    expect(fired.map((a) => [a.kind, a.threshold, a.budget_id])).toEqual([['budget', 50, budgetId]])
    expect(await evaluateOrgAlerts(orgId, new Date('2026-11-02T12:01:00Z'))).toEqual([])
    await settled()

    expect(good.got).toHaveLength(1)
    const [req] = good.got
    expect(verifySignature(channels.good.secret, req.headers['outlay-signature'] as string, req.body)).toBe(true)
    expect(verifySignature(channels.failing.secret, req.headers['outlay-signature'] as string, req.body)).toBe(false)
    const body = JSON.parse(req.body)
    expect(body).toMatchObject({
      type: 'alert',
      organization: { id: orgId, slug: 'hook-co' },
      alert: { id: fired[0].id, kind: 'budget', threshold: 50, actual_usd: '0.7', amount_usd: '1', budget_name: 'Support daily' },
    })
    expect(req.headers['outlay-delivery']).toBe(body.delivery_id)
    expect(req.headers['content-type']).toBe('application/json')
  })

  it('a failing receiver is retried with exponential backoff and logged with its status codes', async () => {
    const log = async (name: string): Promise<TDelivery[]> =>
      (await (await deliveriesRoute(apiRequest(`/api/v1/channels/${channels[name].id}/deliveries`, { key: writeKey }), params(channels[name].id))).json())
        .deliveries
    const [failed] = await log('failing')
    expect(failed).toMatchObject({ status: 'failed', attempts: 3, last_status_code: 503, last_error: 'HTTP 503' })
    expect(failed.attempt_log.map((t) => [t.attempt, t.ok, t.status_code])).toEqual([
      [1, false, 503],
      [2, false, 503],
      [3, false, 503],
    ])
    expect(failing.got).toHaveLength(3)
    // BullMQ waits at least the backoff before a retry: 300 ms, then 600 ms (lower bounds, never upper).
    const at = failed.attempt_log.map((t) => Date.parse(t.at))
    expect(at[1] - at[0]).toBeGreaterThanOrEqual(300)
    expect(at[2] - at[1]).toBeGreaterThanOrEqual(600)

    const [recovered] = await log('flaky')
    expect(recovered).toMatchObject({ status: 'delivered', attempts: 2, last_status_code: 200, last_error: null })
    expect(recovered.attempt_log.map((t) => t.status_code)).toEqual([500, 200])
    // Every try of the same delivery carries the same delivery id, for receivers to de-duplicate.
    expect(new Set(flaky.got.map((g) => g.headers['outlay-delivery'])).size).toBe(1)
  })

  it('running a finished delivery again sends nothing', async () => {
    const [d] = await listDeliveries(orgId, channels.good.id)
    expect(await tryDelivery(orgId, d.id, 2, 3)).toMatchObject({ outcome: 'skipped' })
    expect(await tryDelivery(orgId, d.id, 1, 3)).toMatchObject({ outcome: 'skipped' })
    expect(good.got).toHaveLength(1)
  })

  it('a muted budget still records its alerts, marked muted, and notifies nobody', async () => {
    const [alert] = (await (await getAlerts(apiRequest('/api/v1/alerts?kind=budget', { key: writeKey }))).json()).alerts
    const m = await muteRoute(apiRequest(`/api/v1/alerts/${alert.id}/mute`, { key: writeKey, body: { duration_hours: 24 } }), params(alert.id))
    expect(m.status).toBe(201)
    expect((await m.json()).mute).toMatchObject({ source_key: `budget:${budgetId}`, label: 'budget Support daily' })
    const invalid = await muteRoute(apiRequest(`/api/v1/alerts/${alert.id}/mute`, { key: writeKey, body: { duration_hours: 0 } }), params(alert.id))
    expect((await invalid.json()).error.details.errors).toEqual(['duration_hours: must be at least 1 hour'])

    await ingest([call('w3', '2026-11-02T12:30:00Z')]) // $1.05: 100%
    const fired = await evaluateOrgAlerts(orgId, new Date('2026-11-02T13:00:00Z'))
    // the same alert, raised to 100% while its source is muted: its 50% deliveries stay, none is made for the rise
    expect(fired.map((a) => [a.id, a.threshold, a.muted])).toEqual([[alert.id, 100, true]])
    const n = await ownerPool().query(`SELECT level, count(*)::int AS n FROM notification_deliveries WHERE org_id = $1 AND alert_id = $2 GROUP BY 1`, [
      orgId,
      fired[0].id,
    ])
    expect(n.rows).toEqual([{ level: 50, n: 3 }])
    const muted = (await (await getAlerts(apiRequest('/api/v1/alerts?state=muted', { key: writeKey }))).json()).alerts
    expect(muted.map((a: { threshold: number; muted: boolean; muted_until: string | null }) => [a.threshold, a.muted, a.muted_until !== null])).toEqual([
      [100, true, true],
    ])
  })

  it('"send test" goes through the same queue, signature and log', async () => {
    const res = await testChannel(apiRequest(`/api/v1/channels/${channels.good.id}/test`, { key: writeKey, method: 'POST' }), params(channels.good.id))
    expect(res.status).toBe(202)
    const { delivery } = await res.json()
    expect(delivery).toMatchObject({ status: 'pending', alert_id: null, subject: 'test' })
    await settled()
    expect(good.got).toHaveLength(2)
    const body = JSON.parse(good.got[1].body)
    expect(body).toMatchObject({ type: 'test', delivery_id: delivery.id, alert: null })
    expect(verifySignature(channels.good.secret, good.got[1].headers['outlay-signature'] as string, good.got[1].body)).toBe(true)
    const [latest] = await listDeliveries(orgId, channels.good.id)
    expect(latest).toMatchObject({ id: delivery.id, status: 'delivered', last_status_code: 204 })

    expect(
      (await testChannel(apiRequest(`/api/v1/channels/${channels.good.id}/test`, { key: otherKey, method: 'POST' }), params(channels.good.id))).status,
    ).toBe(404)
  })

  it('deleting a channel takes it off the budgets that named it', async () => {
    expect(
      (await deleteChannelRoute(apiRequest(`/api/v1/channels/${channels.failing.id}`, { key: writeKey, method: 'DELETE' }), params(channels.failing.id)))
        .status,
    ).toBe(204)
    const r = await ownerPool().query<{ ids: string[] }>(`SELECT channel_ids::text[] AS ids FROM budgets WHERE id = $1`, [budgetId])
    expect(r.rows[0].ids.sort()).toEqual([channels.good.id, channels.flaky.id].sort())
  })
})
