import { endpoint } from '@/lib/http/endpoint'
import { ZFeatureSloDeleteQuery, ZFeatureSlosPut, ZFeatureSlosResponse } from '@/lib/slos/schema'

// The feature SLOs' contract (PRODUCT.md "Features"): the most one run of a feature
// should cost. Read with a "read" key or as any member; changed with a "write" key
// or slos.write. Every answer is the full list.

const LIST = { description: 'Every feature SLO of the organization, by feature', schema: ZFeatureSlosResponse }

export const listFeatureSlos = endpoint({
  method: 'GET',
  path: '/api/v1/feature-slos',
  tag: 'Features',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'Per-feature cost SLOs (USD per run)',
  responses: { 200: LIST },
})

export const putFeatureSlos = endpoint({
  method: 'PUT',
  path: '/api/v1/feature-slos',
  tag: 'Features',
  scope: 'write',
  permission: 'slos.write',
  summary: 'Set the cost SLOs of one or more features',
  description: 'Inserts or replaces the target of each feature sent, in one transaction; features not sent keep theirs.',
  body: { schema: ZFeatureSlosPut, maxBytes: 256 * 1024, message: 'Invalid feature SLOs' },
  responses: { 200: LIST },
  example: { body: { slos: [{ feature: 'summarize', target_usd_per_action: '0.05' }] } },
})

export const deleteFeatureSlo = endpoint({
  method: 'DELETE',
  path: '/api/v1/feature-slos',
  tag: 'Features',
  scope: 'write',
  permission: 'slos.write',
  summary: "Remove a feature's cost SLO",
  query: ZFeatureSloDeleteQuery,
  responses: { 200: LIST },
  errors: [404],
})
