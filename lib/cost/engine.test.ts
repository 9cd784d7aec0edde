import { describe, expect, test } from 'vitest'
import { COST_SCALE, PriceBook, computeCost, modelKey, ratesFor, type TCostInput, type TGpuPoolPrice, type TModelPrice } from '@/lib/cost/engine'
import { resolveModelKey } from '@/lib/cost/models'
import { catalogModelPrice } from '@/lib/cost/catalog'
import { fromScaled, toScaled } from '@/lib/cost/money'

const T0 = new Date('2026-01-01T00:00:00.000Z')
const AT = new Date('2026-03-15T10:30:00.000Z')

function price(p: Partial<TModelPrice> & Pick<TModelPrice, 'input_per_mtok' | 'output_per_mtok'>): TModelPrice {
  return { provider: 'acme', model: 'm1', effective_from: T0, org_id: null, ...p }
}
const ev = (e: Partial<TCostInput>): TCostInput => ({ timestamp: AT, ...e })
const pool = (p: Partial<TGpuPoolPrice> = {}): TGpuPoolPrice => ({ pool: 'a100-prod', gpu_type: 'A100', gpu_hour_usd: '2.40', effective_from: T0, ...p })

// A Sonnet-like price with a 200k tier (USD per million tokens)
const TIERED = price({
  input_per_mtok: '3.00',
  cached_input_per_mtok: '0.30',
  cache_write_per_mtok: '3.75',
  output_per_mtok: '15.00',
  tiers: [{ above_input_tokens: 200_000, input_per_mtok: '6.00', cached_input_per_mtok: '0.60', cache_write_per_mtok: '7.50', output_per_mtok: '22.50' }],
})

