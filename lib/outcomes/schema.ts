import { DAY_MS, MINUTE_MS } from '@/lib/domain'
import { z } from 'zod'
import { issuesToLines, storableString } from '@/lib/validation'
import { MAX_EVENTS_PER_BATCH } from '@/lib/ingest/schema'

// POST /api/v1/outcomes (PRODUCT.md "Accepted outcomes").
const label = (max = 256) => storableString(z.string().min(1, 'must not be empty').max(max, `must be at most ${max} characters`))
const FUTURE_SKEW_MS = 5 * MINUTE_MS
const MAX_AGE_MS = 400 * DAY_MS

export const ZOutcome = z.strictObject({
  id: label(128),
  timestamp: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 date-time, e.g. 2026-01-31T12:00:00Z' }).optional(),
  workflow_id: label(),
  run_id: label().optional(),
  account_id: label().optional(),
  feature: label().optional(),
  accepted: z.boolean({ error: 'must be true or false' }),
  kind: label(128).optional(),
})
export type TOutcomeInput = z.infer<typeof ZOutcome>
export type TIngestOutcome = TOutcomeInput & { timestamp: string }

export const ZOutcomesEnvelope = z.strictObject({
  outcomes: z
    .array(z.unknown(), { error: 'must be an array of outcomes' })
    .min(1, 'must contain at least 1 outcome')
    .max(MAX_EVENTS_PER_BATCH, `must contain at most ${MAX_EVENTS_PER_BATCH} outcomes`),
})

/** POST /api/v1/outcomes as documented (each outcome validated on its own, as events are). */
export const ZOutcomesBody = z.strictObject({ outcomes: z.array(ZOutcome).min(1).max(MAX_EVENTS_PER_BATCH) })

export function validateOutcome(raw: unknown, ctx: { now: Date }): { ok: true; item: TIngestOutcome } | { ok: false; errors: string[] } {
  const r = ZOutcome.safeParse(raw, { reportInput: true })
  if (!r.success) return { ok: false, errors: issuesToLines(r.error.issues, '(outcome)') }
  const ts = r.data.timestamp ? new Date(r.data.timestamp) : ctx.now
  if (ts.getTime() > ctx.now.getTime() + FUTURE_SKEW_MS) return { ok: false, errors: ['timestamp: is more than 5 minutes in the future'] }
  if (ts.getTime() < ctx.now.getTime() - MAX_AGE_MS) return { ok: false, errors: ['timestamp: is older than 400 days'] }
  return { ok: true, item: { ...r.data, timestamp: ts.toISOString() } }
}
