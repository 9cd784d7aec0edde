import { readFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, test, vi } from 'vitest'
import { calcPrice, findProvider, type ModelInfo } from '@pydantic/genai-prices'
import { CATALOG_AS_OF, CATALOG_PROVIDERS, CATALOG_SOURCE, catalogModelPrice, convertModelPrice, decimalOf, searchCatalog } from '@/lib/cost/catalog'
import { PriceBook, computeCost, type TCostInput, type TModelPrice } from '@/lib/cost/engine'

const EPOCH = new Date(0)
const AT = new Date('2026-11-25T20:00:00.000Z') // 20:00 UTC: outside every off-peak window in the data
const price = (provider: string | null | undefined, model: string, at: Date = AT) => catalogModelPrice(provider, model, at)

afterEach(() => {
  vi.restoreAllMocks()
})

describe('source', () => {
  test('CATALOG_SOURCE names the installed package version', () => {
    const pkg = JSON.parse(readFileSync(path.join(process.cwd(), 'node_modules/@pydantic/genai-prices/package.json'), 'utf8')) as { version: string }
    expect(CATALOG_SOURCE).toContain(`@pydantic/genai-prices@${pkg.version}`)
    expect(CATALOG_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/)
  })

  test('offline: lookups never fetch', () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch')
    expect(price('openai', 'gpt-4o-2024-11-20')).not.toBeNull()
    expect(price('nobody', 'nothing-at-all')).toBeNull()
    expect(fetchSpy).not.toHaveBeenCalled()
  })
})

describe('decimalOf: shortest round-trip decimal, exponent expanded', () => {
  test.each([
    [2.5, '2.5'],
    [0.075, '0.075'],
    [10, '10'],
    [0, '0'],
    [1e-7, '0.0000001'],
    [2.5e-7, '0.00000025'],
    [1.5e21, '1500000000000000000000'],
    [0.18000000000000002, '0.18000000000000002'], // what the data says, not rounded here (the engine rounds at PRICE_SCALE)
    [0.1 + 0.2, '0.30000000000000004'],
  ])('%s → %s', (n, s) => {
    expect(decimalOf(n)).toBe(s)
  })

  test('rejects non-prices', () => {
    expect(() => decimalOf(-1)).toThrow()
    expect(() => decimalOf(Number.NaN)).toThrow()
  })
})

