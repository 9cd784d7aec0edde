import { afterAll, beforeAll, expect, it } from 'vitest'
import { Worker } from 'bullmq'
import { useTestServices, ownerPool } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues, ingestJobId, QUEUE_INGEST, queue, workerConnection } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { queueOverview, retryFailedJob } from '@/lib/queues/admin'
import { ingestProcessor } from '@/workers/processors/ingest'

// A poison batch fails, shows up for its own organization only, and is retried after the fix.

let prefix = ''
let worker: Worker
let mine = ''
let other = ''
const until = async (pred: () => Promise<boolean>) => {
  for (let i = 0; i < 100 && !(await pred()); i++) await new Promise((r) => setTimeout(r, 100))
}

beforeAll(async () => {
  ;({ prefix } = await useTestServices('admin_queues'))
  mine = (await createOrgWithAdmin({ org_name: 'Mine', email: 'mine@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(mine) // the tests' own calls of lib functions run for this organization
  other = (await createOrgWithAdmin({ org_name: 'Other', email: 'other@example.com', password: 'password-123' })).org.id
  worker = new Worker(QUEUE_INGEST, ingestProcessor, { connection: workerConnection(), prefix })
})
afterAll(async () => {
  await worker.close()
  await closeQueues()
  await closeDb()
})

it('lists a failed job to its own organization and retries it', async () => {
  const bad = [
    {
      id: 'p1',
      timestamp: 'not-a-time',
      environment: 'production',
      traffic_source: 'production',
      call_type: 'generation',
      outcome: 'success',
      requests: 1,
      workflow_id: 'w',
      step: 's',
      provider: 'openai',
      model: 'gpt-4o-mini',
    },
  ]
  const b = await ownerPool().query<{ id: string }>(
    `INSERT INTO ingest_batches (org_id, kind, payload, event_count) VALUES ($1, 'events', $2::json, 1) RETURNING id::text`,
    [mine, JSON.stringify(bad)],
  )
  const batchId = b.rows[0].id
  await queue(QUEUE_INGEST).add('batch', { batchId }, { jobId: ingestJobId(batchId), attempts: 1 })
  await until(async () => (await queueOverview(mine)).failed.length > 0)

  const overview = await queueOverview(mine)
  expect(overview.failed).toEqual([
    expect.objectContaining({ queue: 'ingest', reference: `batch:${batchId}`, failed_reason: expect.stringContaining('not-a-time') }),
  ])
  expect(overview.org_pending_batches).toBe(1)
  expect(overview.queues.find((q) => q.name === 'ingest')).toMatchObject({ failed: 1 })
  expect((await queueOverview(other)).failed).toEqual([])
  await expect(retryFailedJob(other, 'ingest', ingestJobId(batchId))).rejects.toThrow('No failed job with that id')

  await ownerPool().query(`UPDATE ingest_batches SET payload = jsonb_set(payload::jsonb, '{0,timestamp}', to_jsonb(now()::text))::json WHERE id = $1`, [
    batchId,
  ])
  await retryFailedJob(mine, 'ingest', ingestJobId(batchId))
  await until(async () => (await queueOverview(mine)).org_pending_batches === 0)
  const n = await ownerPool().query<{ n: number }>('SELECT count(*)::int AS n FROM inference_events WHERE org_id = $1', [mine])
  expect(n.rows[0].n).toBe(1)
  expect((await queueOverview(mine)).failed).toEqual([])
})