describe('computeCost: the PRODUCT.md formula', () => {
  test('fresh input, cache reads, cache writes and output', () => {
    const r = computeCost(ev({ tokens_in: 10_000, cached_tokens_in: 6_000, cache_write_tokens: 2_000, tokens_out: 500 }), TIERED, null)
    // fresh = 10,000 − 6,000 − 2,000 = 2,000 × 3.00 = 6,000
    // read  = 6,000 × 0.30 = 1,800
    // write = 2,000 × 3.75 = 7,500
    // out   = 500 × 15.00 = 7,500
    // (6,000 + 1,800 + 7,500 + 7,500) / 1e6 = 22,800 / 1e6 = 0.0228
    // savings = 6,000·(3.00 − 0.30) − 2,000·(3.75 − 3.00) = 16,200 − 1,500 = 14,700 / 1e6 = 0.0147
    expect(r).toEqual({ priced: true, cost_usd: '0.022800000000', cache_savings_usd: '0.014700000000', price_effective_from: T0 })
  })

  test('cost has COST_SCALE (12) decimals', () => {
    expect(COST_SCALE).toBe(12)
    const r = computeCost(ev({ tokens_in: 1 }), price({ input_per_mtok: '0.02', output_per_mtok: '0' }), null)
    // 1 × 0.02 / 1e6 = 0.00000002
    expect(r).toMatchObject({ priced: true, cost_usd: '0.000000020000' })
  })

  test('a missing cached-input price means p_in (no discount)', () => {
    const p = price({ input_per_mtok: '2.50', output_per_mtok: '10.00' })
    const r = computeCost(ev({ tokens_in: 1_000, cached_tokens_in: 400, tokens_out: 100 }), p, null)
    // (600 × 2.50 + 400 × 2.50 + 100 × 10.00) / 1e6 = (1,500 + 1,000 + 1,000) / 1e6 = 0.0035
    // savings = 400·(2.50 − 2.50) = 0
    expect(r).toMatchObject({ priced: true, cost_usd: '0.003500000000', cache_savings_usd: '0.000000000000' })
    // an explicit null is the same as missing
    expect(computeCost(ev({ tokens_in: 1_000, cached_tokens_in: 400, tokens_out: 100 }), { ...p, cached_input_per_mtok: null }, null)).toEqual(r)
  })

  test('a missing cache-write price means p_in (no surcharge)', () => {
    const p = price({ input_per_mtok: '2.50', cached_input_per_mtok: '1.25', output_per_mtok: '10.00' })
    const r = computeCost(ev({ tokens_in: 1_000, cached_tokens_in: 200, cache_write_tokens: 300 }), p, null)
    // fresh 500 × 2.50 = 1,250; read 200 × 1.25 = 250; write 300 × 2.50 = 750 → 2,250 / 1e6 = 0.00225
    // savings = 200·(2.50 − 1.25) − 300·(2.50 − 2.50) = 250 / 1e6 = 0.00025
    expect(r).toMatchObject({ priced: true, cost_usd: '0.002250000000', cache_savings_usd: '0.000250000000' })
  })

  test('cache savings can be negative when writes cost more than reads save', () => {
    const r = computeCost(ev({ tokens_in: 10_000, cache_write_tokens: 10_000 }), TIERED, null)
    // cost = 10,000 × 3.75 / 1e6 = 0.0375
    // savings = 0·(3.00 − 0.30) − 10,000·(3.75 − 3.00) = −7,500 / 1e6 = −0.0075
    expect(r).toMatchObject({ priced: true, cost_usd: '0.037500000000', cache_savings_usd: '-0.007500000000' })
  })

  test('per-request price: Q · p_request, requests default to 1', () => {
    const p = price({ input_per_mtok: '0', output_per_mtok: '0', per_request: '0.002' })
    // 3 × 0.002 = 0.006
    expect(computeCost(ev({ requests: 3 }), p, null)).toMatchObject({ priced: true, cost_usd: '0.006000000000' })
    // default Q = 1 → 0.002
    expect(computeCost(ev({}), p, null)).toMatchObject({ priced: true, cost_usd: '0.002000000000' })

    const rerank = price({ input_per_mtok: '0.05', output_per_mtok: '0', per_request: '0.001' })
    // 2,000 × 0.05 / 1e6 = 0.0001, + 1 × 0.001 = 0.0011
    expect(computeCost(ev({ tokens_in: 2_000 }), rerank, null)).toMatchObject({ priced: true, cost_usd: '0.001100000000' })
  })

  test('GPU-hour price for a self-hosted call with only gpu_seconds + gpu_pool', () => {
    // (90 / 3600) × 2.40 = 0.025 × 2.40 = 0.06
    expect(computeCost(ev({ gpu_seconds: 90, gpu_pool: 'a100-prod' }), null, pool())).toEqual({
      priced: true,
      cost_usd: '0.060000000000',
      cache_savings_usd: '0.000000000000',
      price_effective_from: null,
    })
    // (1.5 / 3600) × 3.99 = 5.985 / 3600 = 0.0016625
    expect(computeCost(ev({ gpu_seconds: 1.5, gpu_pool: 'a100-prod' }), null, pool({ gpu_hour_usd: '3.99' }))).toMatchObject({ cost_usd: '0.001662500000' })
    // (1 / 3600) × 1.00 = 0.000277777777777… → 12 decimals, half up: 0.000277777778
    expect(computeCost(ev({ gpu_seconds: 1, gpu_pool: 'a100-prod' }), null, pool({ gpu_hour_usd: '1.00' }))).toMatchObject({ cost_usd: '0.000277777778' })
    // gpu_seconds as a decimal string: (36 / 3600) × 2.40 = 0.024
    expect(computeCost(ev({ gpu_seconds: '36', gpu_pool: 'a100-prod' }), null, pool())).toMatchObject({ cost_usd: '0.024000000000' })
  })

  test('GPU time and a token price add up', () => {
    const p = price({ input_per_mtok: '0.10', output_per_mtok: '0.10' })
    // tokens: (1,000 × 0.10 + 1,000 × 0.10) / 1e6 = 0.0002; GPU: (36 / 3600) × 1.00 = 0.01 → 0.0102
    const r = computeCost(ev({ tokens_in: 1_000, tokens_out: 1_000, gpu_seconds: 36, gpu_pool: 'p' }), p, pool({ gpu_hour_usd: '1.00' }))
    expect(r).toMatchObject({ priced: true, cost_usd: '0.010200000000', price_effective_from: T0 })
  })

  test('unpriced: no model price (reason no_model_price)', () => {
    expect(computeCost(ev({ provider: 'acme', model: 'nope', tokens_in: 10 }), null, null)).toEqual({ priced: false, reason: 'no_model_price' })
    // zero GPU seconds is not a self-hosted call
    expect(computeCost(ev({ gpu_seconds: 0, gpu_pool: 'a100-prod' }), null, pool())).toEqual({ priced: false, reason: 'no_model_price' })
  })

  test('unpriced: the GPU pool has no price (reason no_gpu_pool_price)', () => {
    expect(computeCost(ev({ gpu_seconds: 10, gpu_pool: 'h100-x' }), null, null)).toEqual({ priced: false, reason: 'no_gpu_pool_price' })
    // even with a token price, GPU time without a pool price stays unpriced
    expect(computeCost(ev({ tokens_in: 10, gpu_seconds: 10, gpu_pool: 'h100-x' }), TIERED, null)).toEqual({ priced: false, reason: 'no_gpu_pool_price' })
  })
})

