import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import {
  ZDiffAnswer,
  ZDiffQuery,
  ZDraftPatch,
  ZDraftPatchByKey,
  ZEvalImportAnswer,
  ZEvalListQuery,
  ZEvalsBody,
  ZEvalView,
  ZPolicyAnswer,
  ZPolicyCreate,
  ZPolicyId,
  ZPolicyListQuery,
  ZPolicyView,
  ZPublish,
  ZRollback,
  ZWithdraw,
  ZRoutingDefaults,
  ZRoutingDefaultsAnswer,
  ZSimulateAnswer,
  ZSimulateQuery,
} from '@/lib/routing/schema'

// The routing endpoints' contract (PRODUCT.md "Routing"): policies as code, eval
// results and the defaults decide answers without a policy. Read with a "read"
// key or as any member; changed with a "write" key or routing.write.

const READ = { tag: 'Routing', scope: 'read', permission: 'metrics.read' } as const
const WRITE = { tag: 'Routing', scope: 'write', permission: 'routing.write' } as const

export const listPolicies = endpoint({
  method: 'GET',
  path: '/api/v1/policies',
  ...READ,
  summary: 'List routing policies',
  description: 'One policy per workflow step (optionally per environment and/or account), with the version in force and its selected model.',
  query: ZPolicyListQuery,
  responses: { 200: { description: 'The policies, by workflow, step, environment and account', schema: z.object({ policies: z.array(ZPolicyView) }) } },
  example: { query: { workflow_id: 'support-bot' } },
})

export const createPolicy = endpoint({
  method: 'POST',
  path: '/api/v1/policies',
  ...WRITE,
  summary: 'Create a routing policy with its first draft',
  description:
    'The policy for a workflow step (and optionally an environment and an account); its rules become version 1, a draft. 409 when a policy for the same segment exists: edit its draft with PATCH.',
  body: { schema: ZPolicyCreate, maxBytes: 64 * 1024, message: 'Invalid routing policy' },
  responses: { 201: { description: 'The policy with its versions', schema: ZPolicyAnswer } },
  errors: [409],
  example: {
    body: {
      workflow_id: 'support-bot',
      step: 'answer',
      quality_bar: [{ metric: 'grounding', min: 0.9 }],
      candidates: [
        { provider: 'openai', model: 'gpt-4o-mini' },
        { provider: 'anthropic', model: 'claude-3-5-haiku' },
      ],
    },
  },
})

export const editPolicyByKey = endpoint({
  method: 'PATCH',
  path: '/api/v1/policies',
  ...WRITE,
  summary: 'Edit the draft of the policy named by its segment',
  description:
    'Policies as code need no ids: the policy is named by workflow_id, step, environment and account_id; the other fields change its draft (made from the version in force when there is none).',
  body: { schema: ZDraftPatchByKey, maxBytes: 64 * 1024, message: 'Invalid policy draft' },
  responses: { 200: { description: 'The policy with its versions', schema: ZPolicyAnswer } },
  errors: [404],
})

export const getPolicy = endpoint({
  method: 'GET',
  path: '/api/v1/policies/{id}',
  ...READ,
  summary: 'One routing policy with its versions',
  description: 'Every version, newest first, with what it changed against the one before and, once published, the selection it froze.',
  params: ZPolicyId,
  responses: { 200: { description: 'The policy with its versions', schema: ZPolicyAnswer } },
})

export const editPolicy = endpoint({
  method: 'PATCH',
  path: '/api/v1/policies/{id}',
  ...WRITE,
  summary: "Edit a policy's draft",
  description: 'Changes fields of the draft; without a draft, one is made from the version in force.',
  params: ZPolicyId,
  body: { schema: ZDraftPatch, maxBytes: 64 * 1024, message: 'Invalid policy draft' },
  responses: { 200: { description: 'The policy with its versions', schema: ZPolicyAnswer } },
})

export const diffPolicy = endpoint({
  method: 'GET',
  path: '/api/v1/policies/{id}/diff',
  ...READ,
  summary: 'What changed between two versions of a policy',
  params: ZPolicyId,
  query: ZDiffQuery,
  responses: { 200: { description: 'The changes field by field, and the model each version selected', schema: ZDiffAnswer } },
})

