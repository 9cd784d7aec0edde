import { endpoint } from '@/lib/http/endpoint'
import { ZDecisionRecord, ZDecisionRecordQuery } from '@/lib/decision-record/schema'

// The decision record (PRODUCT.md "Decision record"): an API key with "read", or a
// signed-in member who may read spend.

export const decisionRecord = endpoint({
  method: 'GET',
  path: '/api/v1/decision-record',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: "A workflow step's decision record, filled from data",
  description:
    'The scenario and owner the step’s events carry, the models seen with their raw and cache-adjusted cost per call, retry rate and latency, the cheapest option with enough calls, and the workflow’s quality pass rate and accepted outcome rate. format=markdown: the same as a Markdown document.',
  query: ZDecisionRecordQuery,
  responses: {
    200: {
      description: 'The record',
      schema: ZDecisionRecord,
      alternates: [{ contentType: 'text/markdown', description: 'format=markdown: the record as a Markdown document' }],
    },
  },
  example: { query: { workflow_id: 'support-bot', step: 'answer' } },
})
