import { z } from 'zod'
import { ZInstant } from '@/lib/api/wire'

// The queues page's request and answer (client-safe).

export const ZQueueCounts = z.object({
  name: z.string(),
  waiting: z.number().int(),
  active: z.number().int(),
  delayed: z.number().int(),
  failed: z.number().int(),
  completed: z.number().int(),
})
export const ZFailedJob = z.object({
  id: z.string(),
  queue: z.string(),
  reference: z.string().meta({ description: 'what the job works on: "batch:<id>" or "reprice:<id>"' }),
  attempts: z.number().int(),
  failed_reason: z.string(),
  failed_at: ZInstant.nullable(),
})
export const ZQueueOverview = z.object({
  queues: z.array(ZQueueCounts),
  backlog: z
    .object({
      pending_batches: z.number().int(),
      pending_events: z.number().int(),
      oldest_pending_s: z.number().nullable(),
      processed_events_per_s: z.number().meta({ description: 'the workers’ pace over the last 10 s' }),
    })
    .meta({ description: 'all organizations’ accepted batches not yet written' }),
  org_pending_batches: z.number().int(),
  failed: z.array(ZFailedJob).meta({ description: 'this organization’s failed jobs' }),
})
export const ZRetryJob = z.strictObject({ queue: z.string().min(1).max(50), job_id: z.string().min(1).max(200) })
