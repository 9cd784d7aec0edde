import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZQueueOverview, ZRetryJob } from '@/lib/queues/admin-schema'

// The ingestion queues (PRODUCT.md "Ingestion"): signed-in admins only.

export const queueOverview = endpoint({
  method: 'GET',
  path: '/api/v1/admin/queues',
  tag: 'Admin',
  permission: 'queues.manage',
  summary: 'Queue counts, backlog and this organization’s failed jobs',
  responses: { 200: { description: 'The overview', schema: ZQueueOverview } },
})

export const retryJob = endpoint({
  method: 'POST',
  path: '/api/v1/admin/queues/retry',
  tag: 'Admin',
  permission: 'queues.manage',
  summary: 'Retry a failed job of this organization',
  body: { schema: ZRetryJob, maxBytes: 4096, message: 'Invalid retry request' },
  responses: { 200: { description: 'Queued again', schema: z.object({ retried: z.literal(true) }) } },
  errors: [404],
})
