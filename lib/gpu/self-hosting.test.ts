import { describe, expect, it } from 'vitest'
import { cheapestAlternatives, costAtMix, perMtok, poolVerdict, type TApiAlternative } from '@/lib/gpu/self-hosting'

const mix = { calls: 1000, tokens_in: 3_000_000, tokens_out: 300_000 }
const listed = (provider: string, input: string, output: string): TApiAlternative => ({
  basis: 'same_model',
  provider,
  model: 'meta-llama/llama-3.1-70b-instruct',
  input_per_mtok: input,
  output_per_mtok: output,
})

describe('costAtMix', () => {
  it('prices input and output tokens at a list price per million, to the micro-dollar', () => {
    // 3M × $0.88 + 0.3M × $0.88 = $2.904
    expect(costAtMix(mix, listed('together', '0.88', '0.88'))).toBe(2_904_000n)
    // 3M × $0.10 + 0.3M × $0.28 = $0.384
    expect(costAtMix(mix, listed('openrouter', '0.1', '0.28'))).toBe(384_000n)
    // 7 tokens at $0.293/M: 2.051 micro-dollars rounds to 2
    expect(costAtMix({ calls: 1, tokens_in: 7, tokens_out: 0 }, listed('cloudflare', '0.293', '2.253'))).toBe(2n)
  })
  it('prices a same-steps model at its blended billed rate over all tokens', () => {
    expect(costAtMix(mix, { basis: 'same_steps', provider: 'openai', model: 'gpt-4o-mini', usd_per_mtok: '0.2' })).toBe(660_000n)
  })
})

describe('perMtok', () => {
  it('divides to six decimals, and has nothing to say without tokens', () => {
    expect(perMtok(2_904_000n, 3_300_000)).toBe('0.880000')
    expect(perMtok(1n, 3)).toBe('0.333333')
    expect(perMtok(5n, 0)).toBeNull()
  })
})

describe('cheapestAlternatives and poolVerdict', () => {
  const alts = [listed('together', '0.88', '0.88'), listed('openrouter', '0.1', '0.28'), listed('free', '0', '0')]
  it('keeps the cheapest alternative with a cost per model, none when no alternative is known', () => {
    const [a, b] = cheapestAlternatives([
      { model: 'llama-3.1-70b-instruct', mix, alternatives: alts },
      { model: 'bge-large-en-v1.5', mix: { calls: 50, tokens_in: 10_000, tokens_out: 0 }, alternatives: [] },
    ])
    expect(a.cheapest).toMatchObject({ provider: 'openrouter', cost_micros: 384_000n })
    expect(b.cheapest).toBeNull()
  })
  it('calls the API cheaper when the paid capacity costs more, with the utilization that would break even', () => {
    const models = cheapestAlternatives([{ model: 'llama-3.1-70b-instruct', mix, alternatives: alts }])
    // paid $3.84 at 20% utilization: 10× the API; it would need 200% to break even (never)
    expect(poolVerdict(3_840_000n, 0.2, models)).toEqual({
      api_micros: 384_000n,
      unmatched_calls: 0,
      ratio: 10,
      verdict: 'api_cheaper',
      break_even_utilization: 2,
    })
    // paid $0.192 at 60%: half the API; it breaks even at 30%
    expect(poolVerdict(192_000n, 0.6, models)).toMatchObject({ ratio: 0.5, verdict: 'self_hosting_cheaper', break_even_utilization: 0.3 })
  })
  it('gives no verdict when some calls have no alternative: part of the calls against the whole capacity would flatter the API', () => {
    const models = cheapestAlternatives([
      { model: 'llama-3.1-70b-instruct', mix, alternatives: alts },
      { model: 'in-house-ranker', mix: { calls: 7, tokens_in: 100, tokens_out: 0 }, alternatives: [] },
    ])
    expect(poolVerdict(1_000_000n, 0.5, models)).toEqual({
      api_micros: 384_000n,
      unmatched_calls: 7,
      ratio: null,
      verdict: 'unknown',
      break_even_utilization: null,
    })
  })
})