describe('tiered prices', () => {
  test('exactly at the threshold (200,000 is NOT above 200,000) → base rates', () => {
    const r = computeCost(ev({ tokens_in: 200_000, tokens_out: 1_000 }), TIERED, null)
    // 200,000 × 3.00 + 1,000 × 15.00 = 600,000 + 15,000 = 615,000 / 1e6 = 0.615
    expect(r).toMatchObject({ priced: true, cost_usd: '0.615000000000' })
  })

  test('one token above → tier rates for ALL input and output tokens', () => {
    const r = computeCost(ev({ tokens_in: 200_001, tokens_out: 1_000 }), TIERED, null)
    // 200,001 × 6.00 + 1,000 × 22.50 = 1,200,006 + 22,500 = 1,222,506 / 1e6 = 1.222506
    expect(r).toMatchObject({ priced: true, cost_usd: '1.222506000000' })
  })

  test('tier cache rates apply to cache reads and writes', () => {
    const r = computeCost(ev({ tokens_in: 250_000, cached_tokens_in: 100_000, cache_write_tokens: 50_000, tokens_out: 2_000 }), TIERED, null)
    // fresh 100,000 × 6.00 = 600,000; read 100,000 × 0.60 = 60,000; write 50,000 × 7.50 = 375,000; out 2,000 × 22.50 = 45,000
    // 1,080,000 / 1e6 = 1.08
    // savings = 100,000·(6.00 − 0.60) − 50,000·(7.50 − 6.00) = 540,000 − 75,000 = 465,000 / 1e6 = 0.465
    expect(r).toMatchObject({ priced: true, cost_usd: '1.080000000000', cache_savings_usd: '0.465000000000' })
  })

  test('a tier without a cached price falls back to the TIER p_in, not the base cached price', () => {
    const p = price({
      input_per_mtok: '1.25',
      cached_input_per_mtok: '0.125',
      output_per_mtok: '10',
      tiers: [{ above_input_tokens: 200_000, input_per_mtok: '2.50', output_per_mtok: '15' }],
    })
    // 300,000 input of which 100,000 cached, all at the tier's 2.50: 300,000 × 2.50 / 1e6 = 0.75
    expect(computeCost(ev({ tokens_in: 300_000, cached_tokens_in: 100_000 }), p, null)).toMatchObject({
      cost_usd: '0.750000000000',
      cache_savings_usd: '0.000000000000',
    })
  })

  test('ratesFor picks the highest threshold strictly below the input size, whatever the tier order', () => {
    const p = price({
      input_per_mtok: '1',
      output_per_mtok: '2',
      tiers: [
        { above_input_tokens: 200_000, input_per_mtok: '3', output_per_mtok: '6' },
        { above_input_tokens: 100_000, input_per_mtok: '2', output_per_mtok: '4' },
      ],
    })
    // prices scaled by 1e9
    expect(ratesFor(p, 100_000).pIn).toBe(1_000_000_000n)
    expect(ratesFor(p, 100_001).pIn).toBe(2_000_000_000n)
    expect(ratesFor(p, 200_000).pOut).toBe(4_000_000_000n)
    expect(ratesFor(p, 200_001).pOut).toBe(6_000_000_000n)
    expect(ratesFor(TIERED, 200_000)).toEqual({ pIn: 3_000_000_000n, pCached: 300_000_000n, pWrite: 3_750_000_000n, pOut: 15_000_000_000n })
  })
})