describe('known prices (USD per million tokens)', () => {
  test('openai gpt-4o, gpt-4o-mini, text-embedding-3-small', () => {
    expect(price('openai', 'gpt-4o')).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      effective_from: EPOCH,
      input_per_mtok: '2.5',
      cached_input_per_mtok: '1.25',
      cache_write_per_mtok: null,
      output_per_mtok: '10',
      per_request: null,
      tiers: null,
      org_id: null,
    })
    expect(price('openai', 'gpt-4o-mini')).toMatchObject({
      model: 'gpt-4o-mini',
      input_per_mtok: '0.15',
      cached_input_per_mtok: '0.075',
      output_per_mtok: '0.6',
      tiers: null,
    })
    // an embedding: no output price → "0"; no cache price
    expect(price('openai', 'text-embedding-3-small')).toMatchObject({
      input_per_mtok: '0.02',
      cached_input_per_mtok: null,
      output_per_mtok: '0',
      per_request: null,
    })
  })

  test('anthropic claude-sonnet-4-5 with its 200k tier, claude-haiku-4-5 without', () => {
    expect(price('anthropic', 'claude-sonnet-4-5')).toMatchObject({
      provider: 'anthropic',
      model: 'claude-sonnet-4-5',
      effective_from: EPOCH,
      input_per_mtok: '3',
      cached_input_per_mtok: '0.3',
      cache_write_per_mtok: '3.75',
      output_per_mtok: '15',
      tiers: [{ above_input_tokens: 200_000, input_per_mtok: '6', cached_input_per_mtok: '0.6', cache_write_per_mtok: '7.5', output_per_mtok: '22.5' }],
    })
    expect(price('anthropic', 'claude-haiku-4-5')).toMatchObject({
      input_per_mtok: '1',
      cached_input_per_mtok: '0.1',
      cache_write_per_mtok: '1.25',
      output_per_mtok: '5',
      tiers: null,
    })
  })

  test('google gemini-2.5-pro with its 200k tier (no cache-write price)', () => {
    expect(price('google', 'gemini-2.5-pro')).toMatchObject({
      input_per_mtok: '1.25',
      cached_input_per_mtok: '0.125',
      cache_write_per_mtok: null,
      output_per_mtok: '10',
      tiers: [{ above_input_tokens: 200_000, input_per_mtok: '2.5', cached_input_per_mtok: '0.25', cache_write_per_mtok: null, output_per_mtok: '15' }],
    })
  })

  test('mistral', () => {
    // "mistral-large-latest" is one of the names of the package's mistral-large
    expect(price('mistral', 'mistral-large-latest')).toMatchObject({ model: 'mistral-large', input_per_mtok: '2', output_per_mtok: '6' })
    expect(price('mistral', 'mistral-small-latest')).toMatchObject({ input_per_mtok: '0.1', output_per_mtok: '0.3', cached_input_per_mtok: null })
  })

  test('cohere: embed priced; no rerank model in this package version', () => {
    expect(price('cohere', 'embed-v4.0')).toMatchObject({ input_per_mtok: '0.12', output_per_mtok: '0' })
    expect(price('cohere', 'rerank-v3.5')).toBeNull()
  })

  test('per-request price: requests_kcount / 1000 (perplexity sonar: 12 per 1,000 requests)', () => {
    expect(price('perplexity', 'sonar')).toMatchObject({ input_per_mtok: '1', output_per_mtok: '1', per_request: '0.012' })
    const r = computeCost({ timestamp: AT, tokens_in: 1_000, tokens_out: 500 }, price('perplexity', 'sonar'), null)
    // (1,000 × 1 + 500 × 1) / 1e6 = 0.0015, + 1 request × 0.012 = 0.0135
    expect(r).toMatchObject({ priced: true, cost_usd: '0.013500000000' })
  })

  test('every model the demo generator uses resolves (the rerank step uses gpt-4.1-mini)', () => {
    const demo: [string, string, Partial<TModelPrice>][] = [
      ['openai', 'gpt-4o', { input_per_mtok: '2.5', output_per_mtok: '10' }],
      ['openai', 'gpt-4o-mini', { input_per_mtok: '0.15', output_per_mtok: '0.6' }],
      ['openai', 'gpt-4.1', { input_per_mtok: '2', cached_input_per_mtok: '0.5', output_per_mtok: '8' }],
      ['openai', 'gpt-4.1-mini', { input_per_mtok: '0.4', cached_input_per_mtok: '0.1', output_per_mtok: '1.6' }],
      ['openai', 'text-embedding-3-small', { input_per_mtok: '0.02', output_per_mtok: '0' }],
      ['anthropic', 'claude-sonnet-4-5', { input_per_mtok: '3', output_per_mtok: '15' }],
      ['anthropic', 'claude-haiku-4-5', { input_per_mtok: '1', output_per_mtok: '5' }],
      ['anthropic', 'claude-opus-4-1', { input_per_mtok: '15', cached_input_per_mtok: '1.5', cache_write_per_mtok: '18.75', output_per_mtok: '75' }],
    ]
    for (const [p, m, expected] of demo) expect(price(p, m), `${p}/${m}`).toMatchObject({ provider: p, model: m, ...expected })
  })

  test('free models cost 0; models priced only by units Outlay does not record are unpriced (null)', () => {
    expect(price('mistral', 'mistral-nemo:free')).toMatchObject({ input_per_mtok: '0', output_per_mtok: '0' })
    expect(price('openai', 'whisper-1')).toBeNull() // audio hours only
    expect(price('mistral', 'mistral-ocr-latest')).toBeNull() // pages only
  })

  test('returned prices are shared and frozen', () => {
    const p = price('openai', 'gpt-4o')!
    expect(price('openai', 'gpt-4o')).toBe(p)
    expect(() => {
      p.input_per_mtok = '0'
    }).toThrow(TypeError)
  })
})

