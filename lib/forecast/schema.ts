import { z } from 'zod'
import { parseModelRef } from '@/lib/forecast/what-if'
import { ZDay, ZInstant, ZUsd, ZUuid } from '@/lib/api/wire'
import { ZWholeBillParts } from '@/lib/finance/schema'

// /api/v1/forecast queries and answers (client-safe: the components type their
// requests with them). Spent-to-date is exact money; forecasts are model
// estimates rounded to 6 decimals.

export const BACKTEST_DAYS = 28
export const MIN_HISTORY_DAYS = 14

const label = z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters')
const MOVE_FIELDS = ['move_workflow_id', 'move_step', 'move_to'] as const
export const ZForecastQuery = z
  .strictObject({
    workflow_id: label.optional(),
    account_id: label.optional(),
    history_days: z.coerce
      .number({ error: 'must be a whole number of days' })
      .int('must be a whole number of days')
      .min(MIN_HISTORY_DAYS, `must be at least ${MIN_HISTORY_DAYS}`)
      .max(365, 'must be at most 365')
      .default(120),
    /** what-if: traffic growth in percent per month (30 days), compounding from today */
    growth_pct: z.coerce
      .number({ error: 'must be a number (percent per month)' })
      .min(-90, 'must be at least -90')
      .max(500, 'must be at most 500')
      .optional()
      .meta({ description: 'what-if: traffic growth in percent per month (30 days), compounding from today' }),
    /** what-if: the step of a workflow moved to another model ("provider/model") */
    move_workflow_id: label.optional().meta({ description: "what-if: the workflow whose step moves (the forecast's workflow, if any)" }),
    move_step: label.optional().meta({ description: 'what-if: the step that moves to another model' }),
    move_to: label
      .refine((s) => parseModelRef(s) !== null, 'must be "provider/model"')
      .optional()
      .meta({ description: 'what-if: the model the step moves to, "provider/model"' }),
  })
  .superRefine((q, ctx) => {
    const given = MOVE_FIELDS.filter((k) => q[k] !== undefined)
    if (given.length && given.length < MOVE_FIELDS.length) {
      for (const k of MOVE_FIELDS)
        if (q[k] === undefined)
          ctx.addIssue({ code: 'custom', path: [k], message: 'is required to move a step (move_workflow_id, move_step and move_to go together)' })
    }
    if (q.move_workflow_id && q.workflow_id && q.move_workflow_id !== q.workflow_id) {
      ctx.addIssue({
        code: 'custom',
        path: ['move_workflow_id'],
        message: `must be the forecast's workflow (${q.workflow_id}): another workflow's step is not in this forecast`,
      })
    }
  })
export type TForecastQuery = z.infer<typeof ZForecastQuery>

export const ZForecastSummaryQuery = z.strictObject({
  history_days: z.coerce
    .number({ error: 'must be a whole number of days' })
    .int('must be a whole number of days')
    .min(MIN_HISTORY_DAYS, `must be at least ${MIN_HISTORY_DAYS}`)
    .max(365, 'must be at most 365')
    .default(120),
  top_accounts: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(100, 'must be at most 100')
    .default(10),
})

// Answers.

export const ZPeriodForecast = z.object({
  end: ZInstant.meta({ description: "the period's exclusive end (UTC)" }),
  actual_to_date_usd: ZUsd.meta({ description: "recorded spend from the period's start to the start of today (exact)" }),
  forecast_usd: ZUsd.nullable().meta({ description: "actual to date + the forecast from today to the period's end; null without a model" }),
  lower_usd: ZUsd.nullable().meta({ description: "the 95% band's lower edge" }),
  upper_usd: ZUsd.nullable().meta({ description: "the 95% band's upper edge" }),
})
export type TPeriodForecast = z.infer<typeof ZPeriodForecast>

const ZModelRef = z.object({ provider: z.string(), model: z.string() })

/** A step moved to another model: its production traffic of the window, what it cost, and what the target model would have cost. */
export const ZStepMove = z.object({
  workflow_id: z.string(),
  step: z.string(),
  to: ZModelRef,
  window: z.object({ from: ZInstant, to: ZInstant, days: z.number().int() }),
  calls: z.number().int(),
  requests: z.number().int(),
  tokens_in: z.number().int(),
  cached_tokens_in: z.number().int(),
  cache_write_tokens: z.number().int(),
  tokens_out: z.number().int(),
  unpriced_calls: z.number().int().meta({ description: 'calls without a price now (counted at $0 in current_cost_usd)' }),
  current_models: z.array(z.object({ provider: z.string().nullable(), model: z.string().nullable(), calls: z.number().int(), cost_usd: ZUsd })),
  current_cost_usd: ZUsd,
  target_cost_usd: ZUsd,
  current_per_call_usd: ZUsd,
  target_per_call_usd: ZUsd,
  delta_per_day_usd: ZUsd.meta({ description: "(target − current) ÷ window days: what the move changes per day at today's traffic" }),
})
export type TStepMove = z.infer<typeof ZStepMove>

