import { z } from 'zod'
import { endpoint } from '@/lib/http/endpoint'
import {
  MAX_SAMPLES,
  ZFleetQuery,
  ZFleetSummary,
  ZPoolAnswer,
  ZPoolChangeAnswer,
  ZPoolCreate,
  ZPoolId,
  ZPoolPatch,
  ZPoolView,
  ZSamplesAnswer,
  ZSamplesQuery,
  ZSelfHostingAnswer,
} from '@/lib/gpu/schema'

// The GPU fleet endpoints' contract (PRODUCT.md "GPU fleet"): pools by role with
// their size and price versions, utilization samples, and the fleet page's
// numbers. Read with a "read" key or as any member (fleet.read); pools changed
// with a "write" key, samples sent with an "ingest" key, or as an
// admin/engineer/finance member (fleet.write).

const TAG = 'GPU fleet'
const READ = { tag: TAG, scope: 'read', permission: 'fleet.read' } as const
const WRITE = { tag: TAG, scope: 'write', permission: 'fleet.write' } as const
const POOL_BODY = { maxBytes: 64 * 1024, message: 'Invalid pool' } as const
export const SAMPLES_MAX_BYTES = 4 * 1024 * 1024

export const fleetSummary = endpoint({
  method: 'GET',
  path: '/api/v1/gpu/fleet',
  ...READ,
  summary: "The fleet's cost, idle cost and utilization",
  description:
    'Over the last `days` days: cost per role and per pool, the share paid for idle GPUs (from the hourly utilization of the samples), the cost of hours without samples, daily utilization per pool, and right-sizing hints from the p95 of the hourly utilization.',
  query: ZFleetQuery,
  responses: { 200: { description: 'The period, totals, roles, pools, daily utilization and right-sizing hints', schema: ZFleetSummary } },
  example: { query: { days: '30' } },
})

export const selfHosting = endpoint({
  method: 'GET',
  path: '/api/v1/gpu/self-hosting',
  ...READ,
  summary: 'Each pool against the API: where self-hosting wins or loses',
  description:
    'Over the last `days` days, per pool: its paid capacity (idle hours included) per million tokens served, beside what the same calls would cost through an API — the open-weight model it runs at a hosted provider’s list price, or the API models the same workflow steps use at their billed rate, the cheapest per model — with the ratio, a verdict, and the utilization at which the two would break even.',
  query: ZFleetQuery,
  responses: { 200: { description: 'The period and every pool’s comparison', schema: ZSelfHostingAnswer } },
  example: { query: { days: '30' } },
})

export const listPools = endpoint({
  method: 'GET',
  path: '/api/v1/gpu/pools',
  ...READ,
  summary: 'The GPU pools with their versions',
  responses: {
    200: { description: 'Every pool by name, with the version in force now and all its versions', schema: z.object({ pools: z.array(ZPoolView) }) },
  },
})

export const createPool = endpoint({
  method: 'POST',
  path: '/api/v1/gpu/pools',
  ...WRITE,
  summary: 'Create a GPU pool',
  description:
    'A pool of GPUs of one type and role, priced per GPU-hour (hourly) or by purchase price amortized over months plus power and hosting. Its name is the `gpu_pool` self-hosted events carry: they are priced from the pool (and re-priced from effective_from). 409 when a pool has the name.',
  body: { schema: ZPoolCreate, ...POOL_BODY },
  responses: { 201: { description: 'The pool, and the re-pricing jobs scheduled', schema: ZPoolChangeAnswer } },
  errors: [409],
  example: {
    body: {
      name: 'gpu-prod-a100',
      role: 'production',
      gpu_type: 'A100-80GB',
      region: 'eu-west-1',
      gpu_count: 8,
      pricing: 'hourly',
      gpu_hour_usd: '2.10',
      serves: ['support-bot'],
    },
  },
})

export const updatePoolByName = endpoint({
  method: 'PATCH',
  path: '/api/v1/gpu/pools',
  ...WRITE,
  summary: 'Change the GPU pool named in the body',
  description: 'As PATCH /api/v1/gpu/pools/{id}, for the pool whose `name` the body gives (required here). 404 when no pool has that name.',
  body: { schema: ZPoolPatch, ...POOL_BODY },
  responses: { 200: { description: 'The changed pool, and the re-pricing jobs scheduled', schema: ZPoolChangeAnswer } },
  errors: [404],
})

export const getPool = endpoint({
  method: 'GET',
  path: '/api/v1/gpu/pools/{id}',
  ...READ,
  summary: 'One GPU pool with its versions',
  params: ZPoolId,
  responses: { 200: { description: 'The pool', schema: ZPoolAnswer } },
})

export const updatePool = endpoint({
  method: 'PATCH',
  path: '/api/v1/gpu/pools/{id}',
  ...WRITE,
  summary: 'Change a GPU pool',
  description:
    'Role, GPU type, region, what it serves and its allocation change at once. A size or price change is a new version from effective_from (default now), carrying what it does not name from the version in force then, and re-prices the events it covers. The name cannot change (events carry it).',
  params: ZPoolId,
  body: { schema: ZPoolPatch, ...POOL_BODY },
  responses: { 200: { description: 'The changed pool, and the re-pricing jobs scheduled', schema: ZPoolChangeAnswer } },
})

export const ingestSamples = endpoint({
  method: 'POST',
  path: '/api/v1/gpu/samples',
  tag: TAG,
  scope: 'ingest',
  permission: 'fleet.write',
  summary: 'Send GPU utilization samples',
  description: `JSON {"samples": [...]} (1 to ${MAX_SAMPLES.toLocaleString('en-US')}), each {timestamp, pool, gpu_index?, utilization_pct (0–100), memory_used_mib?} (gpu_index absent: the pool's mean); or, with Content-Type text/csv and ?pool=<name>, the output of nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv (timestamps in utc_offset, default UTC). Each sample is validated on its own: the valid ones are stored, a sample already received (pool, GPU, timestamp) counts as a duplicate, and the others are listed with "field: reason". 404 when the CSV's pool does not exist.`,
  query: ZSamplesQuery,
  body: {
    raw: {
      contentTypes: ['application/json', 'text/csv', 'text/plain'],
      maxBytes: SAMPLES_MAX_BYTES,
      description: 'JSON {"samples": [...]}, or nvidia-smi CSV output (text/csv or text/plain, UTF-8) with ?pool=.',
    },
  },
  responses: { 200: { description: 'How many samples were stored, duplicates, and the rejected ones (by index, or CSV line)', schema: ZSamplesAnswer } },
  errors: [404],
})