describe('model and provider names from real traffic', () => {
  const resolved = (provider: string | null | undefined, model: string) => {
    const p = price(provider, model)
    return p ? `${p.provider}/${p.model}` : null
  }

  test('dated snapshots', () => {
    expect(resolved('openai', 'gpt-4o-2024-08-06')).toBe('openai/gpt-4o')
    expect(resolved('openai', 'gpt-4o-mini-2024-07-18')).toBe('openai/gpt-4o-mini')
    expect(resolved('anthropic', 'claude-sonnet-4-5-20250929')).toBe('anthropic/claude-sonnet-4-5')
    // a snapshot with its own price keeps it
    expect(price('openai', 'gpt-4o-2024-05-13')).toMatchObject({ model: 'gpt-4o-2024-05-13', input_per_mtok: '5', output_per_mtok: '15' })
    // a snapshot the package does not list: the date is stripped
    expect(calcPrice({ input_tokens: 1 }, 'gpt-4.1-mini-2026-01-01', { providerId: 'openai' })).toBeNull()
    expect(resolved('openai', 'gpt-4.1-mini-2026-01-01')).toBe('openai/gpt-4.1-mini')
  })

  test('case and whitespace', () => {
    expect(resolved('OpenAI', ' GPT-4o-MINI ')).toBe('openai/gpt-4o-mini')
    expect(resolved('ANTHROPIC', 'Claude-Haiku-4-5')).toBe('anthropic/claude-haiku-4-5')
    expect(resolved('OpenAI', 'GPT-4.1-MINI-2025-04-14')).toBe('openai/gpt-4.1-mini')
  })

  test('provider prefix in the model', () => {
    expect(resolved(null, 'openai/gpt-4o')).toBe('openai/gpt-4o')
    expect(resolved(undefined, 'anthropic/claude-sonnet-4-5-20250929')).toBe('anthropic/claude-sonnet-4-5')
    expect(resolved('', 'mistral_ai/mistral-small-latest')).toBe('mistral/mistral-small-latest') // the prefix is an alias too
    expect(resolved('openai', 'openai/gpt-4o')).toBe('openai/gpt-4o')
    // a provider whose own model ids contain the slash keeps them
    expect(resolved('openrouter', 'openai/gpt-4o')).toBe('openrouter/openai/gpt-4o')
  })

  test('OpenTelemetry gen_ai.provider.name / gen_ai.system aliases', () => {
    for (const p of ['gcp.gemini', 'gcp.vertex_ai', 'gemini', 'vertex_ai', 'google']) expect(resolved(p, 'gemini-2.5-pro'), p).toBe('google/gemini-2.5-pro')
    expect(price('aws.bedrock', 'us.anthropic.claude-sonnet-4-5-20250929-v1:0')).toMatchObject({
      provider: 'aws',
      model: 'regional.anthropic.claude-sonnet-4-5-20250929-v1:0',
      input_per_mtok: '3.3',
      output_per_mtok: '16.5',
    })
    // azure, not openai (the package's provider rule "contains openai" would take azure.ai.openai)
    for (const p of ['azure.ai.openai', 'azure']) expect(resolved(p, 'gpt-4o'), p).toBe('azure/gpt-4o')
    expect(resolved('mistral_ai', 'mistral-small-latest')).toBe('mistral/mistral-small-latest')
    for (const p of ['x_ai', 'xai']) expect(resolved(p, 'grok-3'), p).toBe('x-ai/grok-3')
  })

  test('no provider at all: the package infers it from the model name', () => {
    expect(resolved(null, 'gpt-4o')).toBe('openai/gpt-4o')
    expect(resolved(null, 'claude-haiku-4-5-20251001')).toBe('anthropic/claude-haiku-4-5')
  })

  test('unknown → null', () => {
    expect(price('openai', 'gpt-unknown')).toBeNull()
    expect(price('acme', 'gpt-4o')).toBeNull() // an explicit provider the catalog does not know
    expect(price(null, 'acme/gpt-4o')).toBeNull()
    expect(price('mistral', 'gpt-4o')).toBeNull()
    expect(price('openai', '')).toBeNull()
    expect(price(null, 'totally-unknown-model')).toBeNull()
    expect(price('openai', 'gpt-4o', new Date(Number.NaN))).toBeNull()
  })
})