export const ZWhatIfSeriesPoint = z.object({ day: ZDay, forecast_usd: ZUsd, lower_usd: ZUsd, upper_usd: ZUsd })
export type TWhatIfSeriesPoint = z.infer<typeof ZWhatIfSeriesPoint>

export const ZWhatIf = z.object({
  growth_pct: z.number(),
  step_move: ZStepMove.nullable(),
  series: z.array(ZWhatIfSeriesPoint).meta({ description: "the scenario's forecast days (today onwards)" }),
  month_end: ZPeriodForecast.nullable().meta({ description: 'null without a model (too little history)' }),
  quarter_end: ZPeriodForecast.nullable(),
})
export type TWhatIf = z.infer<typeof ZWhatIf>

/** The whole bill to a period's end: what is known (the pools' capacity as sized, the line items) and what the model forecasts (API inference). */
export const ZBillPeriodForecast = z.object({
  end: ZInstant,
  actual_to_date: ZWholeBillParts.meta({ description: "the whole bill from the period's start to the start of today (exact)" }),
  forecast: ZWholeBillParts.nullable().meta({
    description:
      "to the period's end: API inference = to date + the model's forecast of event spend less the share paid through the pools; GPU capacity = to date + each pool's cost at its size and price (incl. versions already scheduled); line items = the period's months' line items; null without a model",
  }),
  lower_total_usd: ZUsd.nullable().meta({ description: "the 95% band's lower edge (the band is the API part's: the rest is known)" }),
  upper_total_usd: ZUsd.nullable(),
})
export type TBillPeriodForecast = z.infer<typeof ZBillPeriodForecast>

export const ZBillForecast = z.object({
  month_end: ZBillPeriodForecast,
  quarter_end: ZBillPeriodForecast,
  run_rate: z.object({
    gpu_capacity_per_month_usd: ZUsd.meta({ description: 'the pools as sized now: GPUs × price per GPU-hour × 730 h' }),
    line_items_this_month_usd: ZUsd,
  }),
})
export type TBillForecast = z.infer<typeof ZBillForecast>

const ZScope = z.object({ workflow_id: z.string().nullable(), account_id: z.string().nullable() })

export const ZForecast = z.object({
  scope: ZScope,
  as_of: ZInstant.meta({ description: 'the start of today (UTC): complete days before it are history, today onwards is forecast' }),
  series: z.array(z.object({ day: ZDay, actual_usd: ZUsd.nullable(), forecast_usd: ZUsd.nullable(), lower_usd: ZUsd.nullable(), upper_usd: ZUsd.nullable() })),
  month_end: ZPeriodForecast,
  quarter_end: ZPeriodForecast,
  backtest: z.object({
    mape: z.number().nullable().meta({ description: 'mean absolute percentage error of the last 28 days forecast from the days before (0.1 = 10%)' }),
    holdout_days: z.number().int(),
  }),
  model: z
    .object({
      kind: z.literal('holt_winters_additive'),
      season_days: z.literal(7),
      alpha: z.number(),
      beta: z.number(),
      gamma: z.number(),
      history_days: z.number().int(),
    })
    .nullable(),
  note: z.string().nullable().meta({ description: 'why there is no model, when there is none' }),
  bill: ZBillForecast.nullable()
    .optional()
    .meta({ description: "the organization's forecast only: the whole bill (API inference, GPU capacity, line items) to the month's and the quarter's end" }),
  what_if: ZWhatIf.optional().meta({ description: 'with growth_pct or a step move: the scenario next to this baseline' }),
})
export type TForecast = z.infer<typeof ZForecast>

export const ZBudgetOutlook = z.object({
  budget_id: ZUuid,
  name: z.string(),
  amount_usd: ZUsd,
  projected_usd: ZUsd.nullable().meta({
    description:
      "the budget's projection, the same figure as the Budgets page: its month's spend to now extrapolated at its pace to the month's end (lib/budgets/evaluate.ts projectToEnd)",
  }),
  projected_over: z.boolean(),
  month_end: ZPeriodForecast.meta({ description: "the forecast model's month end for the budget's scope, with its band (at_risk reads the band)" }),
  exceeds_on: ZInstant.nullable().meta({
    description: "the day the projection's cumulative spend passes the amount (already: the start of today); null if it does not this month",
  }),
  verdict: z.enum(['over', 'at_risk', 'within', 'unknown']).meta({
    description: "over: the projection passes the amount; at_risk: only the model band's upper edge does; within; unknown: no spend yet and no model",
  }),
})
export type TBudgetOutlook = z.infer<typeof ZBudgetOutlook>

export const ZForecastSummaryRow = z.object({
  kind: z.enum(['workflow', 'account']),
  id: z.string(),
  month_end: ZPeriodForecast,
  quarter_end: ZPeriodForecast,
  mape: z.number().nullable(),
  note: z.string().nullable(),
})
export type TForecastSummaryRow = z.infer<typeof ZForecastSummaryRow>
