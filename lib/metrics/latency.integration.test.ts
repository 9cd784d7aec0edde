import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as getMetrics } from '@/app/api/v1/metrics/route'
import { bucketBounds, latencyBucket } from '@/lib/metrics/latency'

// Latency quantiles come from histograms kept in the hourly rollups: the
// worker's histograms equal the raw events counted by the SQL bucket rule,
// merge across batches, the migration's backfill rebuilds the same, and the
// metrics API's p50/p95 land in the bucket of the exact quantile.

let ingestKey = ''
let readKey = ''
let orgId = ''
const HOUR = '2026-11-02T10:'

const req = (path: string, key: string, body?: string) => apiRequest(path, { key, body })

/** Deterministic, long-tailed latencies per step. */
function latencies(n: number, base: number): number[] {
  const out: number[] = []
  let x = 7
  for (let i = 0; i < n; i++) {
    x = (x * 48271) % 2147483647
    const u = x / 2147483647
    out.push(Math.round(base * (0.5 + u) * (u > 0.93 ? 6 : 1) * 10) / 10)
  }
  return out
}

beforeAll(async () => {
  await useTestServices('latency')
  const a = await createOrgWithAdmin({ org_name: 'Latency Co', email: 'lat@example.com', password: 'password-123' })
  setTestDefaultOrg(a.org.id) // the tests' own calls of lib functions run for this organization
  orgId = a.org.id
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  const steps = { retrieve: latencies(300, 120), draft: latencies(300, 2400) }
  // three batches per step, so the rollup rows' histograms are merged by the upsert
  for (const [step, xs] of Object.entries(steps)) {
    for (let b = 0; b < 3; b++) {
      const events = xs.slice(b * 100, (b + 1) * 100).map((ms, i) => ({
        id: `${step}-${b}-${i}`,
        timestamp: `${HOUR}${String(i % 60).padStart(2, '0')}:00Z`,
        workflow_id: 'support',
        step,
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens_in: 100,
        tokens_out: 10,
        latency_ms: ms,
      }))
      events.push({
        id: `${step}-${b}-nolatency`,
        timestamp: `${HOUR}30:00Z`,
        workflow_id: 'support',
        step,
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens_in: 1,
        tokens_out: 1,
      } as (typeof events)[number])
      const res = await postEvents(req('/api/v1/events', ingestKey, JSON.stringify({ events })))
      expect(res.status).toBe(202)
    }
  }
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

const fromEvents = `
  SELECT step, outlay_hist_sum(array_fill(0, ARRAY[k]) || n)::int4[] AS hist FROM (
    SELECT step, outlay_latency_bucket(latency_ms) AS k, count(*)::int AS n FROM inference_events
    WHERE org_id = $1 AND latency_ms IS NOT NULL GROUP BY 1, 2) c GROUP BY step ORDER BY step`
const fromRollups = `SELECT step, latency_hist AS hist FROM rollups_hourly WHERE org_id = $1 ORDER BY step`

describe('latency histograms in the rollups', () => {
  it('count every call with a latency once, in the bucket the SQL rule gives, merged across batches', async () => {
    const expected = (await ownerPool().query(fromEvents, [orgId])).rows
    const stored = (await ownerPool().query(fromRollups, [orgId])).rows
    expect(stored).toEqual(expected)
    expect(stored.map((r) => r.hist.reduce((s: number, c: number) => s + c, 0))).toEqual([300, 300])
  })

  it('JS and SQL agree on the bucket of every latency', async () => {
    const { rows } = await ownerPool().query(
      `SELECT latency_ms, outlay_latency_bucket(latency_ms) AS k FROM inference_events WHERE org_id = $1 AND latency_ms IS NOT NULL`,
      [orgId],
    )
    for (const r of rows) expect(r.k, `${r.latency_ms} ms`).toBe(latencyBucket(r.latency_ms))
  })

  it('the migration backfill rebuilds the same histograms from raw events', async () => {
    const sql = await readFile('prisma/migrations/20261125210000_latency_histograms/migration.sql', 'utf8')
    const backfill = sql.slice(sql.indexOf('WITH counts AS'))
    await ownerPool().query(`UPDATE rollups_hourly SET latency_hist = '{}' WHERE org_id = $1`, [orgId])
    await ownerPool().query(backfill)
    expect((await ownerPool().query(fromRollups, [orgId])).rows).toEqual((await ownerPool().query(fromEvents, [orgId])).rows)
  })
})

describe('GET /api/v1/metrics?latency_quantiles=true', () => {
  it('gives p50/p95/p99 per group inside the bucket of the exact quantile', async () => {
    const res = await getMetrics(req('/api/v1/metrics?from=2026-11-01&to=2026-11-03&group_by=step&latency_quantiles=true', readKey))
    expect(res.status).toBe(200)
    const { rows } = await res.json()
    expect(rows).toHaveLength(2)
    const exact = (
      await ownerPool().query(
        `SELECT step, percentile_disc(0.5) WITHIN GROUP (ORDER BY latency_ms) AS p50, percentile_disc(0.95) WITHIN GROUP (ORDER BY latency_ms) AS p95,
              percentile_disc(0.99) WITHIN GROUP (ORDER BY latency_ms) AS p99
       FROM inference_events WHERE org_id = $1 AND latency_ms IS NOT NULL GROUP BY step`,
        [orgId],
      )
    ).rows
    for (const e of exact) {
      const row = rows.find((r: { step: string }) => r.step === e.step)
      for (const q of ['p50', 'p95', 'p99'] as const) {
        const [lo, hi] = bucketBounds(latencyBucket(e[q]))
        const got = row[`latency_${q}_ms`]
        expect(got, `${e.step} ${q}: exact ${e[q]}`).toBeGreaterThanOrEqual(Math.floor(lo))
        expect(got).toBeLessThanOrEqual(Math.ceil(hi))
      }
    }
    expect(rows.find((r: { step: string }) => r.step === 'draft').latency_p95_ms).toBeGreaterThan(
      rows.find((r: { step: string }) => r.step === 'retrieve').latency_p95_ms,
    )
  })

  it('leaves the quantiles out unless asked, and names a bad value', async () => {
    const { rows } = await (await getMetrics(req('/api/v1/metrics?from=2026-11-01&to=2026-11-03', readKey))).json()
    expect(rows[0]).not.toHaveProperty('latency_p50_ms')
    const bad = await getMetrics(req('/api/v1/metrics?latency_quantiles=yes', readKey))
    expect(bad.status).toBe(400)
    expect(JSON.stringify(await bad.json())).toContain('latency_quantiles: must be true or false')
  })
})
