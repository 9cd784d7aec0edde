import { z } from 'zod'

// The gateway's configuration and read contracts (lib/gateway/api.ts declares the endpoints with them).
// Client-safe: zod only (the Gateway settings page types its requests with them).

/** Request bodies larger than this are refused (images sent inline as base64 make requests large). */
export const GATEWAY_MAX_BODY_BYTES = 32 * 1024 * 1024

const ZProviderName = z
  .string({ error: 'must be a string' })
  .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'must be 1-64 lowercase letters, digits, ".", "_" or "-" (openai, anthropic, azure, openrouter, vllm, …)')

export const ZGatewayProvider = z.strictObject({
  provider: ZProviderName,
  base_url: z
    .string({ error: 'must be a string' })
    .max(2048, 'must be at most 2048 characters')
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), 'must be an http:// or https:// URL'),
  /** omitted: keep the key stored for this provider (a form that changes the URL only) */
  api_key: z.string({ error: 'must be a string' }).min(1, 'must not be empty').max(4096, 'must be at most 4096 characters').optional(),
})
export const ZPutGatewayProviders = z.strictObject({
  providers: z
    .array(ZGatewayProvider, { error: 'must be an array' })
    .max(20, 'must have at most 20 providers')
    .refine((l) => new Set(l.map((p) => p.provider)).size === l.length, 'must not name a provider twice'),
})
export type TPutGatewayProviders = z.infer<typeof ZPutGatewayProviders>

export const ZGatewayProviderView = z.object({
  provider: z.string(),
  base_url: z.string(),
  api_key: z.string().meta({ description: 'masked: the first 3 and last 4 characters' }),
  updated_at: z.iso.datetime(),
})
export type TGatewayProviderView = z.infer<typeof ZGatewayProviderView>
export const ZGatewayProviders = z.object({ providers: z.array(ZGatewayProviderView) })

export const ZGatewayCallsQuery = z.strictObject({
  limit: z.coerce.number({ error: 'must be a number' }).int('must be an integer').min(1, 'must be ≥ 1').max(200, 'must be ≤ 200').default(20),
})
export type TGatewayCallsQuery = z.infer<typeof ZGatewayCallsQuery>

export const ZGatewayCallRow = z.object({
  id: z.string(),
  timestamp: z.iso.datetime(),
  api: z.string(),
  workflow_id: z.string(),
  step: z.string(),
  provider: z.string().nullable(),
  model: z.string().nullable(),
  outcome: z.string(),
  attempt: z.number().nullable(),
  latency_ms: z.number().nullable(),
  tokens_in: z.number(),
  cached_tokens_in: z.number(),
  tokens_out: z.number(),
  max_tokens: z.number().nullable(),
  cost_usd: z.string().nullable().meta({ description: 'exact decimal, 6 decimals; null when unpriced' }),
  response_cache_hit: z.boolean().meta({ description: 'answered from the response cache (cost 0)' }),
  response_cache_savings_usd: z
    .string()
    .nullable()
    .meta({ description: "a cache hit's savings: the cost of the call it repeats (exact decimal, 6 decimals); null when not a hit or unknown" }),
})
export type TGatewayCallRow = z.infer<typeof ZGatewayCallRow>
export const ZGatewayCalls = z.object({ calls: z.array(ZGatewayCallRow) })
export type TGatewayCallsResponse = z.infer<typeof ZGatewayCalls>
