import { micros } from '@/lib/domain'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { contributors, decompose, poolAccounts, type TChangeCell, type TTokenWeights } from '@/lib/changes/decompose'
import { fromScaled, toScaled } from '@/lib/cost/money'

const sumParts = (parts: { usd: string }[]) =>
  fromScaled(
    parts.reduce((s, p) => s + micros(p.usd), 0n),
    6,
  )
const part = (r: ReturnType<typeof decompose>, name: string) => r.parts.find((p) => p.part === name)!

const cell = (over: Partial<TChangeCell>): TChangeCell => ({
  workflow_id: 'support-agent',
  step: 'draft',
  provider: 'openai',
  model: 'gpt-4o',
  waste: false,
  events: 100,
  runs: 100,
  tokens_in: 100_000,
  cached_tokens_in: 0,
  cache_write_tokens: 0,
  tokens_out: 40_000,
  cost_usd: '0.650000',
  ...over,
})
/** A cell priced like the model would: input $2.50 / output $10 per Mtok (gpt-4o), $2 / $8 (gpt-4.1). */
const RATES: Record<string, [number, number]> = { 'gpt-4o': [2.5, 10], 'gpt-4.1': [2, 8], 'gpt-4o-mini': [0.15, 0.6] }
const priced = (over: Partial<TChangeCell>, rates?: [number, number]): TChangeCell => {
  const c = cell(over)
  const [pin, pout] = rates ?? RATES[c.model]
  // exact: tokens × rate / 1e6 at 12 decimals
  const cost = BigInt(c.tokens_in) * toScaled(String(pin), 6) + BigInt(c.tokens_out) * toScaled(String(pout), 6)
  return { ...c, cost_usd: fromScaled(cost, 12) }
}
const weights = (_p: string, model: string): TTokenWeights => {
  const [pin, pout] = RATES[model] ?? [1, 1]
  return { input: String(pin), cached_input: String(pin), cache_write: String(pin), output: String(pout) }
}

