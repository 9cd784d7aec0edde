import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import {
  ZCatalogAnswer,
  ZCatalogQuery,
  ZDiscrepanciesAnswer,
  ZDiscrepanciesQuery,
  ZOrgPrices,
  ZPricesPut,
  ZPricesPutAnswer,
  ZRepriceJobView,
  ZUnpricedModel,
} from '@/lib/prices/schema'

// The pricing endpoints' contract (PRODUCT.md "Prices"): the organization's own
// model and GPU pool prices over the shipped catalog, and what they re-price.
// Read with a "read" key or as any member; changed with a "write" key or prices.write.

const READ = { tag: 'Pricing', scope: 'read', permission: 'prices.read' } as const

export const listPrices = endpoint({
  method: 'GET',
  path: '/api/v1/prices',
  ...READ,
  summary: "The organization's own prices",
  description:
    'Model prices (per million tokens, per request, with long-context tiers) and GPU pool prices per hour, each from its effective date; they override the default catalog.',
  responses: { 200: { description: 'Every price version, by provider, model and effective date', schema: ZOrgPrices } },
})

export const putPrices = endpoint({
  method: 'PUT',
  path: '/api/v1/prices',
  tag: 'Pricing',
  scope: 'write',
  permission: 'prices.write',
  summary: 'Set model and GPU pool prices',
  description:
    'Upserts (the same provider, model and effective_from replaces) and schedules the re-pricing of exactly the events each price covers. 409 for a GPU pool priced by the GPU fleet (change it with PATCH /api/v1/gpu/pools).',
  body: { schema: ZPricesPut, maxBytes: 1024 * 1024, message: 'Invalid prices' },
  responses: { 200: { description: "The organization's prices now, and the re-pricing jobs scheduled", schema: ZPricesPutAnswer } },
  errors: [409],
  example: {
    body: { prices: [{ provider: 'openai', model: 'gpt-4o-mini', effective_from: '2026-01-01T00:00:00Z', input_per_mtok: '0.15', output_per_mtok: '0.6' }] },
  },
})

export const searchCatalog = endpoint({
  method: 'GET',
  path: '/api/v1/prices/catalog',
  ...READ,
  summary: "The default catalog's current prices",
  query: ZCatalogQuery,
  responses: {
    200: { description: 'At most 200 catalog prices in force now whose provider, model id or name contain every word of q', schema: ZCatalogAnswer },
  },
  example: { query: { q: 'gpt-4o' } },
})

export const listDiscrepancies = endpoint({
  method: 'GET',
  path: '/api/v1/prices/discrepancies',
  ...READ,
  summary: 'Where the provider-reported cost differs from ours',
  description:
    'Per model, the events of the period whose reported cost differs from the computed one by more than 1%. The period defaults to the last 30 days.',
  query: ZDiscrepanciesQuery,
  responses: { 200: { description: 'The period and the models, largest difference first (at most 200)', schema: ZDiscrepanciesAnswer } },
})

export const listUnpriced = endpoint({
  method: 'GET',
  path: '/api/v1/prices/unpriced',
  ...READ,
  summary: 'Models seen in events without a price',
  responses: { 200: { description: 'At most 200 models, most events first', schema: z.object({ models: z.array(ZUnpricedModel) }) } },
})

export const listRepriceJobs = endpoint({
  method: 'GET',
  path: '/api/v1/reprice-jobs',
  ...READ,
  summary: 'Re-pricing jobs and their progress',
  responses: { 200: { description: 'The latest 20 jobs, newest first', schema: z.object({ jobs: z.array(ZRepriceJobView) }) } },
})