describe('PriceBook', () => {
  test('effective_from in the middle of a day: 1 ms before → old price, at/after → new', () => {
    const change = new Date('2026-03-10T14:30:00.000Z')
    const book = new PriceBook([
      price({ input_per_mtok: '1.00', output_per_mtok: '2.00', effective_from: T0 }),
      price({ input_per_mtok: '0.50', output_per_mtok: '1.00', effective_from: change }),
    ])
    const call = (iso: string) => book.price({ provider: 'acme', model: 'm1', timestamp: new Date(iso), tokens_in: 1_000_000 })
    // 1,000,000 × 1.00 / 1e6 = 1.00 (old) ; 1,000,000 × 0.50 / 1e6 = 0.50 (new)
    expect(call('2026-03-10T14:29:59.999Z')).toEqual({
      priced: true,
      cost_usd: '1.000000000000',
      cache_savings_usd: '0.000000000000',
      price_effective_from: T0,
    })
    expect(call('2026-03-10T14:30:00.000Z')).toEqual({
      priced: true,
      cost_usd: '0.500000000000',
      cache_savings_usd: '0.000000000000',
      price_effective_from: change,
    })
    expect(call('2026-03-10T23:59:59.999Z')).toMatchObject({ cost_usd: '0.500000000000' })
    expect(call('2026-03-10T00:00:00.000Z')).toMatchObject({ cost_usd: '1.000000000000' })
    // before any price exists: unpriced
    expect(call('2025-12-31T23:59:59.999Z')).toEqual({ priced: false, reason: 'no_model_price' })
  })

  test('an organization override beats the catalog; the catalog applies before the override starts', () => {
    const overrideFrom = new Date('2026-02-01T00:00:00.000Z')
    const book = new PriceBook([
      price({ provider: 'openai', model: 'gpt-4o', input_per_mtok: '2.50', output_per_mtok: '10.00', effective_from: new Date(0) }),
      price({ provider: 'openai', model: 'gpt-4o', input_per_mtok: '2.00', output_per_mtok: '8.00', effective_from: overrideFrom, org_id: 'org-1' }),
      // a catalog update AFTER the override does not displace the negotiated price
      price({ provider: 'openai', model: 'gpt-4o', input_per_mtok: '3.00', output_per_mtok: '12.00', effective_from: new Date('2026-03-01T00:00:00.000Z') }),
    ])
    const call = (iso: string) => book.price({ provider: 'openai', model: 'gpt-4o', timestamp: new Date(iso), tokens_in: 1_000_000, tokens_out: 100_000 })
    // catalog: 1,000,000 × 2.50 + 100,000 × 10.00 = 2,500,000 + 1,000,000 = 3,500,000 / 1e6 = 3.5
    expect(call('2026-01-31T23:59:59.999Z')).toMatchObject({ cost_usd: '3.500000000000', price_effective_from: new Date(0) })
    // override: 1,000,000 × 2.00 + 100,000 × 8.00 = 2,000,000 + 800,000 = 2,800,000 / 1e6 = 2.8
    expect(call('2026-02-01T00:00:00.000Z')).toMatchObject({ cost_usd: '2.800000000000', price_effective_from: overrideFrom })
    expect(call('2026-03-15T00:00:00.000Z')).toMatchObject({ cost_usd: '2.800000000000', price_effective_from: overrideFrom })
    expect(book.modelPrice('openai', 'gpt-4o', new Date('2026-03-15T00:00:00.000Z'))?.org_id).toBe('org-1')
  })

  test('GPU pool prices are versioned by effective_from too', () => {
    const change = new Date('2026-03-10T12:00:00.000Z')
    const book = new PriceBook([], [pool({ gpu_hour_usd: '3.60' }), pool({ gpu_hour_usd: '1.80', effective_from: change })])
    const call = (iso: string) => book.price({ timestamp: new Date(iso), gpu_seconds: 100, gpu_pool: 'a100-prod' })
    // (100 / 3600) × 3.60 = 0.1 ; (100 / 3600) × 1.80 = 0.05
    expect(call('2026-03-10T11:59:59.999Z')).toMatchObject({ priced: true, cost_usd: '0.100000000000' })
    expect(call('2026-03-10T12:00:00.000Z')).toMatchObject({ priced: true, cost_usd: '0.050000000000' })
    expect(book.price({ timestamp: AT, gpu_seconds: 100, gpu_pool: 'unknown-pool' })).toEqual({ priced: false, reason: 'no_gpu_pool_price' })
    expect(book.price({ timestamp: AT, provider: 'acme', model: 'unknown', tokens_in: 5 })).toEqual({ priced: false, reason: 'no_model_price' })
  })

  test('model names: exact, case-insensitive, dated snapshots, provider prefix', () => {
    const book = new PriceBook([], [], catalogModelPrice)
    const model = (provider: string | null, m: string) => book.modelPrice(provider, m, AT)?.model ?? null
    expect(model('openai', 'gpt-4o')).toBe('gpt-4o')
    expect(model('OpenAI', 'GPT-4o')).toBe('gpt-4o')
    expect(model('openai', 'gpt-4o-2024-08-06')).toBe('gpt-4o')
    expect(model('anthropic', 'claude-sonnet-4-5-20250929')).toBe('claude-sonnet-4-5')
    expect(model(null, 'openai/gpt-4o')).toBe('gpt-4o')
    expect(model('openai', 'gpt-4o-mini')).toBe('gpt-4o-mini') // not mistaken for gpt-4o
    expect(model('openai', 'gpt-4o-mini-2024-07-18')).toBe('gpt-4o-mini')
    // no provider at all: the catalog (genai-prices) infers it from the model name, as the package does
    expect(model(null, 'gpt-4o')).toBe('gpt-4o')
    expect(book.modelPrice(null, 'gpt-4o', AT)?.provider).toBe('openai')
    expect(model('openai', 'gpt-unknown')).toBeNull()
    expect(book.modelPrice('openai', null, AT)).toBeNull()
  })
})