describe('decompose', () => {
  it('puts a doubled volume entirely in volume', () => {
    const a = [
      priced({}),
      priced({ step: 'classify', model: 'gpt-4o-mini', events: 300, runs: 0, tokens_in: 90_000, tokens_out: 3000 }),
      priced({ waste: true, events: 5, runs: 0, tokens_in: 5000, tokens_out: 2000 }),
    ]
    const b = a.map((c) => priced({ ...c, events: c.events * 2, runs: c.runs * 2, tokens_in: c.tokens_in * 2, tokens_out: c.tokens_out * 2 }))
    const r = decompose(a, b, weights)
    expect(r.delta_usd).toBe(fromScaled(micros(r.total_b_usd) - micros(r.total_a_usd), 6))
    expect(micros(r.delta_usd)).toBeGreaterThan(0n)
    expect(part(r, 'volume').usd).toBe(r.delta_usd)
    for (const p of ['tokens', 'mix', 'price', 'retries']) expect(part(r, p).usd).toBe('0.000000')
    expect(part(r, 'volume').explanation).toMatch(/^More calls; largest: runs of support-agent: 100 → 200/)
    expect(r.delta_ratio).toBe(1)
  })

  it('puts a price change of the same cell entirely in price', () => {
    const a = [priced({}), priced({ step: 'classify', model: 'gpt-4o-mini' })]
    const b = [priced({}, [3, 12]), priced({ step: 'classify', model: 'gpt-4o-mini' })]
    const r = decompose(a, b, weights)
    // 100k·(3 − 2.5) + 40k·(12 − 10) per Mtok = 0.05 + 0.08
    expect(r.delta_usd).toBe('0.130000')
    expect(part(r, 'price').usd).toBe('0.130000')
    expect(sumParts(r.parts.filter((p) => p.part !== 'price'))).toBe('0.000000')
    expect(part(r, 'price').explanation).toContain('openai/gpt-4o in support-agent/draft')
  })

  it('puts more output tokens per call in tokens, weighted by price', () => {
    const a = [priced({ tokens_out: 41_200 })]
    const b = [priced({ tokens_out: 65_500 })]
    const r = decompose(a, b, weights)
    expect(part(r, 'tokens').usd).toBe(r.delta_usd)
    expect(part(r, 'tokens').explanation).toContain('output 412 → 655')
    expect(part(r, 'price').usd).toBe('0.000000')
  })

  it('puts a model swap in mix (the new model has no baseline price)', () => {
    const a = [priced({ model: 'gpt-4o' })]
    const b = [priced({ model: 'gpt-4.1' })]
    const r = decompose(a, b, weights)
    expect(micros(r.delta_usd)).toBeLessThan(0n)
    expect(part(r, 'mix').usd).toBe(r.delta_usd)
    expect(sumParts(r.parts.filter((p) => p.part !== 'mix'))).toBe('0.000000')
    expect(part(r, 'mix').explanation).toMatch(/^Calls moved to cheaper models; largest: .* share of calls in support-agent\/draft: (100% → 0%|0% → 100%)/)
  })

  it('puts a partial shift between two priced models in mix', () => {
    const a = [
      priced({ model: 'gpt-4o', events: 80, runs: 80, tokens_in: 80_000, tokens_out: 32_000 }),
      priced({ model: 'gpt-4o-mini', events: 20, runs: 20, tokens_in: 20_000, tokens_out: 8000 }),
    ]
    const b = [
      priced({ model: 'gpt-4o', events: 20, runs: 20, tokens_in: 20_000, tokens_out: 8000 }),
      priced({ model: 'gpt-4o-mini', events: 80, runs: 80, tokens_in: 80_000, tokens_out: 32_000 }),
    ]
    const r = decompose(a, b, weights)
    expect(part(r, 'mix').usd).toBe(r.delta_usd)
    expect(part(r, 'volume').usd).toBe('0.000000')
  })

  it('puts a retry storm in retries', () => {
    const base = priced({})
    const a = [base, priced({ waste: true, events: 2, runs: 0, tokens_in: 2000, tokens_out: 800 })]
    const b = [base, priced({ waste: true, events: 40, runs: 0, tokens_in: 40_000, tokens_out: 16_000 })]
    const r = decompose(a, b, weights)
    expect(micros(r.delta_usd)).toBeGreaterThan(0n)
    expect(part(r, 'retries').usd).toBe(r.delta_usd)
    expect(part(r, 'retries').explanation).toContain('(2 → 40 calls)')
  })

  it('moves a new workflow and a vanished one as volume', () => {
    const a = [priced({ workflow_id: 'old' })]
    const b = [priced({ workflow_id: 'new', model: 'gpt-4o-mini', tokens_out: 10 }), priced({ workflow_id: 'new', waste: true, events: 3 })]
    const r = decompose(a, b, weights)
    expect(part(r, 'volume').usd).toBe(r.delta_usd)
  })

  it('explains a part with evidence that moves the same way', () => {
    // volume is up overall (+50 and +45 runs) though the largest single move is down (−80 runs)
    const calls = (workflow_id: string, n: number) => priced({ workflow_id, events: n, runs: n, tokens_in: n * 1000, tokens_out: n * 400 })
    const a = [calls('support-agent', 100), calls('lead-qualifier', 100), calls('email-drafter', 100)]
    const b = [calls('support-agent', 150), calls('lead-qualifier', 145), calls('email-drafter', 20)]
    const r = decompose(a, b, weights)
    expect(micros(part(r, 'volume').usd)).toBeGreaterThan(0n)
    expect(part(r, 'volume').usd).toBe(r.delta_usd)
    expect(part(r, 'volume').explanation).toMatch(/^More calls; largest: runs of support-agent: 100 → 150/)
  })

  it('answers zeros for two empty periods', () => {
    const r = decompose([], [])
    expect(r).toMatchObject({ total_a_usd: '0.000000', total_b_usd: '0.000000', delta_usd: '0.000000', delta_ratio: null })
    expect(r.parts.every((p) => p.usd === '0.000000' && p.explanation.endsWith('did not move spend.'))).toBe(true)
  })

  const arbCell = fc.record({
    workflow_id: fc.constantFrom('w1', 'w2', ''),
    step: fc.constantFrom('retrieve', 'generate'),
    provider: fc.constantFrom('openai', 'anthropic'),
    model: fc.constantFrom('gpt-4o', 'gpt-4o-mini', 'x'),
    account_id: fc.option(fc.constantFrom('acme', 'globex', ''), { nil: undefined }),
    waste: fc.boolean(),
    events: fc.nat(5000),
    runs: fc.nat(2000),
    tokens_in: fc.nat(10_000_000),
    cached_tokens_in: fc.nat(1000),
    cache_write_tokens: fc.nat(1000),
    tokens_out: fc.nat(3_000_000),
    cost_usd: fc.tuple(fc.nat(100_000), fc.bigInt({ min: 0n, max: 10n ** 12n - 1n })).map(([i, f]) => `${i}.${f.toString().padStart(12, '0')}`),
  })

  it('parts add up to the delta exactly, for any cells and weights', () => {
    const arbWeights = fc.record({
      input: fc.constantFrom('0', '1', '2.5', '0.15'),
      cached_input: fc.constantFrom('0', '0.3', '1.25'),
      cache_write: fc.constantFrom('0', '3.75'),
      output: fc.constantFrom('0', '10', '0.6'),
    })
    fc.assert(
      fc.property(fc.array(arbCell, { maxLength: 30 }), fc.array(arbCell, { maxLength: 30 }), arbWeights, (a, b, w) => {
        const r = decompose(a, b, () => w)
        const exact = (cs: TChangeCell[]) =>
          fromScaled(
            cs.reduce((s, c) => s + toScaled(c.cost_usd, 12), 0n),
            12,
          )
        expect(r.total_a_usd).toBe(fromScaled(toScaled(exact(a), 6), 6))
        expect(r.total_b_usd).toBe(fromScaled(toScaled(exact(b), 6), 6))
        expect(sumParts(r.parts)).toBe(r.delta_usd)
        expect(r.delta_usd).toBe(fromScaled(micros(r.total_b_usd) - micros(r.total_a_usd), 6))
        // pooling accounts changes the split, never the total
        expect(sumParts(decompose(poolAccounts(a), poolAccounts(b)).parts)).toBe(r.delta_usd)
      }),
      { numRuns: 300 },
    )
  })
})

