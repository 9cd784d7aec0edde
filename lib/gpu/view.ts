// Pure helpers for the fleet page (client-safe: no database imports).
import type { TFleetSummary, TPoolView } from '@/lib/gpu/schema'

export const ROLE_LABEL: Record<string, string> = {
  production: 'Production',
  staging: 'Staging',
  canary: 'Canary',
  reserve: 'Reserve',
  test: 'Test',
  debug: 'Debug',
  eval: 'Eval',
}

/** The chart's rows: one per day, a key per pool holding its mean utilization in percent (null: no samples); a line per measured pool (the chart colours it by the pool's name). */
export function utilizationChart(s: Pick<TFleetSummary, 'utilization' | 'pools'>): {
  rows: Record<string, string | number | null>[]
  lines: { key: string; label: string }[]
} {
  const names = s.pools.map((p) => p.name)
  const rows = s.utilization.map((u) => {
    const row: Record<string, string | number | null> = { day: u.day }
    for (const n of names) {
      const v = u.values[n]
      row[n] = v === null || v === undefined ? null : Math.round(v * 1000) / 10
    }
    return row
  })
  // Pools without any sample in the period have no line (an empty legend entry says nothing).
  const measured = names.filter((n) => rows.some((r) => r[n] !== null))
  // Days before the first sample of any pool are not drawn: the chart starts where the data does.
  const first = rows.findIndex((r) => measured.some((n) => r[n] !== null))
  return { rows: first > 0 ? rows.slice(first) : rows, lines: measured.map((n) => ({ key: n, label: n })) }
}

export type TPoolForm = {
  name: string
  role: string
  gpu_type: string
  region: string
  serves: string
  gpu_count: string
  effective_from: string
  pricing: 'hourly' | 'amortized'
  gpu_hour_usd: string
  purchase_usd_per_gpu: string
  amortization_months: string
  power_hosting_usd_per_gpu_hour: string
  allocation: 'gpu_seconds' | 'share' | 'even'
  shares: string
}

export const emptyPoolForm = (): TPoolForm => ({
  name: '',
  role: 'production',
  gpu_type: '',
  region: '',
  serves: '',
  gpu_count: '1',
  effective_from: '',
  pricing: 'hourly',
  gpu_hour_usd: '',
  purchase_usd_per_gpu: '',
  amortization_months: '36',
  power_hosting_usd_per_gpu_hour: '0',
  allocation: 'gpu_seconds',
  shares: '',
})

export function poolToForm(p: TPoolView): TPoolForm {
  const c = p.current ?? p.versions[p.versions.length - 1]
  return {
    name: p.name,
    role: p.role,
    gpu_type: p.gpu_type,
    region: p.region ?? '',
    serves: p.serves.join(', '),
    gpu_count: String(c?.gpu_count ?? 0),
    effective_from: '',
    pricing: c?.pricing ?? 'hourly',
    gpu_hour_usd: c?.gpu_hour_usd ?? '',
    purchase_usd_per_gpu: c?.purchase_usd_per_gpu ?? '',
    amortization_months: c?.amortization_months ? String(c.amortization_months) : '36',
    power_hosting_usd_per_gpu_hour: c?.power_hosting_usd_per_gpu_hour ?? '0',
    allocation: p.allocation,
    shares: p.shares
      ? Object.entries(p.shares)
          .map(([k, v]) => `${k}=${v}`)
          .join(', ')
      : '',
  }
}

/** "kb-search=3, support=1" → {kb-search: 3, support: 1}. */
export function parseShares(text: string): { shares: Record<string, number> | null; error: string | null } {
  const shares: Record<string, number> = {}
  for (const part of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([^=]+)=\s*(\d+(?:\.\d+)?)$/.exec(part)
    if (!m) return { shares: null, error: `Shares: "${part}" is not scenario=weight` }
    shares[m[1].trim()] = Number(m[2])
  }
  return { shares, error: null }
}

/** A number field as the API wants it: the typed text when it is not a plain number (so the API says why), else the number. */
const num = (s: string): number | string => (/^-?\d+(\.\d+)?$/.test(s.trim()) ? Number(s.trim()) : s.trim())

