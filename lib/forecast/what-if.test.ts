import { describe, expect, it } from 'vitest'
import type { TForecast } from '@/lib/forecast'
import { applyWhatIf, growthFactor, parseModelRef, priceStepTotals, scenarioDay } from '@/lib/forecast/what-if'
import type { TModelPrice } from '@/lib/cost/engine'

const at = new Date('2026-11-25T00:00:00Z')
const price = (p: Partial<TModelPrice>): TModelPrice => ({
  provider: 'openai',
  model: 'm',
  effective_from: new Date(0),
  input_per_mtok: '0',
  output_per_mtok: '0',
  ...p,
})

describe('priceStepTotals', () => {
  const totals = { calls: 1000, requests: 1000, tokens_in: 3_000_000, cached_tokens_in: 1_000_000, cache_write_tokens: 500_000, tokens_out: 250_000 }
  it('prices the window totals: fresh, cached, cache-write and output tokens, exactly in micro-dollars', () => {
    // fresh 1.5M × $2.50 + cached 1M × $1.25 + write 0.5M × $3.125 + out 0.25M × $10 = 3.75 + 1.25 + 1.5625 + 2.5
    const p = price({ input_per_mtok: '2.5', cached_input_per_mtok: '1.25', cache_write_per_mtok: '3.125', output_per_mtok: '10' })
    expect(priceStepTotals(p, totals, at)).toBe(9_062_500n)
  })
  it('rounds to the micro-dollar once, on the total (not per call)', () => {
    const p = price({ input_per_mtok: '0.15', output_per_mtok: '0.6' })
    // 7 calls of 1 input token: 7 × 0.15e-6 = 1.05e-6 → $0.000001
    expect(priceStepTotals(p, { calls: 7, requests: 7, tokens_in: 7, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 0 }, at)).toBe(1n)
    // 10 calls of 1 input token: 1.5e-6 → half away from zero: $0.000002
    expect(priceStepTotals(p, { calls: 10, requests: 10, tokens_in: 10, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 0 }, at)).toBe(2n)
  })
  it('adds the per-request price per request', () => {
    const p = price({ input_per_mtok: '1', per_request: '0.001' })
    expect(priceStepTotals(p, { calls: 10, requests: 20, tokens_in: 1_000_000, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 0 }, at)).toBe(
      1_020_000n,
    )
  })
  it('takes the tier the average call reaches, for every token', () => {
    const p = price({ input_per_mtok: '1', output_per_mtok: '2', tiers: [{ above_input_tokens: 200_000, input_per_mtok: '2', output_per_mtok: '4' }] })
    const t = { calls: 2, requests: 2, tokens_in: 500_000, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 1_000 }
    expect(priceStepTotals(p, t, at)).toBe(1_004_000n) // 0.5M × $2 + 1k × $4
    expect(priceStepTotals(p, { ...t, calls: 5 }, at)).toBe(502_000n) // 100k a call: base rates
  })
  it('a missing cache price falls back to the input price in a tier too', () => {
    const p = price({ input_per_mtok: '1', cached_input_per_mtok: '0.1', tiers: [{ above_input_tokens: 10, input_per_mtok: '3', output_per_mtok: '0' }] })
    expect(priceStepTotals(p, { calls: 1, requests: 1, tokens_in: 1_000_000, cached_tokens_in: 1_000_000, cache_write_tokens: 0, tokens_out: 0 }, at)).toBe(
      3_000_000n,
    )
  })
  it('null without a price or calls', () => {
    expect(priceStepTotals(null, totals, at)).toBeNull()
    expect(priceStepTotals(price({}), { ...totals, calls: 0 }, at)).toBeNull()
  })
})

describe('growth', () => {
  it('compounds per 30 days from today: day 0 ×1, day 30 ×(1+g), day 60 ×(1+g)²', () => {
    expect(growthFactor(10, 0)).toBe(1_000_000_000n)
    expect(growthFactor(10, 30)).toBe(1_100_000_000n)
    expect(growthFactor(10, 60)).toBe(1_210_000_000n)
    expect(growthFactor(-50, 30)).toBe(500_000_000n)
    expect(growthFactor(0, 45)).toBe(1_000_000_000n)
  })
  it('a day is (baseline + step change) × growth, rounded half away from zero, never negative', () => {
    expect(scenarioDay(10_000_000n, -2_000_000n, 1_100_000_000n)).toBe(8_800_000n)
    expect(scenarioDay(5n, 0n, 1_100_000_000n)).toBe(6n) // 5.5 → 6
    expect(scenarioDay(1_000_000n, -3_000_000n, 1_000_000_000n)).toBe(0n)
  })
})

