import { endpoint } from '@/lib/http/endpoint'
import { ZCallsAnswer, ZCallsQuery, ZRunAnswer, ZRunParams } from '@/lib/calls/schema'

// The calls behind the figures (docs/calls.md): the individual inference events, filtered and paged, and one
// run's calls in order. Read like the metrics API: an API key with "read", or a member who may read spend.

export const listCalls = endpoint({
  method: 'GET',
  path: '/api/v1/calls',
  tag: 'Calls',
  scope: 'read',
  permission: 'spend.read',
  summary: 'The individual calls, filtered, newest first, a page at a time',
  description:
    'One row per inference event, as ingested and priced, newest first (timestamp, then id), filtered by period (default the last 30 days), any dimension (comma lists), run, outcome and cost range. Keyset paging: pass next_cursor as cursor with the same filters; every call appears on exactly one page.',
  query: ZCallsQuery,
  responses: { 200: { description: 'A page of calls', schema: ZCallsAnswer } },
  example: { query: { workflow_id: 'support', outcome: 'retry,error', limit: '20' } },
})

export const getRun = endpoint({
  method: 'GET',
  path: '/api/v1/runs/{run_id}',
  tag: 'Calls',
  scope: 'read',
  permission: 'spend.read',
  summary: "One run's calls in order, with totals",
  description: 'Every call that carries this run_id, oldest first (at most 5,000 listed), with the totals of the whole run. 404 when no call carries it.',
  params: ZRunParams,
  responses: { 200: { description: 'The run', schema: ZRunAnswer } },
})
