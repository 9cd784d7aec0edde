import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Queue } from 'bullmq'
import type { Redis } from 'ioredis'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { ALERTS_SCHEDULER_ID, closeQueues, LEGACY_BUDGETS_SCHEDULER_ID, LEGACY_QUEUE_BUDGETS, QUEUE_ALERTS, workerConnection } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { createBudget } from '@/lib/budgets'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { startAlertsWorker } from '@/workers/alerts'
import { gpt4oCall } from '@/lib/testing/events'

// The alerts queue was called "budgets". On an upgraded deployment, jobs queued
// under that name (by older web processes, or the old scheduler) must still be
// evaluated: the worker drains them before it serves the "alerts" queue, and
// the old scheduler is gone after its start.

let orgId = ''
let prefix = ''
const connections: Redis[] = []
const conn = () => {
  const c = workerConnection() as Redis
  connections.push(c)
  return c
}

beforeAll(async () => {
  prefix = (await useTestServices('alerts-queue')).prefix
  orgId = (await createOrgWithAdmin({ org_name: 'Queue Move Co', email: 'queue-move@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  const key = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  await createBudget(orgId, {
    name: 'Support rolling',
    environment: null,
    workflow_id: 'support',
    account_id: null,
    feature: null,
    traffic_sources: ['production'],
    period: 'rolling',
    rolling_days: 1,
    metric: 'spend',
    amount_usd: '0.5',
    thresholds: [50, 100],
    hard_cutoff: false,
    cutoff_action: 'throttle',
    throttle_per_minute: 3,
    owner: null,
  })
  // gpt-4o: 100k input + 10k output tokens = $0.35 a call; two calls = $0.70 of a $0.50 budget
  const now = Date.now()
  const events = [0, 1].map((i) => gpt4oCall(`q-${i}`, { timestamp: new Date(now - (i + 1) * 60_000).toISOString() }))
  expect((await postEvents(apiRequest('/api/v1/events', { key, body: { events } }))).status).toBe(202)
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  for (const c of connections) c.disconnect()
  await closeDb()
})

describe('the alerts queue, formerly "budgets"', () => {
  it('processes a job left in the old queue before the new queue, and removes the old scheduler', async () => {
    const legacy = new Queue(LEGACY_QUEUE_BUDGETS, { connection: conn(), prefix })
    const alerts = new Queue(QUEUE_ALERTS, { connection: conn(), prefix })
    try {
      // What an older deployment left behind: its scheduler (whose first run is due at once) and an evaluate-org
      // job for this organization (kept when completed, to be read below).
      await legacy.upsertJobScheduler(LEGACY_BUDGETS_SCHEDULER_ID, { every: 30_000 }, { name: 'evaluate', opts: { removeOnComplete: false } })
      await legacy.add('evaluate-org', { orgId }, { jobId: 'left-behind' })
      // … and a job already queued under the new name by an upgraded web process.
      const fresh = await alerts.add('evaluate-org', { orgId }, { jobId: 'queued-new' })

      const started = startAlertsWorker({ connection: conn(), prefix, everyMs: 3_600_000 })
      try {
        const drained = await started.started
        expect(drained).toEqual({ processed: 2, failed: 0, left: 0 })

        // both jobs left behind were processed, the alert they fired is recorded: one for the budget, at the higher of its two thresholds crossed
        const oldDone = await legacy.getCompleted()
        expect(oldDone.map((j) => j.name).sort()).toEqual(['evaluate', 'evaluate-org'])
        expect(oldDone.reduce((n, j) => n + (j.returnvalue as { fired: number }).fired, 0)).toBe(1)
        const fired = await ownerPool().query(`SELECT threshold FROM alerts WHERE org_id = $1 AND kind = 'budget' ORDER BY threshold`, [orgId])
        expect(fired.rows.map((r) => Number(r.threshold))).toEqual([100])

        // the old queue has nothing left and no scheduler; the new one has its scheduler
        const left = await legacy.getJobCounts('waiting', 'active', 'delayed', 'prioritized')
        expect(Object.values(left).reduce((a, b) => a + b, 0)).toBe(0)
        expect(await legacy.getJobSchedulers()).toEqual([])
        expect((await alerts.getJobSchedulers()).map((s) => s.key)).toEqual([ALERTS_SCHEDULER_ID])

        // then the new queue is served, after the old one was drained
        let newDone = await alerts.getJob(fresh.id!)
        for (let i = 0; i < 100 && (await newDone?.getState()) !== 'completed'; i++) {
          await new Promise((r) => setTimeout(r, 100))
          newDone = await alerts.getJob(fresh.id!)
        }
        // read again: getState() asks Redis now, the job's fields are as getJob read them (it may have been active then)
        newDone = await alerts.getJob(fresh.id!)
        expect(await newDone?.getState()).toBe('completed')
        expect(newDone!.processedOn!).toBeGreaterThanOrEqual(Math.max(...oldDone.map((j) => j.finishedOn!)))
        expect(newDone?.returnvalue).toEqual({ fired: 0 }) // already fired: evaluation is safe to run twice
      } finally {
        await started.close()
      }
    } finally {
      await Promise.all([legacy.close(), alerts.close()])
    }
  })

  it('starts at once when nothing is left under the old name', async () => {
    const started = startAlertsWorker({ connection: conn(), prefix, everyMs: 3_600_000 })
    try {
      expect(await started.started).toEqual({ processed: 0, failed: 0, left: 0 })
    } finally {
      await started.close()
    }
  })
})
