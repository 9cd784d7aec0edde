import { endpoint } from '@/lib/http/endpoint'
import { ZChangesQuery, ZChangesResponse } from '@/lib/changes/schema'

// What changed (PRODUCT.md "What changed"): an API key with "read", or a signed-in member.

export const changes = endpoint({
  method: 'GET',
  path: '/api/v1/changes',
  tag: 'Metrics',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'The spend delta between two periods, split into its causes',
  description:
    'Period B against period A (each at most 400 days), from the rollups: the delta split into volume, tokens per call (weighted by each model’s list rates), model mix, price and retries, each with a plain explanation, and the workflows, steps, accounts and models that moved most.',
  query: ZChangesQuery,
  responses: { 200: { description: 'The two periods, the parts and the top contributors', schema: ZChangesResponse } },
  example: { query: { a_from: '2026-11-01', a_to: '2026-11-08', b_from: '2026-11-08', b_to: '2026-11-15' } },
})