describe('resolveModelKey', () => {
  const known = new Set(['openai/gpt-4o', 'openai/gpt-4o-mini', 'anthropic/claude-sonnet-4-5', 'openai/gpt-4o-2024-05-13'])
  const has = (k: string) => known.has(k)

  test('exact and case-insensitive', () => {
    expect(resolveModelKey('openai', 'gpt-4o', has)).toBe('openai/gpt-4o')
    expect(resolveModelKey('OpenAI', ' GPT-4o ', has)).toBe('openai/gpt-4o')
    expect(modelKey('OpenAI', 'GPT-4o')).toBe('openai/gpt-4o')
  })

  test('dated snapshots', () => {
    expect(resolveModelKey('openai', 'gpt-4o-2024-08-06', has)).toBe('openai/gpt-4o')
    expect(resolveModelKey('anthropic', 'claude-sonnet-4-5-20250929', has)).toBe('anthropic/claude-sonnet-4-5')
    // a snapshot with its own price is matched exactly, before stripping the date
    expect(resolveModelKey('openai', 'gpt-4o-2024-05-13', has)).toBe('openai/gpt-4o-2024-05-13')
  })

  test('provider prefix with provider omitted', () => {
    expect(resolveModelKey(null, 'openai/gpt-4o', has)).toBe('openai/gpt-4o')
    expect(resolveModelKey('', 'openai/gpt-4o-2024-08-06', has)).toBe('openai/gpt-4o')
    // a given provider is kept; the prefix is only dropped from the model
    expect(resolveModelKey('openai', 'openai/gpt-4o', has)).toBe('openai/gpt-4o')
  })

  test('no match', () => {
    expect(resolveModelKey(null, 'gpt-4o', has)).toBeNull()
    expect(resolveModelKey('openai', 'gpt-5', has)).toBeNull()
    expect(resolveModelKey('mistral', 'gpt-4o', has)).toBeNull()
  })
})

