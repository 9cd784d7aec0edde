import { endpoint } from '@/lib/http/endpoint'
import { ZDecision, ZDecisionCreate, ZDecisionList, ZDecisionListQuery, ZDecisionRecord, ZDecisionRecordQuery } from '@/lib/decision-record/schema'

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

// Saved decisions: listed like the record (a "read" key or spend.read); saved by those who may change routing
// (a "write" key or routing.write: admin, engineer), never a viewer or a read key.

export const listDecisions = endpoint({
  method: 'GET',
  path: '/api/v1/decision-record/decisions',
  tag: 'Metrics',
  scope: 'read',
  permission: 'spend.read',
  summary: "A workflow step's saved decisions, newest first",
  description: 'Each with who chose which model and when, the note, the period, key figures of that day and the decision record as it was then (at most 100).',
  query: ZDecisionListQuery,
  responses: { 200: { description: 'The decisions', schema: ZDecisionList } },
  example: { query: { workflow_id: 'support-bot', step: 'answer' } },
})

export const saveDecision = endpoint({
  method: 'POST',
  path: '/api/v1/decision-record/decisions',
  tag: 'Metrics',
  scope: 'write',
  permission: 'routing.write',
  summary: "Save a step's decision record as a dated decision",
  description:
    'Computes the step’s decision record for the period (as GET /api/v1/decision-record) and stores it with the chosen model — one of its served options or eval candidates, else 400 — the note, who saved it and when. Audited.',
  body: { schema: ZDecisionCreate, maxBytes: 16 * 1024, message: 'Invalid decision' },
  responses: { 201: { description: 'The saved decision', schema: ZDecision } },
})
