import { toCsv } from '@/lib/csv'
import { micros, microsToUsd, DAY_MS } from '@/lib/domain'

// GET /api/v1/exports/focus: Outlay's priced usage as FOCUS (FinOps Open Cost and Usage Specification 1.x) cost
// and usage rows, one per provider × model × day × attribution (workflow, step, account, feature, environment,
// traffic source), Outlay's attribution in x_ columns (FOCUS's prefix for custom columns). Pure: the mapping of a
// rollup row to its CSV line (lib/bills/export.ts streams them). The importer (lib/bills/parse.ts) reads the file
// back: BilledCost, BillingCurrency, ChargePeriodStart, ProviderName and x_model are what it keys on.

/** The columns, in the file's order. */
export const FOCUS_COLUMNS = [
  'BilledCost',
  'EffectiveCost',
  'ListCost',
  'ContractedCost',
  'BillingCurrency',
  'BillingAccountId',
  'BillingPeriodStart',
  'BillingPeriodEnd',
  'ChargePeriodStart',
  'ChargePeriodEnd',
  'ChargeCategory',
  'ChargeFrequency',
  'ChargeDescription',
  'ProviderName',
  'PublisherName',
  'InvoiceIssuerName',
  'ServiceName',
  'ServiceCategory',
  'SkuId',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'ConsumedQuantity',
  'ConsumedUnit',
  'PricingQuantity',
  'PricingUnit',
  'x_model',
  'x_workflow_id',
  'x_step',
  'x_account_id',
  'x_feature',
  'x_environment',
  'x_traffic_source',
  'x_events',
  'x_unpriced_events',
  'x_tokens_in',
  'x_tokens_out',
] as const
export type TFocusColumn = (typeof FOCUS_COLUMNS)[number]

/** One rollup row of a day (lib/metrics queryMetrics grouped by the attribution, granularity day). */
export type TFocusSource = {
  provider?: string | null
  model?: string | null
  workflow_id?: string | null
  step?: string | null
  account_id?: string | null
  feature?: string | null
  environment?: string | null
  traffic_source?: string | null
  /** exact decimal USD, as the rollups give it */
  cost_usd?: string
  events: number
  unpriced_events?: number
  tokens_in?: number
  tokens_out?: number
  gpu_seconds?: number
}

const instant = (day: string) => `${day}T00:00:00Z`
const nextDay = (day: string) => new Date(Date.parse(day) + DAY_MS).toISOString().slice(0, 10)
const monthStart = (day: string) => `${day.slice(0, 7)}-01`
const nextMonthStart = (day: string) => {
  const d = new Date(Date.parse(monthStart(day)))
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)).toISOString().slice(0, 10)
}

/**
 * One FOCUS row of a day (YYYY-MM-DD, UTC). Outlay's cost is the only cost it knows: billed, effective, list and
 * contracted cost are all the computed cost (the organization's own prices, negotiated ones included), with exactly
 * 6 decimals. The consumed quantity is tokens (in + out), or GPU-seconds for self-hosted calls without tokens.
 */
export function focusRow(orgId: string, day: string, r: TFocusSource): Record<TFocusColumn, string> {
  const cost = microsToUsd(micros(r.cost_usd ?? '0'))
  const provider = r.provider ?? ''
  const model = r.model ?? ''
  const tokens = (r.tokens_in ?? 0) + (r.tokens_out ?? 0)
  const gpu = tokens === 0 && (r.gpu_seconds ?? 0) > 0
  const quantity = gpu ? String(r.gpu_seconds) : String(tokens)
  const unit = gpu ? 'GPU-Seconds' : 'Tokens'
  const where = [r.workflow_id && `workflow ${r.workflow_id}`, r.step && `step ${r.step}`].filter(Boolean).join(', ')
  return {
    BilledCost: cost,
    EffectiveCost: cost,
    ListCost: cost,
    ContractedCost: cost,
    BillingCurrency: 'USD',
    BillingAccountId: orgId,
    BillingPeriodStart: instant(monthStart(day)),
    BillingPeriodEnd: instant(nextMonthStart(day)),
    ChargePeriodStart: instant(day),
    ChargePeriodEnd: instant(nextDay(day)),
    ChargeCategory: 'Usage',
    ChargeFrequency: 'Usage-Based',
    ChargeDescription: `${[provider, model].filter(Boolean).join(' ') || 'unattributed'} inference${where ? ` (${where})` : ''}`,
    ProviderName: provider,
    PublisherName: provider,
    InvoiceIssuerName: provider,
    ServiceName: provider,
    ServiceCategory: 'AI and Machine Learning',
    SkuId: model,
    ResourceId: model,
    ResourceName: model,
    ResourceType: 'Model',
    ConsumedQuantity: quantity,
    ConsumedUnit: unit,
    PricingQuantity: quantity,
    PricingUnit: unit,
    x_model: model,
    x_workflow_id: r.workflow_id ?? '',
    x_step: r.step ?? '',
    x_account_id: r.account_id ?? '',
    x_feature: r.feature ?? '',
    x_environment: r.environment ?? '',
    x_traffic_source: r.traffic_source ?? '',
    x_events: String(r.events),
    x_unpriced_events: String(r.unpriced_events ?? 0),
    x_tokens_in: String(r.tokens_in ?? 0),
    x_tokens_out: String(r.tokens_out ?? 0),
  }
}

/** The header line (CRLF-terminated, as every line). */
export const focusHeader = (): string => toCsv([FOCUS_COLUMNS])

/** Rows as CSV lines, in FOCUS_COLUMNS order (RFC 4180 quoting, spreadsheet-safe: lib/csv.ts). */
export const focusLines = (rows: readonly Record<TFocusColumn, string>[]): string => toCsv(rows.map((r) => FOCUS_COLUMNS.map((c) => r[c])))

/**
 * The rows of one day with their costs made to sum, per provider × model, to that group's total as the
 * reconciliation reads it: each rollup row is rounded to the micro-dollar on its own, so the finer attribution
 * rows can sum a few micro-dollars away from the provider × model total. The remainder is spread one
 * micro-dollar at a time over the group's rows in order (the largest first, as queryMetrics sorts them), never
 * below zero. `totals` maps keyOfModel(provider, model) to the group's rounded total.
 */
export function balanceToTotals<R extends TFocusSource>(rows: readonly R[], totals: ReadonlyMap<string, string>): R[] {
  const out = rows.map((r) => ({ ...r, micros: micros(r.cost_usd ?? '0') }))
  const groups = new Map<string, typeof out>()
  for (const r of out) {
    const k = keyOfModel(r.provider, r.model)
    const g = groups.get(k) ?? []
    g.push(r)
    groups.set(k, g)
  }
  for (const [k, g] of groups) {
    const total = totals.get(k)
    if (total === undefined) continue
    let rest = micros(total) - g.reduce((s, r) => s + r.micros, 0n)
    for (let pass = 0; rest !== 0n && pass < 3; pass++)
      for (const r of g) {
        if (rest === 0n) break
        if (rest > 0n) {
          r.micros += 1n
          rest -= 1n
        } else if (r.micros > 0n) {
          r.micros -= 1n
          rest += 1n
        }
      }
  }
  return out.map(({ micros: m, ...r }) => ({ ...r, cost_usd: microsToUsd(m) }) as unknown as R)
}

/** The key of a provider × model group (null and absent alike). */
export const keyOfModel = (provider: string | null | undefined, model: string | null | undefined): string => JSON.stringify([provider ?? null, model ?? null])
