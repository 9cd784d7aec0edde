import { z } from 'zod'
import { ZInstant, ZUsd } from '@/lib/api/wire'
import { ZBillForecast, ZPeriodForecast } from '@/lib/forecast/schema'
import { ZWholeBillParts } from '@/lib/finance/schema'

// /api/v1/reports queries and answers (client-safe).

// The quarterly audit (lib/reports/audit.ts).

export const ZAuditQuery = z.strictObject({
  quarter: z
    .string({ error: 'must be a quarter, YYYY-Qn' })
    .regex(/^\d{4}-Q[1-4]$/, 'must be a quarter, YYYY-Qn (e.g. 2026-Q4)')
    .optional()
    .meta({ description: 'the quarter, e.g. 2026-Q4; the current one by default' }),
  format: z
    .enum(['json', 'csv', 'samples_csv'], { error: 'must be json, csv or samples_csv' })
    .default('json')
    .meta({ description: 'csv: one line per workflow; samples_csv: every sampled call (the CSV forms need a role that may export)' }),
})
export type TAuditQuery = z.infer<typeof ZAuditQuery>

export const ZSampledCall = z.object({
  event_id: z.string(),
  timestamp: ZInstant,
  traffic_source: z.string(),
  environment: z.string(),
  step: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  requests: z.number().int(),
  cost_usd: ZUsd,
})
export type TSampledCall = z.infer<typeof ZSampledCall>

export const ZCostStats = z.object({
  events: z.number().int().meta({ description: 'sampled events' }),
  calls: z.number().int().meta({ description: 'the calls they stand for (Σ requests)' }),
  mean_usd: ZUsd.meta({ description: 'cost per call, 6 decimals' }),
  p50_usd: ZUsd,
  p90_usd: ZUsd,
  min_usd: ZUsd,
  max_usd: ZUsd,
  steps: z
    .array(z.object({ step: z.string(), calls: z.number().int(), mean_usd: ZUsd }))
    .meta({ description: 'calls and mean cost per call by step, most calls first' }),
  models: z.array(z.object({ model: z.string(), calls: z.number().int() })).meta({ description: 'calls by provider/model, most first' }),
})
export type TCostStats = z.infer<typeof ZCostStats>

export const ZAuditRow = z.object({
  workflow_id: z.string(),
  production_calls: z.number().int().meta({ description: 'priced production calls in the quarter, from the rollups' }),
  eval_calls: z.number().int().meta({ description: 'priced eval and replay calls in the quarter' }),
  production: ZCostStats.nullable(),
  eval: ZCostStats.nullable(),
  ratio_mean: z.number().nullable().meta({ description: 'production ÷ eval mean cost per call' }),
  ratio_p50: z.number().nullable(),
  flagged: z.boolean(),
  status: z.enum(['flagged', 'within', 'no_eval', 'no_production']),
  finding: z.string(),
})
export type TAuditRow = z.infer<typeof ZAuditRow>

export const ZAudit = z.object({
  quarter: z.string(),
  from: ZInstant,
  to: ZInstant,
  sample_size: z.number().int(),
  ratio_limit: z.number(),
  workflows: z.array(ZAuditRow).meta({ description: 'flagged first' }),
  samples: z
    .record(z.string(), z.object({ production: z.array(ZSampledCall), eval: z.array(ZSampledCall) }))
    .optional()
    .meta({ description: 'the sampled calls per workflow' }),
})
export type TAudit = z.infer<typeof ZAudit>

// The monthly report (lib/reports/monthly.ts).

export const ZMonthlyReportQuery = z.strictObject({
  month: z
    .string({ error: 'must be a month, YYYY-MM' })
    .regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month, YYYY-MM')
    .optional()
    .meta({ description: 'the month, e.g. 2026-11; the current one by default' }),
  format: z.enum(['json', 'csv'], { error: 'must be json or csv' }).default('json').meta({ description: 'csv needs a role that may export' }),
})
export type TMonthlyReportQuery = z.infer<typeof ZMonthlyReportQuery>