describe('contributors', () => {
  const a = [cell({ workflow_id: 'w1', account_id: 'acme', cost_usd: '1' }), cell({ workflow_id: 'w2', account_id: 'globex', step: 'classify', cost_usd: '5' })]
  const b = [
    cell({ workflow_id: 'w1', account_id: 'acme', cost_usd: '4' }),
    cell({ workflow_id: 'w2', account_id: 'globex', step: 'classify', cost_usd: '1', model: 'gpt-4o-mini' }),
    cell({ workflow_id: 'w3', account_id: '', cost_usd: '0.5' }),
  ]

  it('sorts by absolute delta and keeps exact amounts', () => {
    expect(contributors(a, b, 'workflow').map((r) => [r.key, r.delta_usd])).toEqual([
      ['w2', '-4.000000'],
      ['w1', '3.000000'],
      ['w3', '0.500000'],
    ])
    expect(contributors(a, b, 'step')[0]).toMatchObject({ key: 'w2/classify', workflow_id: 'w2', step: 'classify', a_usd: '5.000000', b_usd: '1.000000' })
    expect(contributors(a, b, 'account').map((r) => r.key)).toEqual(['globex', 'acme', ''])
    expect(contributors(a, b, 'model').map((r) => [r.key, r.delta_usd])).toEqual([
      ['openai/gpt-4o', '-1.500000'],
      ['openai/gpt-4o-mini', '1.000000'],
    ])
  })

  it('sums the deltas of all rows to the total delta', () => {
    for (const dim of ['workflow', 'step', 'account', 'model'] as const) {
      expect(sumParts(contributors(a, b, dim, 100).map((r) => ({ usd: r.delta_usd })))).toBe(decompose(a, b).delta_usd)
    }
  })
})
