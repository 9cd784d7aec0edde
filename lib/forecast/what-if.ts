// What-if on a forecast (pure: no data access, safe in the browser): traffic
// growth of X% per month compounding from today, and a workflow step moved to
// another model, priced by the cost engine with the step's token profile.
//
// The arithmetic is exact on integer micro-dollars: the baseline's daily
// forecast (6-decimal strings) plus the step's change per day, times a growth
// factor held as an integer scaled by 1e9, rounded half away from zero per day,
// summed as bigints. Only the period's band is scaled as a float (it is a
// model estimate to begin with).
import { DAY_MS } from '@/lib/domain'
import { computeCost, tierFor, type TModelPrice } from '@/lib/cost/engine'
import { divRound, fromScaled, toScaled } from '@/lib/cost/money'
import type { TForecast, TPeriodForecast, TWhatIfSeriesPoint } from '@/lib/forecast/schema'

/** "per month" of the growth rate: compounding per 30 days. */
export const GROWTH_MONTH_DAYS = 30
const FACTOR_SCALE = 1_000_000_000n

/** A step's traffic over a window: calls (events), requests and token totals. */
export type TStepTotals = { calls: number; requests: number; tokens_in: number; cached_tokens_in: number; cache_write_tokens: number; tokens_out: number }

/**
 * The cost of the window's calls on another model, in micro-dollars: the
 * model's rates (the tier its average call reaches, as a tier applies to every
 * token of a call) on the window's token totals. Exact for untiered prices;
 * null when the price book has no price.
 */
export function priceStepTotals(price: TModelPrice | null, t: TStepTotals, at: Date): bigint | null {
  if (!price || t.calls <= 0) return null
  const tier = tierFor(price, Math.round(t.tokens_in / t.calls))
  const flat: TModelPrice = tier
    ? {
        ...price,
        tiers: null,
        input_per_mtok: tier.input_per_mtok,
        cached_input_per_mtok: tier.cached_input_per_mtok ?? null,
        cache_write_per_mtok: tier.cache_write_per_mtok ?? null,
        output_per_mtok: tier.output_per_mtok,
      }
    : { ...price, tiers: null }
  const c = computeCost(
    {
      provider: price.provider,
      model: price.model,
      timestamp: at,
      tokens_in: t.tokens_in,
      cached_tokens_in: t.cached_tokens_in,
      cache_write_tokens: t.cache_write_tokens,
      tokens_out: t.tokens_out,
      requests: t.requests,
    },
    flat,
    null,
  )
  return c.priced ? toScaled(c.cost_usd, 6) : null
}

/** The growth factor of forecast day k (0 = today), scaled by 1e9: (1 + pct/100)^(k/30). */
export function growthFactor(pct: number, k: number): bigint {
  if (pct === 0) return FACTOR_SCALE
  return BigInt(Math.round(Math.pow(1 + pct / 100, k / GROWTH_MONTH_DAYS) * 1e9))
}

/** One forecast day under the scenario: (baseline + step change per day) × growth, in micro-dollars, never below zero. */
export function scenarioDay(baselineMicros: bigint, deltaPerDayMicros: bigint, factor: bigint): bigint {
  const v = divRound((baselineMicros + deltaPerDayMicros) * factor, FACTOR_SCALE)
  return v < 0n ? 0n : v
}

export type TWhatIfInput = {
  growth_pct: number
  /** the step's change of spend per day (target model − current), micro-dollars; 0n without a move */
  delta_per_day_micros: bigint
}

export type { TWhatIfSeriesPoint } from '@/lib/forecast/schema'

/** The scenario's forecast days and its month- and quarter-end, from the baseline forecast. Null without a model. */
export function applyWhatIf(
  f: Pick<TForecast, 'series' | 'month_end' | 'quarter_end' | 'as_of'>,
  w: TWhatIfInput,
): { series: TWhatIfSeriesPoint[]; month_end: TPeriodForecast; quarter_end: TPeriodForecast } | null {
  const ahead = f.series.filter((p) => p.forecast_usd !== null)
  if (!ahead.length) return null
  const t0 = Date.parse(f.as_of)
  const days = ahead.map((p) => {
    const k = Math.round((Date.parse(p.day) - t0) / DAY_MS)
    const g = growthFactor(w.growth_pct, k)
    const m = toScaled(p.forecast_usd!, 6)
    return {
      day: p.day,
      k,
      base: m,
      mean: scenarioDay(m, w.delta_per_day_micros, g),
      lower: scenarioDay(toScaled(p.lower_usd!, 6), w.delta_per_day_micros, g),
      upper: scenarioDay(toScaled(p.upper_usd!, 6), w.delta_per_day_micros, g),
      g,
    }
  })
  const period = (base: TPeriodForecast): TPeriodForecast => {
    const end = Date.parse(base.end)
    const inside = days.filter((d) => Date.parse(d.day) < end)
    const actual = toScaled(base.actual_to_date_usd, 6)
    const sum = inside.reduce((a, d) => a + d.mean, 0n)
    // growth widens the band in proportion (the model's uncertainty is about traffic); a model switch moves it
    const baseSum = inside.reduce((a, d) => a + d.base, 0n)
    const grown = inside.reduce((a, d) => a + divRound(d.base * d.g, FACTOR_SCALE), 0n)
    const widen = baseSum > 0n ? Number(grown) / Number(baseSum) : 1
    const mean = Number(actual + sum) / 1e6
    const lo = base.forecast_usd !== null && base.lower_usd !== null ? (Number(base.forecast_usd) - Number(base.lower_usd)) * widen : 0
    const hi = base.forecast_usd !== null && base.upper_usd !== null ? (Number(base.upper_usd) - Number(base.forecast_usd)) * widen : 0
    return {
      end: base.end,
      actual_to_date_usd: base.actual_to_date_usd,
      forecast_usd: fromScaled(actual + sum, 6),
      lower_usd: (mean - lo).toFixed(6),
      upper_usd: (mean + hi).toFixed(6),
    }
  }
  return {
    series: days.map((d) => ({ day: d.day, forecast_usd: fromScaled(d.mean, 6), lower_usd: fromScaled(d.lower, 6), upper_usd: fromScaled(d.upper, 6) })),
    month_end: period(f.month_end),
    quarter_end: period(f.quarter_end),
  }
}

/** "provider/model" → its parts (the model may itself hold slashes); null when malformed. */
export function parseModelRef(s: string): { provider: string; model: string } | null {
  const i = s.indexOf('/')
  if (i <= 0 || i === s.length - 1) return null
  return { provider: s.slice(0, i), model: s.slice(i + 1) }
}
