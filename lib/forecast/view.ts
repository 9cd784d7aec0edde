// How a forecast is shown (client-safe: no data access).
import type { TForecast, TWhatIf } from '@/lib/forecast/schema'

/**
 * What the Forecast page calls its recorded part of the month: the 1st to the start of today (UTC). The model
 * forecasts whole days, so today is forecast, not recorded; the Overview's "month to date" runs to now, so this
 * one names its end (docs/finance.md "Month to date").
 */
export const MONTH_TO_DATE_LABEL = 'Month to date (through yesterday)'
export const MONTH_TO_DATE_HINT = 'From the 1st to 00:00 UTC today, recorded; today onwards is forecast'

/** The series for a chart (numbers for drawing only); with a what-if, its scenario beside the baseline. */
export function forecastChartPoints(
  f: Pick<TForecast, 'series'>,
  lastDays = 56,
  scenario?: Pick<TWhatIf, 'series'> | null,
): { day: string; actual: number | null; forecast: number | null; band: [number, number] | null; scenario?: number | null }[] {
  const byDay = new Map((scenario?.series ?? []).map((p) => [p.day, Number(p.forecast_usd)]))
  const firstForecast = f.series.findIndex((p) => p.forecast_usd !== null)
  const firstSpend = f.series.findIndex((p) => p.forecast_usd !== null || (p.actual_usd !== null && Number(p.actual_usd) > 0))
  // the last weeks, but not the days before the scope's first spend
  const start = Math.max(0, firstSpend, (firstForecast < 0 ? f.series.length : firstForecast) - lastDays)
  return f.series.slice(start).map((p) => ({
    day: p.day,
    actual: p.actual_usd === null ? null : Number(p.actual_usd),
    forecast: p.forecast_usd === null ? null : Number(p.forecast_usd),
    band: p.lower_usd === null || p.upper_usd === null ? null : [Number(p.lower_usd), Number(p.upper_usd)],
    ...(scenario ? { scenario: byDay.get(p.day) ?? null } : {}),
  }))
}

/** "how much to trust it" in words, from the backtest error. */
export function trustLabel(mape: number | null): string {
  if (mape === null) return 'no backtest yet (needs 6 weeks of spend)'
  const pct = `${(mape * 100).toFixed(1)}%`
  return mape <= 0.1
    ? `good: off by ${pct} a day on average over the last 4 weeks`
    : mape <= 0.25
      ? `fair: off by ${pct} a day on average over the last 4 weeks`
      : `rough: off by ${pct} a day on average over the last 4 weeks; read the band, not the line`
}