describe('prices that change over time (start_date)', () => {
  test('openai o3: 10/40 until 2025-06-10, then 2/8', () => {
    const before = price('openai', 'o3', new Date('2025-06-09T23:59:59.999Z'))
    const after = price('openai', 'o3', new Date('2025-06-10T00:00:00.000Z'))
    expect(before).toMatchObject({ effective_from: EPOCH, input_per_mtok: '10', cached_input_per_mtok: '0.5', output_per_mtok: '40' })
    expect(after).toMatchObject({
      effective_from: new Date('2025-06-10T00:00:00.000Z'),
      input_per_mtok: '2',
      cached_input_per_mtok: '0.5',
      output_per_mtok: '8',
    })
    const call = (at: string) =>
      new PriceBook([], [], catalogModelPrice).price({
        provider: 'openai',
        model: 'o3-2025-04-16',
        timestamp: new Date(at),
        tokens_in: 1_000_000,
        tokens_out: 100_000,
      })
    // before: 1,000,000 × 10 + 100,000 × 40 = 10,000,000 + 4,000,000 = 14,000,000 / 1e6 = 14
    expect(call('2025-06-09T23:59:59.999Z')).toEqual({
      priced: true,
      cost_usd: '14.000000000000',
      cache_savings_usd: '0.000000000000',
      price_effective_from: EPOCH,
    })
    // after: 1,000,000 × 2 + 100,000 × 8 = 2,000,000 + 800,000 = 2,800,000 / 1e6 = 2.8
    expect(call('2025-06-10T00:00:00.000Z')).toEqual({
      priced: true,
      cost_usd: '2.800000000000',
      cache_savings_usd: '0.000000000000',
      price_effective_from: new Date('2025-06-10T00:00:00.000Z'),
    })
  })

  test('mistral-medium-latest: 0.4/2 until 2026-06-16, then 1.5/7.5', () => {
    expect(price('mistral', 'mistral-medium-latest', new Date('2026-06-15T23:59:59.999Z'))).toMatchObject({
      effective_from: EPOCH,
      input_per_mtok: '0.4',
      cached_input_per_mtok: '0.04',
      output_per_mtok: '2',
    })
    expect(price('mistral', 'mistral-medium-latest', new Date('2026-06-16T00:00:00.000Z'))).toMatchObject({
      effective_from: new Date('2026-06-16T00:00:00.000Z'),
      input_per_mtok: '1.5',
      cached_input_per_mtok: '0.15',
      output_per_mtok: '7.5',
    })
  })

  test('time-of-day (off-peak) prices are ignored: the default price applies at every hour', () => {
    const model = findProvider({ providerId: 'deepseek' })!.models.find((m) => m.id === 'deepseek-chat')!
    expect(Array.isArray(model.prices)).toBe(true)
    const list = model.prices as { constraint?: { type: string }; prices: Record<string, unknown> }[]
    expect(list[0].constraint).toBeUndefined()
    expect(list.some((c) => c.constraint?.type === 'time_of_date')).toBe(true)
    const dflt = list[0].prices as { input_mtok: number; output_mtok: number }
    for (const iso of ['2026-11-25T01:00:00.000Z', '2026-11-25T12:00:00.000Z', '2026-11-25T20:00:00.000Z']) {
      expect(price('deepseek', 'deepseek-chat', new Date(iso)), iso).toMatchObject({
        effective_from: EPOCH,
        input_per_mtok: decimalOf(dflt.input_mtok),
        output_per_mtok: decimalOf(dflt.output_mtok),
      })
    }
  })
})