export const publishPolicy = endpoint({
  method: 'POST',
  path: '/api/v1/policies/{id}/publish',
  ...WRITE,
  summary: "Publish a policy's draft",
  description:
    'Computes the selection from the eval results and the cost per call, freezes it in the version and makes it the version in force (every decide process picks it up within a second). 409 `not_publishable` when there is no draft or no candidate clears the bar (`details.candidates` says why).',
  params: ZPolicyId,
  body: { schema: ZPublish, maxBytes: 16 * 1024, message: 'Invalid publish request' },
  responses: { 200: { description: 'The policy with its versions', schema: ZPolicyAnswer } },
  errors: [409],
})

export const rollbackPolicy = endpoint({
  method: 'POST',
  path: '/api/v1/policies/{id}/rollback',
  ...WRITE,
  summary: 'Roll a policy back to an older published version',
  description: 'Publishes a copy of that version (its rules and its frozen selection, without a canary: all traffic at once). An open draft keeps its content.',
  params: ZPolicyId,
  body: { schema: ZRollback, maxBytes: 16 * 1024, message: 'Invalid rollback request' },
  responses: { 200: { description: 'The policy with its versions', schema: ZPolicyAnswer } },
  errors: [409],
})

export const withdrawPolicy = endpoint({
  method: 'POST',
  path: '/api/v1/policies/{id}/withdraw',
  ...WRITE,
  summary: "Withdraw a policy: the step returns to the caller's default model",
  description:
    "No version is in force any more: decide answers as for a step without a policy (the caller's default model). The way back from a first policy, e.g. a first canary, which has no older version to roll back to. The versions and the draft stay; publishing or a rollback puts a version in force again. 409 when no version is in force.",
  params: ZPolicyId,
  body: { schema: ZWithdraw, maxBytes: 16 * 1024, message: 'Invalid withdraw request' },
  responses: { 200: { description: 'The policy with its versions', schema: ZPolicyAnswer } },
  errors: [409],
})

export const simulatePolicy = endpoint({
  method: 'GET',
  path: '/api/v1/policies/{id}/simulate',
  ...READ,
  summary: 'Replay the draft over recent production calls',
  description:
    "The draft (or, without one, the version in force) replayed over the step's production calls of the last `days` days: estimated against actual cost, per month, the share of calls per model, expected quality and escalations.",
  params: ZPolicyId,
  query: ZSimulateQuery,
  responses: { 200: { description: "The version's evidence and the simulation", schema: ZSimulateAnswer } },
})

export const listEvals = endpoint({
  method: 'GET',
  path: '/api/v1/evals',
  ...READ,
  summary: "A workflow step's eval results",
  query: ZEvalListQuery,
  responses: { 200: { description: 'The latest 1000 results, newest run first', schema: z.object({ evals: z.array(ZEvalView) }) } },
  example: { query: { workflow_id: 'support-bot', step: 'answer' } },
})

export const importEvals = endpoint({
  method: 'POST',
  path: '/api/v1/evals',
  ...WRITE,
  summary: 'Import eval results',
  description:
    'Scores per metric for a model on a workflow step. A run’s token totals are recorded as inference events with traffic_source "eval", priced like any event (its cost shows in spend).',
  body: { schema: ZEvalsBody, maxBytes: 1024 * 1024, message: 'Invalid eval results' },
  responses: { 201: { description: 'How many were imported, their ids, and the cost events recorded', schema: ZEvalImportAnswer } },
  example: {
    body: {
      evals: [
        {
          eval_set: 'support-v3',
          workflow_id: 'support-bot',
          step: 'answer',
          provider: 'openai',
          model: 'gpt-4o-mini',
          scores: { grounding: 0.93 },
          sample_count: 200,
        },
      ],
    },
  },
})

export const listRoutingDefaults = endpoint({
  method: 'GET',
  path: '/api/v1/routing-defaults',
  ...READ,
  summary: 'The models decide answers without a policy',
  description:
    'Per workflow, or the organization’s (workflow_id null): what POST /api/v1/decide answers (with 404 `no_policy`) when no published policy covers a step.',
  responses: { 200: { description: 'The defaults', schema: ZRoutingDefaultsAnswer } },
})

export const putRoutingDefaults = endpoint({
  method: 'PUT',
  path: '/api/v1/routing-defaults',
  ...WRITE,
  summary: 'Replace the routing defaults',
  body: { schema: ZRoutingDefaults, maxBytes: 256 * 1024, message: 'Invalid routing defaults' },
  responses: { 200: { description: 'The defaults now', schema: ZRoutingDefaultsAnswer } },
  example: { body: { defaults: [{ workflow_id: null, provider: 'openai', model: 'gpt-4o-mini' }] } },
})
