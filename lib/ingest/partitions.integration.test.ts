import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Worker } from 'bullmq'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { asOrg, closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues, QUEUE_INGEST, workerConnection } from '@/lib/queues'
import { createOrgWithAdmin, orgSettings, setOrgSettings } from '@/lib/orgs'
import { ZOrgSettingsPatch } from '@/lib/orgs/schema'
import { processBatch } from '@/lib/ingest/process'
import { applyRawEventRetention, ensureEventPartitions } from '@/lib/ingest/retention'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { ingestProcessor } from '@/workers/processors/ingest'
import { POST as postEvents } from '@/app/api/v1/events/route'

// inference_events partitioned by month (prisma/migrations/20261210500100_partition_inference_events): partitions
// made ahead of time, exactly once across partitions (inference_event_ids) through the ingest API, and the
// per-organization raw-event retention (lib/ingest/retention.ts) — on the real PostgreSQL and Redis.

const DAY = 86_400_000
const NOW = new Date()
const daysAgo = (d: number) => new Date(NOW.getTime() - d * DAY).toISOString()
const monthOf = (d: Date) => `inference_events_${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, '0')}`
const monthsFromNow = (n: number) => new Date(Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth() + n, 1))

type TOrg = { id: string; key: string }
let prefix = ''
let A: TOrg
let B: TOrg
let worker: Worker | null = null

const event = (id: string, timestamp: string) => ({
  id,
  timestamp,
  workflow_id: 'wf',
  step: 'generate',
  provider: 'openai',
  model: 'gpt-4o-mini',
  tokens_in: 1000,
  tokens_out: 100,
})
async function post(org: TOrg, events: unknown[]) {
  const res = await postEvents(apiRequest('/api/v1/events', { key: org.key, body: { events } }))
  expect(res.status).toBe(202)
  return (await res.json()) as { accepted: number; duplicates: number; rejected: { index: number; errors: string[] }[] }
}
async function waitProcessed(timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const r = await ownerPool().query<{ n: string }>('SELECT count(*)::text AS n FROM ingest_batches WHERE processed_at IS NULL')
    if (r.rows[0].n === '0') return
    if (Date.now() > until) throw new Error(`${r.rows[0].n} batches still pending`)
    await new Promise((res) => setTimeout(res, 100))
  }
}
const exists = async (table: string) => (await ownerPool().query<{ t: string | null }>('SELECT to_regclass($1)::text AS t', [table])).rows[0].t !== null
const stored = async (org: TOrg) =>
  (
    await ownerPool().query<{ event_id: string; part: string }>(
      'SELECT event_id, tableoid::regclass::text AS part FROM inference_events WHERE org_id = $1 ORDER BY event_id',
      [org.id],
    )
  ).rows
const ids = async (org: TOrg) =>
  (await ownerPool().query<{ event_id: string }>('SELECT event_id FROM inference_event_ids WHERE org_id = $1 ORDER BY event_id', [org.id])).rows.map(
    (r) => r.event_id,
  )
// the rollups' answer over everything: what retention must never change
const totals = async (org: TOrg) => {
  const [row] = (await asOrg(org.id, () => queryMetrics(org.id, ZMetricsQuery.parse({ from: '2000-01-01' })))).rows
  return { events: row?.events, cost_usd: row?.cost_usd, tokens_in: row?.tokens_in }
}
const setRetention = (org: TOrg, days: number | null) =>
  ownerPool().query('UPDATE organizations SET raw_event_retention_days = $2 WHERE id = $1', [org.id, days])

async function makeOrg(name: string): Promise<TOrg> {
  const id = (await createOrgWithAdmin({ org_name: name, email: `${name.toLowerCase().replace(/ /g, '-')}@example.com`, password: 'password-123' })).org.id
  return { id, key: (await createTestApiKey(id, { name: 'i', scopes: ['ingest'] })).key }
}

beforeAll(async () => {
  ;({ prefix } = await useTestServices('partitions'))
  A = await makeOrg('Part A')
  B = await makeOrg('Part B')
  setTestDefaultOrg(A.id)
  worker = new Worker(QUEUE_INGEST, ingestProcessor, { connection: workerConnection(), prefix, concurrency: 4 })
})
afterAll(async () => {
  await worker?.close()
  await closeQueues()
  await closeDb()
})