describe('tier semantics agree with genai-prices: input_tokens > start → the tier for every token', () => {
  test('claude-sonnet-4-5 at 200,000 and 200,001 input tokens', () => {
    const p = price('anthropic', 'claude-sonnet-4-5')
    const at = (I: number) => computeCost({ timestamp: AT, tokens_in: I, tokens_out: 1_000 }, p, null)
    // 200,000 × 3 + 1,000 × 15 = 600,000 + 15,000 = 615,000 / 1e6 = 0.615 (200,000 is not above 200,000)
    expect(at(200_000)).toMatchObject({ cost_usd: '0.615000000000' })
    // 200,001 × 6 + 1,000 × 22.5 = 1,200,006 + 22,500 = 1,222,506 / 1e6 = 1.222506
    expect(at(200_001)).toMatchObject({ cost_usd: '1.222506000000' })
    expect(
      calcPrice({ input_tokens: 200_000, output_tokens: 1_000 }, 'claude-sonnet-4-5', { providerId: 'anthropic', timestamp: AT })!.total_price,
    ).toBeCloseTo(0.615, 12)
    expect(
      calcPrice({ input_tokens: 200_001, output_tokens: 1_000 }, 'claude-sonnet-4-5', { providerId: 'anthropic', timestamp: AT })!.total_price,
    ).toBeCloseTo(1.222506, 12)
  })

  test('gemini-2.5-pro above 200k with cache reads', () => {
    const r = computeCost({ timestamp: AT, tokens_in: 250_000, cached_tokens_in: 100_000, tokens_out: 1_000 }, price('google', 'gemini-2.5-pro'), null)
    // tier: fresh 150,000 × 2.5 = 375,000; read 100,000 × 0.25 = 25,000; out 1,000 × 15 = 15,000 → 415,000 / 1e6 = 0.415
    // savings = 100,000 · (2.5 − 0.25) = 225,000 / 1e6 = 0.225
    expect(r).toMatchObject({ priced: true, cost_usd: '0.415000000000', cache_savings_usd: '0.225000000000' })
  })

  test('keys tiered at different thresholds merge into one tier list', () => {
    const p = convertModelPrice(
      {
        input_mtok: {
          base: 1,
          tiers: [
            { start: 100, price: 2 },
            { start: 300, price: 3 },
          ],
        },
        output_mtok: { base: 10, tiers: [{ start: 200, price: 20 }] },
        cache_read_mtok: 0.5,
      } as never,
      'acme',
      'm',
      EPOCH,
    )
    expect(p?.tiers).toEqual([
      { above_input_tokens: 100, input_per_mtok: '2', cached_input_per_mtok: '0.5', cache_write_per_mtok: null, output_per_mtok: '10' },
      { above_input_tokens: 200, input_per_mtok: '2', cached_input_per_mtok: '0.5', cache_write_per_mtok: null, output_per_mtok: '20' },
      { above_input_tokens: 300, input_per_mtok: '3', cached_input_per_mtok: '0.5', cache_write_per_mtok: null, output_per_mtok: '20' },
    ])
  })
})

// genai-prices Usage: input_tokens is the TOTAL input (its README: "It includes uncached tokens,
// cache-read tokens, and cache-write tokens"), like Outlay's tokens_in.
type TUsage = { I: number; R?: number; W?: number; O: number }
const USAGES: TUsage[] = [
  { I: 0, O: 0 },
  { I: 1_000, O: 100 },
  { I: 50_000, R: 40_000, W: 8_000, O: 1_200 },
  { I: 200_000, O: 1_000 },
  { I: 200_001, R: 1, O: 1_000 },
  { I: 250_000, R: 200_000, W: 30_000, O: 2_000 },
  { I: 1_234_567, R: 234_567, W: 100_000, O: 54_321 },
]

