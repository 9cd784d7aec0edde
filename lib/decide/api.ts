import { endpoint } from '@/lib/http/endpoint'
import { ZDecideAnswer, ZDecideRequest, ZNoPolicyAnswer } from '@/lib/decide/schema'

// POST /api/v1/decide (PRODUCT.md "Routing and budgets at run time"). API-key
// calls are answered by the web server's fast path (lib/http/fast-routes.ts)
// with this same limit and these same answers; sessions by the Next.js route.

export const decide = endpoint({
  method: 'POST',
  path: '/api/v1/decide',
  tag: 'Routing',
  scope: 'ingest',
  permission: 'metrics.read',
  summary: 'Which model to call, and may the call go ahead',
  description:
    "The run-time answer for one model call: the model under the step's published routing policy (canary, cascade on a low reported confidence, fallback on attempt > 1) and the verdict of the budgets covering the call's scope: allow, throttle (with retry_after_s and a Retry-After header) or deny. Reads memory and Redis only.",
  body: { schema: ZDecideRequest, maxBytes: 16 * 1024, message: 'Invalid decide request' },
  responses: {
    200: { description: 'The model and the budget verdict', schema: ZDecideAnswer, headers: { 'Retry-After': 'seconds, when the budget verdict is throttle' } },
  },
  errorAnswers: {
    404: {
      description:
        'No published policy covers the step (`no_policy`): the Error shape plus the same fields as a 200, with the routing default (GET /api/v1/routing-defaults) or null, and the budget verdict, which still applies',
      schema: ZNoPolicyAnswer,
      headers: { 'Retry-After': 'seconds, when the budget verdict is throttle' },
    },
  },
  example: { body: { workflow_id: 'support-bot', step: 'answer', run_id: 'run-42' } },
})
