import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { ZBudgetOutlook, ZForecast, ZForecastQuery, ZForecastSummaryRow, ZForecastSummaryQuery } from '@/lib/forecast/schema'

// The forecast endpoints' contract (PRODUCT.md "Forecast"): read with a "read" key
// or as any member. Additive Holt-Winters with a weekly season on the daily spend
// (all environments and traffic sources: the whole bill), a 95% band, and the
// model's backtest error over the last 28 days.

export const forecast = endpoint({
  method: 'GET',
  path: '/api/v1/forecast',
  tag: 'Forecast',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'Month-end and quarter-end spend forecast, with the what-if beside it',
  description:
    'For the organization, one workflow or one account. With growth_pct and/or move_workflow_id + move_step + move_to, the scenario is answered in what_if; a step move needs production calls of that step in the last 30 days and a price for the target model (400 otherwise).',
  query: ZForecastQuery,
  responses: { 200: { description: 'The forecast', schema: ZForecast } },
  example: { query: { history_days: '120', growth_pct: '10' } },
})

export const forecastBudgets = endpoint({
  method: 'GET',
  path: '/api/v1/forecast/budgets',
  tag: 'Forecast',
  scope: 'read',
  permission: 'metrics.read',
  summary: "This month's spend budgets against their scope's forecast",
  description:
    'Monthly spend budgets only: over (the forecast passes the amount), at risk (only the band’s upper edge does), within, or unknown (too little history), and the day the forecast passes the amount.',
  responses: { 200: { description: 'One outlook per monthly spend budget', schema: z.object({ budgets: z.array(ZBudgetOutlook) }) } },
})

export const forecastSummary = endpoint({
  method: 'GET',
  path: '/api/v1/forecast/summary',
  tag: 'Forecast',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'Month- and quarter-end forecasts for every workflow and the top accounts',
  description: 'Workflows (at most 50) and the top accounts by spend over the history, each with its backtest error.',
  query: ZForecastSummaryQuery,
  responses: { 200: { description: 'Workflows first, then accounts, each by spend', schema: z.object({ rows: z.array(ZForecastSummaryRow) }) } },
  example: { query: { top_accounts: '5' } },
})