function compare(providerId: string, model: string, at: Date, u: TUsage): { ours: number; theirs: number } | null {
  const theirs = calcPrice({ input_tokens: u.I, cache_read_tokens: u.R ?? 0, cache_write_tokens: u.W ?? 0, output_tokens: u.O }, model, {
    providerId,
    timestamp: at,
  })
  const p = catalogModelPrice(providerId, model, at)
  if (!theirs || !p) return null
  const ev: TCostInput = { timestamp: at, tokens_in: u.I, cached_tokens_in: u.R ?? 0, cache_write_tokens: u.W ?? 0, tokens_out: u.O, requests: 1 }
  const r = computeCost(ev, p, null)
  if (!r.priced) throw new Error('unpriced')
  // floats only here, to compare with the package
  return { ours: Number(r.cost_usd), theirs: theirs.total_price }
}

describe('computeCost on the converted price = genai-prices calcPrice total (within 1e-9)', () => {
  test.each([
    ['openai', 'gpt-4o', AT],
    ['anthropic', 'claude-sonnet-4-5-20250929', AT],
    ['anthropic', 'claude-haiku-4-5', AT],
    ['google', 'gemini-2.5-pro', AT],
    ['perplexity', 'sonar', AT],
    ['openai', 'o3', new Date('2025-01-01T12:00:00.000Z')],
    ['mistral', 'mistral-medium-latest', AT],
    ['openai', 'text-embedding-3-small', AT],
  ] as [string, string, Date][])('%s %s', (providerId, model, at) => {
    for (const u of USAGES) {
      const c = compare(providerId, model, at, u)
      expect(c, JSON.stringify(u)).not.toBeNull()
      expect(Math.abs(c!.ours - c!.theirs), `${JSON.stringify(u)}: ours ${c!.ours}, theirs ${c!.theirs}`).toBeLessThan(1e-9)
    }
  })

  test('every model of every provider in the bundled data, at two dates', () => {
    const providers = [
      'anthropic',
      'arcee',
      'avian',
      'aws',
      'azure',
      'baseten',
      'cerebras',
      'cloudflare',
      'cohere',
      'cursor',
      'deepseek',
      'doubleword',
      'fireworks',
      'github-copilot',
      'google',
      'groq',
      'minimax',
      'mistral',
      'modal',
      'moonshotai',
      'novita',
      'openai',
      'openrouter',
      'ovhcloud',
      'perplexity',
      'quicksilverpro',
      'together',
      'voyageai',
      'x-ai',
      'zai',
      'zhipuai',
    ]
    let compared = 0
    for (const id of providers) {
      const provider = findProvider({ providerId: id })
      expect(provider, id).toBeDefined()
      for (const m of provider!.models as ModelInfo[]) {
        for (const at of [new Date('2025-01-01T20:00:00.000Z'), AT]) {
          for (const u of USAGES) {
            const c = compare(id, m.id, at, u)
            if (!c) continue
            compared++
            expect(Math.abs(c.ours - c.theirs), `${id}/${m.id} ${at.toISOString()} ${JSON.stringify(u)}: ours ${c.ours}, theirs ${c.theirs}`).toBeLessThan(1e-9)
          }
        }
      }
    }
    expect(compared).toBeGreaterThan(10_000)
  }, 60_000) // walks the whole bundled catalog: seconds on a busy machine
})

describe('PriceBook over the catalog', () => {
  test('an organization override beats the catalog; the catalog applies before it starts; the name rules reach it', () => {
    const from = new Date('2026-02-01T00:00:00.000Z')
    const book = new PriceBook(
      [{ provider: 'openai', model: 'gpt-4o', effective_from: from, input_per_mtok: '2.00', output_per_mtok: '8.00', org_id: 'org-1' }],
      [],
      catalogModelPrice,
    )
    const call = (iso: string, model = 'gpt-4o') =>
      book.price({ provider: 'openai', model, timestamp: new Date(iso), tokens_in: 1_000_000, tokens_out: 100_000 })
    // catalog: 1,000,000 × 2.5 + 100,000 × 10 = 3,500,000 / 1e6 = 3.5
    expect(call('2026-01-31T23:59:59.999Z')).toMatchObject({ cost_usd: '3.500000000000', price_effective_from: EPOCH })
    // override: 1,000,000 × 2 + 100,000 × 8 = 2,800,000 / 1e6 = 2.8
    expect(call('2026-02-01T00:00:00.000Z')).toMatchObject({ cost_usd: '2.800000000000', price_effective_from: from })
    expect(call('2026-03-01T00:00:00.000Z', 'gpt-4o-2024-08-06')).toMatchObject({ cost_usd: '2.800000000000' })
    // other models still come from the catalog: 1,000,000 × 0.15 + 100,000 × 0.6 = 210,000 / 1e6 = 0.21
    expect(call('2026-03-01T00:00:00.000Z', 'gpt-4o-mini')).toMatchObject({ cost_usd: '0.210000000000', price_effective_from: EPOCH })
    expect(call('2026-03-01T00:00:00.000Z', 'gpt-nope')).toEqual({ priced: false, reason: 'no_model_price' })
  })
})