export const REPORT_SECTIONS = [
  { dimension: 'workflow_id', label: 'Workflow', none: '(none)' },
  { dimension: 'account_id', label: 'Account', none: '(no account)' },
  { dimension: 'feature', label: 'Feature', none: '(no feature)' },
  { dimension: 'environment', label: 'Environment', none: '(none)' },
  { dimension: 'traffic_source', label: 'Traffic source', none: '(none)' },
  { dimension: 'scenario', label: 'Scenario', none: '(none)' },
] as const
export const REPORT_DIMENSIONS = [
  'workflow_id',
  'account_id',
  'feature',
  'environment',
  'traffic_source',
  'scenario',
] as const satisfies readonly (typeof REPORT_SECTIONS)[number]['dimension'][]
export type TReportDimension = (typeof REPORT_DIMENSIONS)[number]

export const ZReportLine = z.object({
  key: z.string().nullable().meta({ description: "the dimension's value (null: events without one)" }),
  from: z
    .enum(['scenario_id', 'workflow'])
    .optional()
    .meta({ description: 'scenario rows only: scenario_id when the events carry one, workflow for a workflow’s spend without a scenario' }),
  cost_usd: ZUsd,
  events: z.number().int(),
  previous_cost_usd: ZUsd,
  previous_events: z.number().int(),
  change_usd: ZUsd,
  share: z.number().meta({ description: "of the month's total spend (0.25 = 25%)" }),
})
export type TReportLine = z.infer<typeof ZReportLine>

const ZMonthSpan = { month: z.string(), from: ZInstant, to: ZInstant }

/** A scenario's month, both ways: its calls alone (API cost) and fully loaded (Scenario cost's total), named apart. */
export const ZReportScenario = z.object({
  scenario: z.string(),
  api_cost_usd: ZUsd.meta({ description: "API cost: what the scenario's calls were priced at (production, eval and internal calls)" }),
  fully_loaded_usd: ZUsd.meta({
    description: 'fully loaded cost incl. GPU and line items: the API cost + its share of the GPU pools’ capacity + its line items (Scenario cost’s total)',
  }),
  accepted_outcomes: z.number().int(),
  api_cost_per_accepted_outcome_usd: ZUsd.nullable(),
  fully_loaded_per_accepted_outcome_usd: ZUsd.nullable().meta({ description: "Scenario cost's cost per accepted outcome" }),
})
export type TReportScenario = z.infer<typeof ZReportScenario>

export const ZMonthlyReport = z.object({
  ...ZMonthSpan,
  previous: z.object({
    ...ZMonthSpan,
    compared_to: ZInstant.meta({
      description:
        'the end of the span of the month before that every row compares with: its end, or for the running month as many days and hours as have passed of this one',
    }),
  }),
  current: z.boolean().meta({ description: 'the month has not ended: figures are to date' }),
  total: z.object({
    cost_usd: ZUsd,
    events: z.number().int(),
    runs: z.number().int(),
    production_cost_usd: ZUsd,
    unpriced_events: z.number().int(),
    previous_cost_usd: ZUsd,
    previous_events: z.number().int(),
    change_usd: ZUsd,
    previous_to_date: z
      .object({ to: ZInstant, cost_usd: ZUsd, change_usd: ZUsd })
      .optional()
      .meta({ description: 'the running month only: the month before over as many days and hours as have passed of this one' }),
  }),
  bill: ZWholeBillParts.extend({
    previous: ZWholeBillParts.meta({ description: 'the whole bill of the month before over the compared span (previous.from to previous.compared_to)' }),
    change_usd: ZUsd,
  }).meta({
    description:
      'what the organization pays (lib/finance/whole-bill.ts): API inference, GPU pools’ paid capacity and line items; total_usd is Scenario cost’s total for the month',
  }),
  scenarios: z.array(ZReportScenario).meta({ description: "each scenario's API cost and fully loaded cost (as on Scenario cost), largest fully loaded first" }),
  sections: z.array(z.object({ dimension: z.enum(REPORT_DIMENSIONS), label: z.string(), rows: z.array(ZReportLine) })),
  forecast: z
    .object({ month_end: ZPeriodForecast, mape: z.number().nullable(), note: z.string().nullable(), bill: ZBillForecast.nullable() })
    .nullable()
    .meta({ description: "the organization's month-end forecast (the current month only)" }),
})
export type TMonthlyReport = z.infer<typeof ZMonthlyReport>