/**
 * The form as a POST (create) or PATCH (edit) body. On edit, the size and price
 * are sent only when changed (a change is a new version from "effective from",
 * now when empty); the pool fields always.
 */
export function formToBody(f: TPoolForm, original: TPoolForm | null): { body: Record<string, unknown>; error: string | null } {
  const serves = f.serves
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
  const parsed = f.shares.trim() ? parseShares(f.shares) : { shares: null, error: null }
  if (parsed.error) return { body: {}, error: parsed.error }
  const shares = parsed.shares
  const body: Record<string, unknown> = { role: f.role, gpu_type: f.gpu_type.trim(), region: f.region.trim() || null, serves, allocation: f.allocation, shares }
  const price: Record<string, unknown> =
    f.pricing === 'hourly'
      ? { pricing: 'hourly', gpu_hour_usd: f.gpu_hour_usd.trim() }
      : {
          pricing: 'amortized',
          purchase_usd_per_gpu: f.purchase_usd_per_gpu.trim(),
          amortization_months: num(f.amortization_months),
          power_hosting_usd_per_gpu_hour: f.power_hosting_usd_per_gpu_hour.trim() || '0',
        }
  const versionKeys: (keyof TPoolForm)[] = [
    'gpu_count',
    'pricing',
    'gpu_hour_usd',
    'purchase_usd_per_gpu',
    'amortization_months',
    'power_hosting_usd_per_gpu_hour',
  ]
  const versionChanged = !original || versionKeys.some((k) => f[k] !== original[k])
  if (!original) body.name = f.name.trim()
  if (versionChanged) Object.assign(body, { gpu_count: num(f.gpu_count), ...price })
  if (f.effective_from && versionChanged) {
    const d = new Date(`${f.effective_from}:00Z`)
    if (Number.isNaN(d.getTime())) return { body: {}, error: 'Effective from: not a date and time' }
    body.effective_from = d.toISOString()
  }
  return { body, error: null }
}

/** Which form field an API error line ("field: reason") belongs to. */
export function fieldErrors(lines: string[]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const l of lines) {
    const m = /^([\w]+)(?:\.[^:]*)?: (.*)$/.exec(l)
    if (m && !(m[1] in out)) out[m[1]] = m[2]
  }
  return out
}

export const PART_LABEL: Record<string, string> = {
  production_inference: 'Production inference',
  eval_benchmark: 'Eval & benchmark',
  internal_traffic: 'Internal traffic',
  production_capacity: 'Unused production capacity',
  non_production_capacity: 'Non-production capacity',
  reserve: 'Reserve',
  engineering: 'Engineering',
  operations: 'Operations',
}

/** A scenario's parts as bar segments: share of its total, zero parts left out. */
export function partSegments(parts: Record<string, string>, total: string): { part: string; share: number; usd: string }[] {
  const t = Number(total)
  if (!(t > 0)) return []
  return Object.entries(parts)
    .filter(([, v]) => Number(v) > 0)
    .map(([part, usd]) => ({ part, usd, share: Number(usd) / t }))
}

/** Scenarios × months: each scenario's total and cost per accepted outcome by month, largest latest total first, top n. */
export function scenarioTrend(
  months: { month: string; scenarios: { scenario: string; total_usd: string; cost_per_accepted_outcome_usd: string | null }[] }[],
  n = 10,
) {
  const ordered = [...months].sort((a, b) => a.month.localeCompare(b.month))
  const latest = ordered[ordered.length - 1]
  const names = new Set(ordered.flatMap((m) => m.scenarios.map((s) => s.scenario)))
  const totalIn = (m: (typeof ordered)[number] | undefined, s: string) => Number(m?.scenarios.find((x) => x.scenario === s)?.total_usd ?? 0)
  const rows = [...names]
    .sort((a, b) => totalIn(latest, b) - totalIn(latest, a) || a.localeCompare(b))
    .slice(0, n)
    .map((scenario) => ({
      scenario,
      cells: ordered.map((m) => {
        const hit = m.scenarios.find((x) => x.scenario === scenario)
        return { month: m.month, total_usd: hit?.total_usd ?? null, per_outcome_usd: hit?.cost_per_accepted_outcome_usd ?? null }
      }),
    }))
  return { months: ordered.map((m) => m.month), rows }
}
