import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Job, Worker } from 'bullmq'
import { useTestServices, flushPrefix, ownerPool } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues, QUEUE_INGEST, workerConnection } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents } from '@/lib/ingest/accept'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { ingestProcessor } from '@/workers/processors/ingest'
import { reconcileOnce } from '@/workers/reconciler'

// ingest API logic → PostgreSQL batch → BullMQ → worker → events + rollups, on the real services.

let prefix = ''
let orgId = ''
let worker: Worker | null = null
const NOW = new Date()
const ts = (minAgo: number) => new Date(NOW.getTime() - minAgo * 60_000).toISOString()

function startWorker() {
  worker = new Worker(QUEUE_INGEST, ingestProcessor, { connection: workerConnection(), prefix, concurrency: 4 })
}
async function stopWorker() {
  await worker?.close()
  worker = null
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
const metrics = (q: Record<string, string> = {}) => queryMetrics(orgId, ZMetricsQuery.parse({ from: '2000-01-01', ...q }))

beforeAll(async () => {
  ;({ prefix } = await useTestServices('ingest'))
  orgId = (await createOrgWithAdmin({ org_name: 'Ingest Co', email: 'ingest@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  startWorker()
})
afterAll(async () => {
  await stopWorker()
  await closeQueues()
  await closeDb()
})

describe('ingest pipeline', () => {
  it('keeps the valid events of a batch, rejects the others field by field, and prices them exactly', async () => {
    const answer = await acceptEvents(
      { orgId },
      {
        events: [
          // gpt-4o: (1000 − 200)·2.50 + 200·1.25 + 100·10.00 = 2000 + 250 + 1000 = 3250 µ$
          {
            id: 'p1',
            timestamp: ts(5),
            workflow_id: 'support-agent',
            step: 'generate',
            provider: 'openai',
            model: 'gpt-4o',
            tokens_in: 1000,
            cached_tokens_in: 200,
            tokens_out: 100,
          },
          {
            id: 'p2',
            timestamp: ts(5),
            workflow_id: 'support-agent',
            step: 'generate',
            provider: 'openai',
            model: 'gpt-4o',
            tokens_in: 10,
            cached_tokens_in: 20,
          },
          // claude-haiku-4-5: (3000 − 1000 − 500)·1.00 + 1000·0.10 + 500·1.25 + 200·5.00 = 1500 + 100 + 625 + 1000 = 3225 µ$
          {
            id: 'p3',
            timestamp: ts(5),
            workflow_id: 'support-agent',
            step: 'classify',
            provider: 'anthropic',
            model: 'claude-haiku-4-5',
            tokens_in: 3000,
            cached_tokens_in: 1000,
            cache_write_tokens: 500,
            tokens_out: 200,
            environment: 'staging',
          },
          {
            id: 'p4',
            timestamp: ts(5),
            workflow_id: 'support-agent',
            step: 'classify',
            provider: 'acme',
            model: 'no-such-model',
            tokens_in: 50,
            traffic_source: 'eval',
          },
          { id: 'p1', timestamp: ts(5), workflow_id: 'support-agent', step: 'generate', provider: 'openai', model: 'gpt-4o', tokens_in: 1 },
        ],
      },
    )
    expect(answer).toEqual({ accepted: 3, duplicates: 1, rejected: [{ index: 1, errors: ['cached_tokens_in: must be ≤ tokens_in (10)'] }] })
    await waitProcessed()

    const [all] = (await metrics()).rows
    expect(all).toMatchObject({
      events: 3,
      unpriced_events: 1,
      tokens_in: 4050,
      cached_tokens_in: 1200,
      cache_write_tokens: 500,
      tokens_out: 300,
      cost_usd: '0.006475',
    })
    const byEnv = (await metrics({ group_by: 'environment,traffic_source' })).rows
    expect(byEnv).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ environment: 'production', traffic_source: 'production', events: 1, cost_usd: '0.003250' }),
        expect.objectContaining({ environment: 'staging', traffic_source: 'production', events: 1, cost_usd: '0.003225' }),
        expect.objectContaining({ environment: 'production', traffic_source: 'eval', events: 1, unpriced_events: 1, cost_usd: '0.000000' }),
      ]),
    )
  })

  it('counts an id once across batches, replays and concurrent batches', async () => {
    const ev = (id: string) => ({
      id,
      timestamp: ts(3),
      workflow_id: 'dedupe',
      step: 's',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 1000,
      tokens_out: 0,
    })
    const again = await acceptEvents({ orgId }, { events: [ev('p1'), ev('d1')] })
    expect(again).toEqual({ accepted: 1, duplicates: 1, rejected: [] })
    // Two batches with the same new ids, accepted before any worker ran: the answer can't know yet, the rollups must.
    await stopWorker()
    const a = await acceptEvents({ orgId }, { events: [ev('d2'), ev('d3')] })
    const b = await acceptEvents({ orgId }, { events: [ev('d3'), ev('d2'), ev('d4')] })
    expect(a.accepted + b.accepted).toBe(5)
    startWorker()
    await waitProcessed()
    const rows = (await metrics({ workflow_id: 'dedupe' })).rows
    // d1..d4 once each: 4 × 1000 × 0.15 µ$ = 600 µ$
    expect(rows).toEqual([expect.objectContaining({ events: 4, tokens_in: 4000, cost_usd: '0.000600' })])
    const stored = await ownerPool().query(`SELECT count(*)::int AS n FROM inference_events WHERE org_id = $1 AND workflow_id = 'dedupe'`, [orgId])
    expect(stored.rows[0].n).toBe(4)
  })

  it('one transaction takes the waiting batches of the organization (group commit), each counted once with its own tally', async () => {
    await stopWorker()
    const ev = (id: string, min: number) => ({
      id,
      timestamp: ts(min),
      workflow_id: 'grouped',
      step: 's',
      run_id: `run-${id.slice(0, 2)}`,
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 1000,
      latency_ms: 100 + min,
    })
    await acceptEvents({ orgId }, { events: [ev('g1a', 4), ev('g1b', 65)] })
    await acceptEvents({ orgId }, { events: [ev('g2a', 4), ev('g1b', 65)] }) // g1b waits in both batches
    await acceptEvents({ orgId }, { events: [ev('g3a', 130)] })
    const ids = await pendingBatches(0)
    expect(ids).toHaveLength(3)
    const r = await processBatch(ids[1])
    expect(r).toMatchObject({ status: 'processed', batches: 3, inserted: 4, duplicates: 1 })
    for (const id of ids) expect((await processBatch(id)).status).toBe('already_processed')
    const tally = await ownerPool().query<{ inserted: number; n: number }>(
      `SELECT inserted, event_count AS n FROM ingest_batches WHERE id = ANY($1::int8[]) ORDER BY id`,
      [ids],
    )
    expect(tally.rows).toEqual([
      { inserted: 2, n: 2 },
      { inserted: 1, n: 2 },
      { inserted: 1, n: 1 },
    ])
    // 4 events in three hours, 3 runs (g1a/g1b share run-g1…), 4 × 1000 × 0.15 µ$
    const rows = (await metrics({ workflow_id: 'grouped' })).rows
    expect(rows).toEqual([expect.objectContaining({ events: 4, runs: 3, tokens_in: 4000, cost_usd: '0.000600' })])
    const hourly = (await metrics({ workflow_id: 'grouped', granularity: 'hour' })).rows
    expect(hourly.map((x) => x.events).reduce((a, b) => a + b, 0)).toBe(4)
    startWorker()
  })

  it('refuses text PostgreSQL cannot store at the door, so no batch is poisoned and the others of the organization are processed', async () => {
    // Before: {workflow_id: "qa\u0000wf"} was accepted (202), then failed its batch in the worker on every retry with
    // PostgreSQL's 22P05, and with it the organization's other batches of the same group-commit transaction.
    await stopWorker()
    const ev = (id: string, extra: Record<string, unknown> = {}) => ({
      id,
      timestamp: ts(3),
      workflow_id: 'poison-check',
      step: 's',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 100,
      ...extra,
    })
    const a = await acceptEvents(
      { orgId },
      { events: [ev('pz-nul', { workflow_id: 'qa\u0000wf' }), ev('pz-ok1'), ev('pz-sur', { metadata: { note: 'x\ud800' } })] },
    )
    expect(a).toMatchObject({ accepted: 1 })
    expect(a.rejected.map((r) => [r.index, r.errors])).toEqual([
      [0, ['workflow_id: must not contain the NUL character (\\u0000)']],
      [2, ['metadata.note: must be valid Unicode text (it holds an unpaired surrogate such as \\ud800)']],
    ])
    await acceptEvents({ orgId }, { events: [ev('pz-ok2')] })
    startWorker()
    await waitProcessed()
    const rows = (await metrics({ workflow_id: 'poison-check' })).rows
    expect(rows).toEqual([expect.objectContaining({ events: 2, tokens_in: 200 })])
  })

  it('a retried job takes its own batch alone: a batch that cannot be stored holds back no other', async () => {
    await stopWorker()
    // A stored batch PostgreSQL cannot write (as one with a NUL was before the schema refused it): its payload as the
    // API would have kept it.
    const bad = {
      id: 'alone-bad',
      timestamp: ts(2),
      workflow_id: 'alone\u0000check',
      step: 's',
      provider: 'openai',
      model: 'gpt-4o-mini',
      environment: 'production',
      traffic_source: 'production',
      call_type: 'generation',
      outcome: 'success',
      requests: 1,
    }
    const badId = (
      await ownerPool().query<{ id: string }>(
        `INSERT INTO ingest_batches (org_id, kind, payload, event_count) VALUES ($1, 'events', $2::json, 1) RETURNING id::text`,
        [orgId, JSON.stringify([bad])],
      )
    ).rows[0].id
    const good = await acceptEvents({ orgId }, { events: [{ ...bad, id: 'alone-ok', workflow_id: 'alone-check' }] })
    const goodId = (await pendingBatches(0)).find((id) => id !== badId)!
    expect(good).toMatchObject({ accepted: 1 })
    // the first attempt takes the organization's waiting batches together, the bad one with them: it fails whole
    await expect(ingestProcessor({ data: { batchId: goodId, orgId }, attemptsMade: 0 } as Job)).rejects.toThrow()
    // its retry takes its own batch only, and is stored
    expect(await ingestProcessor({ data: { batchId: goodId, orgId }, attemptsMade: 1 } as Job)).toMatchObject({ status: 'processed', inserted: 1 })
    await expect(processBatch(badId, orgId, { alone: true })).rejects.toThrow()
    expect((await metrics({ workflow_id: 'alone-check' })).rows).toEqual([expect.objectContaining({ events: 1 })])
    await ownerPool().query('DELETE FROM ingest_batches WHERE id = $1', [badId])
    startWorker()
  })

  it('processing a batch twice counts it once', async () => {
    await stopWorker()
    await acceptEvents(
      { orgId },
      { events: [{ id: 'twice-1', timestamp: ts(2), workflow_id: 'twice', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 100 }] },
    )
    const [batchId] = await pendingBatches(0)
    const [first, second] = await Promise.all([processBatch(batchId), processBatch(batchId)])
    // the second finds it processed, or held by the first (SKIP LOCKED): never counted twice
    expect([first.status, second.status].filter((s) => s === 'processed')).toHaveLength(1)
    expect([first.status, second.status].filter((s) => s !== 'processed')[0]).toMatch(/^(already_processed|in_progress)$/)
    expect((await processBatch(batchId)).status).toBe('already_processed')
    expect((await metrics({ workflow_id: 'twice' })).rows).toEqual([expect.objectContaining({ events: 1 })])
    startWorker()
  })

  it('loses nothing when Redis loses the queue: the reconciler re-queues what PostgreSQL holds', async () => {
    await stopWorker()
    await acceptEvents(
      { orgId },
      {
        events: Array.from({ length: 50 }, (_, i) => ({
          id: `lost-${i}`,
          timestamp: ts(1),
          workflow_id: 'lost',
          step: 's',
          provider: 'openai',
          model: 'gpt-4o-mini',
          tokens_in: 10,
        })),
      },
    )
    await flushPrefix(prefix) // what a Redis restart without persistence does to the queue
    expect(await pendingBatches(0)).toHaveLength(1)
    startWorker()
    expect(await reconcileOnce(0)).toBe(1)
    await waitProcessed()
    expect((await metrics({ workflow_id: 'lost' })).rows).toEqual([expect.objectContaining({ events: 50, tokens_in: 500 })])
  })

  it('stores a response cache hit at cost 0 with its savings, whatever its tokens; other events are not hits', async () => {
    const hit = { timestamp: ts(4), workflow_id: 'faq', step: 'answer', provider: 'openai', model: 'gpt-4o', tokens_in: 1000, tokens_out: 100 }
    const answer = await acceptEvents(
      { orgId },
      {
        events: [
          { ...hit, id: 'rc-hit', response_cache_hit: true, response_cache_savings_usd: '0.00325' },
          { ...hit, id: 'rc-miss', response_cache_hit: false },
          { ...hit, id: 'rc-bad', response_cache_savings_usd: '0.00325' },
        ],
      },
    )
    expect(answer.rejected).toEqual([{ index: 2, errors: ['response_cache_savings_usd: is only for a response cache hit (response_cache_hit: true)'] }])
    await waitProcessed()
    const r = await ownerPool().query<{ event_id: string; cost_usd: string; response_cache_hit: boolean; response_cache_savings_usd: string | null }>(
      `SELECT event_id, cost_usd::text, response_cache_hit, response_cache_savings_usd::text FROM inference_events
       WHERE org_id = $1 AND event_id IN ('rc-hit', 'rc-miss') ORDER BY event_id`,
      [orgId],
    )
    expect(r.rows).toEqual([
      { event_id: 'rc-hit', cost_usd: '0.000000000000', response_cache_hit: true, response_cache_savings_usd: '0.003250000000' },
      // gpt-4o: 1000·2.50 + 100·10.00 = 3500 µ$
      { event_id: 'rc-miss', cost_usd: '0.003500000000', response_cache_hit: false, response_cache_savings_usd: null },
    ])
  })

  it('rollups equal a direct SQL sum of the stored events', async () => {
    const ev = await ownerPool().query<{ n: string; cost: string; tin: string }>(
      `SELECT count(*)::text AS n, round(coalesce(sum(cost_usd), 0), 6)::text AS cost, sum(tokens_in)::text AS tin FROM inference_events WHERE org_id = $1`,
      [orgId],
    )
    const [m] = (await metrics()).rows
    expect(String(m.events)).toBe(ev.rows[0].n)
    expect(m.cost_usd).toBe(ev.rows[0].cost)
    expect(String(m.tokens_in)).toBe(ev.rows[0].tin)
  })
})

describe('runs', () => {
  it('counts each run once, however many batches its events arrive in', async () => {
    const ev = (id: string, run: string, wf = 'runs-wf') => ({
      id,
      timestamp: ts(1),
      workflow_id: wf,
      run_id: run,
      step: 's',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 10,
    })
    await acceptEvents({ orgId }, { events: [ev('run-a1', 'A'), ev('run-a2', 'A'), ev('run-b1', 'B')] })
    await waitProcessed()
    await acceptEvents({ orgId }, { events: [ev('run-a3', 'A'), ev('run-c1', 'C'), ev('run-c2', 'C')] })
    await waitProcessed()
    expect((await metrics({ workflow_id: 'runs-wf', group_by: 'workflow_id' })).rows).toEqual([expect.objectContaining({ events: 6, runs: 3 })])
  })
})