describe('inference_events partitions', () => {
  it('exist for this month and the next two ahead of time, are recreated when missing, and each event lands in its month', async () => {
    for (const n of [0, 1, 2]) expect(await exists(monthOf(monthsFromNow(n))), monthOf(monthsFromNow(n))).toBe(true)
    expect(await ensureEventPartitions()).toEqual([]) // idempotent
    const ahead = monthOf(monthsFromNow(2))
    await ownerPool().query(`DROP TABLE ${ahead}`)
    expect(await ensureEventPartitions()).toEqual([ahead])
    // protected like its parent (lib/tenancy.integration.test.ts checks every table with an org_id)
    const sec = await ownerPool().query('SELECT relrowsecurity AS on, relforcerowsecurity AS forced FROM pg_class WHERE relname = $1', [ahead])
    expect(sec.rows[0]).toEqual({ on: true, forced: true })

    expect(await post(A, [event('m-now', daysAgo(0)), event('m-40', daysAgo(40)), event('m-200', daysAgo(200))])).toMatchObject({ accepted: 3 })
    await waitProcessed()
    expect(await stored(A)).toEqual([
      { event_id: 'm-200', part: monthOf(new Date(daysAgo(200))) },
      { event_id: 'm-40', part: monthOf(new Date(daysAgo(40))) },
      { event_id: 'm-now', part: monthOf(NOW) },
    ])
  })

  it('counts an id once across partitions: a replay with another timestamp, and two batches with it processed at once', async () => {
    expect(await post(A, [event('d1', daysAgo(0))])).toMatchObject({ accepted: 1, duplicates: 0 })
    await waitProcessed()
    // the ingest API's probe: the id is stored (in another month's partition than the replay's timestamp)
    expect(await post(A, [event('d1', daysAgo(60))])).toMatchObject({ accepted: 0, duplicates: 1 })

    // both accepted before either is counted: the worker's claim on inference_event_ids decides
    await worker!.pause()
    const before = await totals(A)
    expect(await post(A, [event('d2', daysAgo(0)), event('d3', daysAgo(1))])).toMatchObject({ accepted: 2 })
    expect(await post(A, [event('d2', daysAgo(60)), event('d3', daysAgo(90))])).toMatchObject({ accepted: 2 })
    const waiting = await ownerPool().query<{ id: string }>('SELECT id::text FROM ingest_batches WHERE processed_at IS NULL AND org_id = $1 ORDER BY id', [
      A.id,
    ])
    expect(waiting.rows).toHaveLength(2)
    // each batch in its own transaction, at once (a job of each), then the group commit of the queue's jobs
    await Promise.all(waiting.rows.map((b) => processBatch(b.id, A.id)))
    worker!.resume()
    await waitProcessed()
    const rows = (await stored(A)).filter((r) => r.event_id === 'd2' || r.event_id === 'd3')
    // once each, in the month of whichever copy was claimed first
    expect(rows.map((x) => x.event_id)).toEqual(['d2', 'd3'])
    expect([monthOf(NOW), monthOf(new Date(daysAgo(60)))]).toContain(rows[0].part)
    const after = await totals(A)
    expect(after.events).toBe((before.events ?? 0) + 2)
    // a replay of both, any timestamp: duplicates
    expect(await post(A, [event('d2', daysAgo(5)), event('d3', daysAgo(1))])).toMatchObject({ accepted: 0, duplicates: 2 })
    // another organization may use the same ids
    expect(await post(B, [event('d1', daysAgo(0)), event('d2', daysAgo(0))])).toMatchObject({ accepted: 2, duplicates: 0 })
    await waitProcessed()
    expect((await stored(B)).map((r) => r.event_id)).toEqual(['d1', 'd2'])
  })

  it("retention: deletes an organization's expired events, drops partitions past every organization's retention, keeps rollups and other organizations' events", async () => {
    for (const org of [A, B])
      expect(await post(org, [event('r-100', daysAgo(100)), event('r-35', daysAgo(35)), event('r-20', daysAgo(20)), event('r-0', daysAgo(0))])).toMatchObject({
        accepted: 4,
      })
    await waitProcessed()
    const totalsA = await totals(A)
    const totalsB = await totals(B)
    const old = monthOf(new Date(daysAgo(100)))

    // A's events inside 30 days (d2 and d3 were stored with whichever of their copies was claimed first: 0–1 or 60–90 days ago)
    const recentA = (
      await ownerPool().query<{ event_id: string }>('SELECT event_id FROM inference_events WHERE org_id = $1 AND "timestamp" >= $2 ORDER BY event_id', [
        A.id,
        daysAgo(30),
      ])
    ).rows.map((x) => x.event_id)
    expect(recentA).toEqual(expect.arrayContaining(['r-20', 'r-0', 'd1', 'm-now']))

    // A keeps 30 days, B everything: no partition may go, A's old rows are deleted
    await setRetention(A, 30)
    let r = await applyRawEventRetention()
    expect(r.dropped_partitions).toEqual([])
    const keptA = (await stored(A)).map((x) => x.event_id)
    expect(keptA).toEqual(recentA)
    expect(keptA).not.toContain('r-100')
    expect(keptA).not.toContain('r-35')
    expect(keptA).not.toContain('m-200')
    expect(await ids(A)).toEqual(keptA.slice().sort()) // each deleted event's id with it
    expect((await stored(B)).map((x) => x.event_id)).toEqual(['d1', 'd2', 'r-0', 'r-100', 'r-20', 'r-35'])
    expect(await exists(old)).toBe(true)
    expect(await totals(A)).toEqual(totalsA) // rollups kept

    // the ingest API refuses events older than the retention (a replay of a deleted one too), a kept one is a duplicate
    const a = await post(A, [event('r-35', daysAgo(35)), event('new-40', daysAgo(40)), event('r-20', daysAgo(20))])
    expect(a).toEqual({
      accepted: 0,
      duplicates: 1,
      rejected: [
        { index: 0, errors: ["timestamp: is older than the organization's raw-event retention (30 days)"] },
        { index: 1, errors: ["timestamp: is older than the organization's raw-event retention (30 days)"] },
      ],
    })

    // B keeps 30 days too: the month of 100 days ago is past everyone's retention and goes whole, its ids with it
    await setRetention(B, 30)
    const idsB = await ids(B)
    r = await applyRawEventRetention()
    expect(r.dropped_partitions).toContain(old)
    expect(r.forgotten_ids).toBeGreaterThanOrEqual(1) // B's r-100 (A's was deleted already)
    expect(await exists(old)).toBe(false)
    expect((await stored(B)).map((x) => x.event_id)).toEqual(['d1', 'd2', 'r-0', 'r-20'])
    expect(await ids(B)).toEqual(idsB.filter((x) => x !== 'r-100' && x !== 'r-35'))
    expect(await totals(B)).toEqual(totalsB)
    expect(await totals(A)).toEqual(totalsA)
    // not made again: no organization keeps that month
    expect(await ensureEventPartitions()).toEqual([])
    expect(await exists(old)).toBe(false)

    // a longer retention makes the months it reaches back to again (empty), for the events it lets in
    await setRetention(B, null)
    expect(await ensureEventPartitions()).toContain(old)
  })

  it('the retention is an organization setting (PATCH /api/v1/organization): validated, audited', async () => {
    for (const bad of [
      {},
      { raw_event_retention_days: 0 },
      { raw_event_retention_days: 401 },
      { raw_event_retention_days: 1.5 },
      { raw_event_retention_days: '30' },
    ])
      expect(ZOrgSettingsPatch.safeParse(bad).success, JSON.stringify(bad)).toBe(false)
    const set = (patch: unknown) => asOrg(B.id, () => setOrgSettings(B.id, ZOrgSettingsPatch.parse(patch)))
    expect(await set({ raw_event_retention_days: 45 })).toMatchObject({ time_zone: 'UTC', raw_event_retention_days: 45 })
    expect(await set({ time_zone: 'Europe/Paris' })).toMatchObject({ time_zone: 'Europe/Paris', raw_event_retention_days: 45 })
    expect(await set({ raw_event_retention_days: null })).toMatchObject({ time_zone: 'Europe/Paris', raw_event_retention_days: null })
    expect(await asOrg(B.id, () => orgSettings(B.id))).toMatchObject({ raw_event_retention_days: null })
    const audit = await ownerPool().query<{ action: string; before: unknown; after: unknown }>(
      'SELECT action, before, after FROM audit_log WHERE org_id = $1 ORDER BY seq',
      [B.id],
    )
    expect(audit.rows.filter((r) => r.action.startsWith('organization.'))).toEqual([
      { action: 'organization.raw_event_retention_days', before: { raw_event_retention_days: null }, after: { raw_event_retention_days: 45 } },
      { action: 'organization.time_zone', before: { time_zone: 'UTC' }, after: { time_zone: 'Europe/Paris' } },
      { action: 'organization.raw_event_retention_days', before: { raw_event_retention_days: 45 }, after: { raw_event_retention_days: null } },
    ])
  })
})