describe('searchCatalog (browsing)', () => {
  test('every listed provider exists in the package', () => {
    for (const id of CATALOG_PROVIDERS) expect(findProvider({ providerId: id })?.id, id).toBe(id)
  })

  test('finds by words of provider/model, with the price in force', () => {
    const hits = searchCatalog('anthropic sonnet-4-5', AT)
    expect(hits).toContainEqual(
      expect.objectContaining({
        provider: 'anthropic',
        model: 'claude-sonnet-4-5',
        effective_from: EPOCH.toISOString(),
        input_per_mtok: '3',
        output_per_mtok: '15',
        tiers: [expect.objectContaining({ above_input_tokens: 200_000, input_per_mtok: '6' })],
      }),
    )
    expect(hits.every((h) => `${h.provider}/${h.model} ${h.name ?? ''}`.toLowerCase().includes('sonnet'))).toBe(true)
    expect(searchCatalog('mistral-medium-latest', new Date('2026-01-01T00:00:00.000Z'))[0]).toMatchObject({ input_per_mtok: '0.4' })
    expect(searchCatalog('mistral-medium-latest', AT)[0]).toMatchObject({ input_per_mtok: '1.5', effective_from: '2026-06-16T00:00:00.000Z' })
    expect(searchCatalog('', AT, 25)).toHaveLength(25)
    expect(searchCatalog('no-such-model-anywhere', AT)).toEqual([])
  })
})

describe('speed', () => {
  test('100,000 lookups (cached per provider and model)', () => {
    const names: [string | null, string][] = [
      ['openai', 'gpt-4o'],
      ['openai', 'gpt-4o-mini-2024-07-18'],
      ['openai', 'gpt-4.1'],
      ['openai', 'gpt-4.1-mini'],
      ['openai', 'text-embedding-3-small'],
      ['anthropic', 'claude-sonnet-4-5-20250929'],
      ['anthropic', 'claude-haiku-4-5'],
      ['anthropic', 'claude-opus-4-1'],
      ['gcp.vertex_ai', 'gemini-2.5-pro'],
      [null, 'openai/gpt-4o'],
      ['mistral', 'mistral-medium-latest'],
      ['openai', 'unknown-model'],
    ]
    const book = new PriceBook([], [], catalogModelPrice)
    const t0 = performance.now()
    let priced = 0
    for (let i = 0; i < 100_000; i++) {
      const [provider, model] = names[i % names.length]
      if (catalogModelPrice(provider, model, new Date(AT.getTime() - i * 60_000))) priced++
    }
    const lookups = performance.now() - t0
    const t1 = performance.now()
    for (let i = 0; i < 100_000; i++) {
      const [provider, model] = names[i % names.length]
      book.price({ provider, model, timestamp: new Date(AT.getTime() - i * 60_000), tokens_in: 1_000 + i, cached_tokens_in: 500, tokens_out: 100 })
    }
    const pricing = performance.now() - t1
    console.log(`catalog: 100,000 lookups in ${lookups.toFixed(0)} ms; 100,000 PriceBook.price() in ${pricing.toFixed(0)} ms`)
    // every 12th name (i % 12 = 11, 8,333 of them) is unknown
    expect(priced).toBe(100_000 - 8_333)
    expect(lookups).toBeLessThan(2_000)
  })
})
