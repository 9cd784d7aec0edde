import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import { GATEWAY_MAX_BODY_BYTES, ZGatewayCalls, ZGatewayCallsQuery, ZGatewayProviders, ZPutGatewayProviders } from '@/lib/gateway/schema'

// The gateway's endpoints (PRODUCT.md "The gateway"): its configuration and live list (a "read"/"write" key or an
// admin/engineer session), and the provider-compatible endpoints the OpenAI and Anthropic SDKs call with a
// "gateway" key. Those answer as the provider would — errors included, in the provider's own error shape, not
// Outlay's — and are served by lib/gateway/http.ts (and server.ts's fast path), not withOrg.

export const listGatewayProviders = endpoint({
  method: 'GET',
  path: '/api/v1/gateway/providers',
  tag: 'Gateway',
  scope: 'read',
  permission: 'keys.manage',
  summary: "The organization's upstream providers, keys masked",
  responses: { 200: { description: 'Every configured upstream', schema: ZGatewayProviders } },
})

export const putGatewayProviders = endpoint({
  method: 'PUT',
  path: '/api/v1/gateway/providers',
  tag: 'Gateway',
  scope: 'write',
  permission: 'keys.manage',
  summary: "Replace the organization's upstream providers",
  description:
    "The whole list: a provider left out is removed; one sent without api_key keeps its stored key; a new api_key rotates it. Keys are stored encrypted. A base URL that resolves to a loopback, private, link-local or metadata address is refused unless ALLOW_PRIVATE_UPSTREAMS=true. An OpenAI-compatible base URL ends in /v1; Anthropic's is the host (https://api.anthropic.com).",
  body: { schema: ZPutGatewayProviders, maxBytes: 256 * 1024, message: 'Invalid request body' },
  responses: { 200: { description: 'The new list, keys masked', schema: ZGatewayProviders } },
})

export const gatewayCalls = endpoint({
  method: 'GET',
  path: '/api/v1/gateway/calls',
  tag: 'Gateway',
  scope: 'read',
  permission: 'metrics.read',
  summary: 'The latest calls through the gateway',
  description: 'One row per upstream attempt, newest first, as stored and priced by the ingest worker.',
  query: ZGatewayCallsQuery,
  responses: { 200: { description: 'The latest gateway events', schema: ZGatewayCalls } },
  example: { query: { limit: '5' } },
})

const ANSWER_HEADERS = {
  'x-outlay-event-id': 'the inference event of the attempt that answered',
  'x-outlay-model': 'the model that answered',
  'x-outlay-cost-usd': "its cost with the organization's prices, when priced (not on streamed answers: read the event)",
} as const

const providerCall = <P extends string>(path: P, summary: string, provider: string) =>
  endpoint({
    method: 'POST',
    path,
    tag: 'Gateway',
    scope: 'gateway',
    permission: null,
    summary,
    description: `${provider}'s own request and answer, passed through to the organization's upstream and measured as an inference event per attempt. Authentication: an Outlay API key with the "gateway" scope, as "Authorization: Bearer" or "x-api-key". Attribution headers: x-outlay-workflow-id, x-outlay-step, x-outlay-run-id, x-outlay-account-id, x-outlay-user-id, x-outlay-feature, x-outlay-environment, x-outlay-traffic-source, x-outlay-scenario-id, x-outlay-owner, x-outlay-prompt-version, x-outlay-event-id, x-outlay-metadata-<key>; x-outlay-upstream-key and x-outlay-provider choose the upstream. Errors are in ${provider}'s error shape; the upstream's errors pass through unchanged (any status).`,
    body: { raw: { contentTypes: ['application/json'], maxBytes: GATEWAY_MAX_BODY_BYTES, description: `${provider}'s request body` } },
    responses: {
      200: {
        description: `${provider}'s answer`,
        schema: z.looseObject({}),
        alternates: [{ contentType: 'text/event-stream', description: 'with "stream": true: the server-sent events, passed on as they arrive' }],
        headers: ANSWER_HEADERS,
      },
    },
    errors: [400, 404, 413, 422, 429, 502, 503, 504],
    errorSchema: provider === 'Anthropic' ? ZAnthropicError : ZOpenAIError,
  })

// The providers' own error shapes (Outlay's errors on these routes, and upstream errors passed through unchanged).
const ZOpenAIError = z
  .looseObject({
    error: z.looseObject({
      message: z.string(),
      type: z.string().nullable().optional(),
      code: z.string().nullable().optional(),
      param: z.string().nullable().optional(),
    }),
  })
  .meta({ description: 'OpenAI’s error shape' })
const ZAnthropicError = z
  .looseObject({ type: z.literal('error'), error: z.looseObject({ type: z.string(), message: z.string() }) })
  .meta({ description: 'Anthropic’s error shape' })

export const chatCompletions = providerCall('/api/v1/gateway/openai/v1/chat/completions', 'OpenAI Chat Completions through the gateway', 'OpenAI')
export const responses = providerCall('/api/v1/gateway/openai/v1/responses', 'OpenAI Responses through the gateway', 'OpenAI')
export const embeddings = providerCall('/api/v1/gateway/openai/v1/embeddings', 'OpenAI Embeddings through the gateway', 'OpenAI')
export const messages = providerCall('/api/v1/gateway/anthropic/v1/messages', 'Anthropic Messages through the gateway', 'Anthropic')
