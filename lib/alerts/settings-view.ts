// The drift detectors' settings as the Alerts page edits them: margins in
// percent (the API takes fractions: 0.25 = 25%), counts, the anomaly's z-score
// and dollars. Pure, so the page and its tests share it.
import { DEFAULT_DRIFT_CONFIG, type TDriftConfig } from '@/lib/alerts/detectors'

export type TSettingsKey = Exclude<keyof TDriftConfig, 'revenue_share_by_account'>
export type TSettingsField = { key: TSettingsKey; label: string; unit: string; percent?: boolean; integer?: boolean; detector: string }

export const SETTINGS_FIELDS: readonly TSettingsField[] = [
  { key: 'cost_per_outcome_margin', detector: 'Cost per outcome drift', label: 'Rise over the 4-week baseline', unit: '%', percent: true },
  { key: 'min_outcomes', detector: 'Cost per outcome drift', label: 'Accepted outcomes needed in each window', unit: 'outcomes', integer: true },
  { key: 'tokens_per_call_margin', detector: 'Tokens per call growth (input and output)', label: 'Rise over the 4-week baseline', unit: '%', percent: true },
  { key: 'min_calls', detector: 'Tokens per call growth (input and output)', label: 'Calls needed in each window', unit: 'calls', integer: true },
  { key: 'anomaly_z', detector: 'Spend anomaly', label: 'Robust z-score at or above', unit: 'z' },
  { key: 'anomaly_min_usd', detector: 'Spend anomaly', label: 'And at least this far above the median', unit: 'USD' },
  { key: 'anomaly_min_weeks', detector: 'Spend anomaly', label: 'Earlier weeks with data needed', unit: 'weeks', integer: true },
  { key: 'calls_per_run_margin', detector: 'Calls per run growth', label: 'Rise over the 4-week baseline', unit: '%', percent: true },
  { key: 'min_runs', detector: 'Calls per run growth', label: 'Runs needed in each window', unit: 'runs', integer: true },
  { key: 'cache_hit_rate_drop', detector: 'Cache hit rate drop', label: 'Fall below the 4-week baseline rate', unit: '%', percent: true },
  { key: 'revenue_share_max', detector: 'AI cost share of revenue', label: "An account's AI cost this month above, of its revenue", unit: '%', percent: true },
]

export type TSettingsForm = Record<TSettingsKey, string>

/** 0.25 → "25"; 0.123456789 → "12.345679" (no float noise such as 7.000000000000001). */
const percentOf = (v: number) => String(Number((v * 100).toFixed(6)))

export function settingsForm(c: TDriftConfig): TSettingsForm {
  return Object.fromEntries(SETTINGS_FIELDS.map((f) => [f.key, f.percent ? percentOf(c[f.key] as number) : String(c[f.key])])) as TSettingsForm
}

/** A value with its unit, for readers who may not change it: "25%", "5 outcomes", "$1.00". */
export function settingText(f: TSettingsField, c: TDriftConfig): string {
  const v = c[f.key]
  if (f.percent) return `${percentOf(v as number)}%`
  if (f.unit === 'USD') return `$${Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 6 })}`
  if (f.unit === 'z') return String(v)
  return `${v} ${f.unit}`
}

export const defaultText = (f: TSettingsField) => `Default ${settingText(f, DEFAULT_DRIFT_CONFIG)}`

/**
 * The PUT body: numbers where the text is one (percent → fraction), the text
 * itself otherwise, so the server's validation names the field and the reason.
 */
export function settingsPatch(form: TSettingsForm): Record<TSettingsKey, number | string> {
  return Object.fromEntries(
    SETTINGS_FIELDS.map((f) => {
      const text = form[f.key].trim()
      if (f.key === 'anomaly_min_usd') return [f.key, text]
      const n = text === '' ? NaN : Number(text)
      if (!Number.isFinite(n)) return [f.key, text]
      return [f.key, f.percent ? Number((n / 100).toFixed(8)) : n]
    }),
  ) as Record<TSettingsKey, number | string>
}