describe('exact sums', () => {
  test('10,000 embedding calls of 7 tokens at $0.02/Mtok sum exactly to $0.0014', () => {
    const book = new PriceBook([], [], catalogModelPrice)
    let sum = 0n // USD × 1e12
    let floatSum = 0
    for (let i = 0; i < 10_000; i++) {
      const r = book.price({ provider: 'openai', model: 'text-embedding-3-small', timestamp: AT, tokens_in: 7 })
      if (!r.priced) throw new Error('unpriced')
      // one call: 7 × 0.02 / 1e6 = 0.00000014
      expect(r.cost_usd).toBe('0.000000140000')
      sum += toScaled(r.cost_usd, COST_SCALE)
      floatSum += Number(r.cost_usd)
    }
    // Independent bigint: 70,000 tokens × 2 (cents per Mtok) = 140,000 cent·tok/Mtok → 140,000 / 100 / 1e6 USD
    //   = 0.0014 USD = 1,400,000,000 × 1e-12
    const exact = (7n * 10_000n * 2n * 10n ** 12n) / (100n * 1_000_000n)
    expect(exact).toBe(1_400_000_000n)
    expect(sum).toBe(exact)
    expect(fromScaled(sum, COST_SCALE)).toBe('0.001400000000')
    // The binary float sum of the same 10,000 costs drifts (0.001400000000000208)
    expect(floatSum).not.toBe(0.0014)
  })
})

describe('the real catalog', () => {
  test('one Anthropic claude-sonnet-4-5 call with cache reads and cache writes', () => {
    const book = new PriceBook([], [], catalogModelPrice)
    // Anthropic usage: input_tokens 2,000 + cache_read 40,000 + cache_creation 8,000 → tokens_in 50,000
    const r = book.price({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      timestamp: AT,
      tokens_in: 50_000,
      cached_tokens_in: 40_000,
      cache_write_tokens: 8_000,
      tokens_out: 1_200,
    })
    // catalog: in 3.00, cached 0.30, write 3.75, out 15.00
    // fresh 2,000 × 3.00 = 6,000; read 40,000 × 0.30 = 12,000; write 8,000 × 3.75 = 30,000; out 1,200 × 15.00 = 18,000
    // 66,000 / 1e6 = 0.066
    // savings = 40,000·(3.00 − 0.30) − 8,000·(3.75 − 3.00) = 108,000 − 6,000 = 102,000 / 1e6 = 0.102
    expect(r).toEqual({ priced: true, cost_usd: '0.066000000000', cache_savings_usd: '0.102000000000', price_effective_from: new Date(0) })
  })

  test('claude-sonnet-4-5 above 200k input uses the long-context tier for the whole call', () => {
    const book = new PriceBook([], [], catalogModelPrice)
    const r = book.price({ provider: 'anthropic', model: 'claude-sonnet-4-5', timestamp: AT, tokens_in: 250_000, cached_tokens_in: 200_000, tokens_out: 1_000 })
    // tier: in 6.00, cached 0.60, out 22.50
    // fresh 50,000 × 6.00 = 300,000; read 200,000 × 0.60 = 120,000; out 1,000 × 22.50 = 22,500 → 442,500 / 1e6 = 0.4425
    // savings = 200,000·(6.00 − 0.60) = 1,080,000 / 1e6 = 1.08
    expect(r).toMatchObject({ priced: true, cost_usd: '0.442500000000', cache_savings_usd: '1.080000000000' })
  })
})
