import { endpoint } from '@/lib/http/endpoint'
import { z } from 'zod'
import { ZMetricsAnswer, ZMetricsQuery, ZStepMedian, ZStepMediansQuery, ZAccountAnomaly } from '@/lib/metrics/schema'

// The metrics endpoints' contract (PRODUCT.md "Metrics API"): sums over the
// rollups, never the raw events. An API key with "read", or a signed-in member
// who may read spend.

export const metrics = endpoint({
  method: 'GET',
  path: '/api/v1/metrics',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: 'Rolled-up cost and usage, grouped and filtered',
  description:
    'Sums of cost, tokens, calls, runs, latency and outcomes over a period (default the last 30 days, hours rounded down), grouped by any dimensions, per hour or day or in one bucket, largest spend first within a bucket. Filters take comma lists. Outcome measures appear when the grouping and filters use only workflow_id, feature, account_id (environment and traffic_source filters allowed). With measures=…, each row carries events and the measures asked for only.',
  query: ZMetricsQuery,
  responses: { 200: { description: 'One row per bucket and group', schema: ZMetricsAnswer } },
  example: { query: { group_by: 'workflow_id', granularity: 'day', environment: 'production' } },
})

export const stepMedians = endpoint({
  method: 'GET',
  path: '/api/v1/metrics/step-medians',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: "Per workflow step, the median account's calls per run",
  description:
    'An account’s calls per run at a step are its calls at that step ÷ its runs of the workflow; the median is taken over the accounts with both in the period.',
  query: ZStepMediansQuery,
  responses: { 200: { description: 'One row per workflow step', schema: z.object({ rows: z.array(ZStepMedian) }) } },
  example: { query: { environment: 'production' } },
})

export const accountAnomalies = endpoint({
  method: 'GET',
  path: '/api/v1/metrics/account-anomalies',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: 'Customer accounts whose calls per run at a step stand out from the median account’s',
  description:
    'The account page’s anomaly flags for every account at once: each account × workflow step where the account’s calls per run are at least 1.5× the median account’s and 0.5 more, with at least 5 runs of the workflow and 3 accounts to compare with (e.g. an integration that triggers a double retrieval). Largest excess first.',
  query: ZStepMediansQuery,
  responses: { 200: { description: 'One row per flagged account × step', schema: z.object({ rows: z.array(ZAccountAnomaly) }) } },
  example: { query: { environment: 'production' } },
})
