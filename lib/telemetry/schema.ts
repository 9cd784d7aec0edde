import { z } from 'zod'
import { ZInstant, ZUsd } from '@/lib/api/wire'
import { DAY_MS } from '@/lib/domain'
import { checkRange, METRICS_QUERY_FIELDS } from '@/lib/metrics/schema'

// GET /api/v1/telemetry-health (issue 19, seed 003's checklist; PRODUCT.md is silent, the shape is ours: docs/telemetry-health.md):
// per source of events (an API key, an OpenTelemetry service, the gateway), the share of calls and of spend that lack
// each attribution field, and the routes (workflow / step) that lack them.

/** The attribution fields whose absence is counted. workflow_id, step and outcome: filled in by Outlay (the event's `defaulted`). */
export const HEALTH_FIELDS = ['workflow_id', 'step', 'account_id', 'outcome', 'scenario_id', 'owner'] as const
export type THealthField = (typeof HEALTH_FIELDS)[number]

/** The read scans the range's raw events (no rollup keeps the source): at most this many days. */
export const HEALTH_MAX_DAYS = 31

export const ZTelemetryHealthQuery = z
  .strictObject({
    from: METRICS_QUERY_FIELDS.from.meta({ description: 'ISO-8601 date or date-time; default 7 days before `to`' }),
    to: METRICS_QUERY_FIELDS.to,
  })
  .superRefine((q, ctx) => {
    checkRange(q, ctx)
    if (q.from instanceof Date && q.to instanceof Date && q.to.getTime() - q.from.getTime() > HEALTH_MAX_DAYS * DAY_MS)
      ctx.addIssue({ code: 'custom', path: ['from'], message: `must be at most ${HEALTH_MAX_DAYS} days before to` })
  })
export type TTelemetryHealthQuery = z.infer<typeof ZTelemetryHealthQuery>

const count = z.number().int()
const share = z.number().nullable().meta({ description: 'a fraction (0–1); null when there is nothing to divide' })

export const ZMissing = z.object({
  calls: count.meta({ description: 'calls that lack the field' }),
  cost_usd: ZUsd.meta({ description: 'their computed cost' }),
  share_of_calls: share,
  share_of_spend: share,
})
export type TMissing = z.infer<typeof ZMissing>

const missingByField = z.object(Object.fromEntries(HEALTH_FIELDS.map((f) => [f, ZMissing])) as Record<THealthField, typeof ZMissing>)

export const ZHealthRoute = z.object({
  workflow_id: z.string(),
  step: z.string(),
  calls: count,
  cost_usd: ZUsd,
  lacks: z.array(z.enum(HEALTH_FIELDS)).meta({ description: 'the fields some of the route’s calls lack' }),
  missing_calls: count.meta({ description: 'calls of the route that lack at least one field' }),
  missing_cost_usd: ZUsd,
})

export const ZHealthSource = z.object({
  source: z.string().nullable().meta({
    description: '"key:<api key id>", "otel:<service.name>", "gateway", "member:<user id>", "evals"; null: events stored before sources were recorded',
  }),
  kind: z.enum(['api_key', 'otel', 'gateway', 'member', 'evals', 'unknown']),
  label: z.string().meta({ description: 'the key’s name, the service, "Gateway"…' }),
  calls: count,
  cost_usd: ZUsd,
  unpriced_calls: count,
  missing: missingByField,
  missing_any: ZMissing.meta({ description: 'calls lacking at least one of the fields' }),
  /** the routes that lack fields, most spend lacking first (at most 10) */
  routes: z.array(ZHealthRoute),
})
export type THealthSource = z.infer<typeof ZHealthSource>

export const ZTelemetryHealthAnswer = z.object({
  from: ZInstant,
  to: ZInstant,
  fields: z.array(z.enum(HEALTH_FIELDS)),
  calls: count,
  cost_usd: ZUsd,
  missing: missingByField,
  missing_any: ZMissing.meta({ description: 'calls lacking at least one of the fields' }),
  sources: z.array(ZHealthSource).meta({ description: 'most spend first' }),
  unlabeled_gateway: z.object({ calls: count, cost_usd: ZUsd }).meta({ description: 'gateway calls without a workflow or step header' }),
})
export type TTelemetryHealthAnswer = z.infer<typeof ZTelemetryHealthAnswer>