describe('applyWhatIf', () => {
  const asOf = '2026-11-28T00:00:00.000Z'
  const f: Pick<TForecast, 'series' | 'month_end' | 'quarter_end' | 'as_of'> = {
    as_of: asOf,
    series: [
      { day: '2026-11-27', actual_usd: '9.000000', forecast_usd: null, lower_usd: null, upper_usd: null },
      ...['2026-11-28', '2026-11-29', '2026-11-30', '2026-12-01'].map((day) => ({
        day,
        actual_usd: null,
        forecast_usd: '10.000000',
        lower_usd: '8.000000',
        upper_usd: '12.000000',
      })),
    ],
    month_end: {
      end: '2026-12-01T00:00:00.000Z',
      actual_to_date_usd: '100.000001',
      forecast_usd: '130.000001',
      lower_usd: '126.000001',
      upper_usd: '134.000001',
    },
    quarter_end: {
      end: '2027-01-01T00:00:00.000Z',
      actual_to_date_usd: '500.000000',
      forecast_usd: '540.000000',
      lower_usd: '530.000000',
      upper_usd: '550.000000',
    },
  }
  it('without growth or a move, the scenario is the baseline', () => {
    const s = applyWhatIf(f, { growth_pct: 0, delta_per_day_micros: 0n })!
    expect(s.month_end).toEqual(f.month_end)
    expect(s.series.map((p) => p.forecast_usd)).toEqual(['10.000000', '10.000000', '10.000000', '10.000000'])
  })
  it('a step move shifts every day by its change per day, exactly; the band moves with it', () => {
    const s = applyWhatIf(f, { growth_pct: 0, delta_per_day_micros: -1_234_567n })!
    expect(s.series[0]).toEqual({ day: '2026-11-28', forecast_usd: '8.765433', lower_usd: '6.765433', upper_usd: '10.765433' })
    // 3 days left in November: 100.000001 + 3 × 8.765433
    expect(s.month_end.forecast_usd).toBe('126.296300')
    expect(s.month_end.lower_usd).toBe('122.296300')
    expect(s.quarter_end.forecast_usd).toBe('535.061732')
  })
  it('growth multiplies each day by its compounding factor, and widens the band in proportion', () => {
    const s = applyWhatIf(f, { growth_pct: 30, delta_per_day_micros: 0n })!
    const g = (k: number) => Math.round(10 * Math.pow(1.3, k / 30) * 1e6) / 1e6
    expect(s.series.map((p) => Number(p.forecast_usd))).toEqual([0, 1, 2, 3].map(g))
    const sum3 = [0, 1, 2].reduce((a, k) => a + Math.round(10 * Math.pow(1.3, k / 30) * 1e6), 0)
    expect(s.month_end.forecast_usd).toBe(((100_000_001 + sum3) / 1e6).toFixed(6))
    const widen = sum3 / 30e6
    expect(Number(s.month_end.upper_usd) - Number(s.month_end.forecast_usd)).toBeCloseTo(4 * widen, 6)
  })
  it('null when the baseline has no model', () => {
    expect(applyWhatIf({ ...f, series: f.series.slice(0, 1) }, { growth_pct: 10, delta_per_day_micros: 0n })).toBeNull()
  })
})

describe('parseModelRef', () => {
  it('splits at the first slash', () => {
    expect(parseModelRef('anthropic/claude-haiku-4-5')).toEqual({ provider: 'anthropic', model: 'claude-haiku-4-5' })
    expect(parseModelRef('together/meta-llama/Llama-3')).toEqual({ provider: 'together', model: 'meta-llama/Llama-3' })
    expect(parseModelRef('gpt-4o')).toBeNull()
    expect(parseModelRef('openai/')).toBeNull()
  })
})
