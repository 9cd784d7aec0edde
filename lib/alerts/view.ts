// How alerts are shown: their kind in words and the page that explains each.
import type { TAlertKind } from '@/lib/alerts/detectors'
import { spikeQuery } from '@/lib/changes/view'

export const KIND_LABEL: Record<TAlertKind, string> = {
  budget: 'Budget',
  cost_per_outcome_drift: 'Cost per outcome drift',
  tokens_per_call_growth: 'Tokens per call growth',
  output_tokens_per_call_growth: 'Output tokens per call growth',
  calls_per_run_growth: 'Calls per run growth',
  cache_hit_rate_drop: 'Cache hit rate drop',
  feature_slo_breach: 'Feature cost SLO breach',
  unpriced_model: 'Unpriced model',
  spend_anomaly: 'Spend anomaly',
  revenue_share: 'AI cost share of revenue',
  account_step_anomaly: 'Account anomaly',
}

type TLinkable = { kind: TAlertKind; details: Record<string, unknown>; period_start: string }

/** The page that explains an alert: its budget, its workflow, the hour's "what changed", the pricing page. */
export function alertPath(org: string, a: TLinkable): string {
  const d = a.details as Record<string, string | undefined>
  switch (a.kind) {
    case 'budget':
      return d.budget_id ? `/${org}/budgets/${encodeURIComponent(d.budget_id)}` : `/${org}/budgets`
    case 'cost_per_outcome_drift':
    case 'tokens_per_call_growth':
    case 'output_tokens_per_call_growth':
    case 'calls_per_run_growth':
    case 'cache_hit_rate_drop':
      return d.workflow_id ? `/${org}/workflows/${encodeURIComponent(d.workflow_id)}` : `/${org}/workflows`
    case 'spend_anomaly':
      return `/${org}/changes?${spikeQuery(a.period_start.slice(0, 10))}`
    case 'unpriced_model':
      return `/${org}/pricing`
    case 'feature_slo_breach':
      return `/${org}/features`
    case 'revenue_share':
    case 'account_step_anomaly':
      return d.account_id ? `/${org}/accounts/${encodeURIComponent(d.account_id)}` : `/${org}/accounts`
  }
}

export const LINK_LABEL: Record<TAlertKind, string> = {
  budget: 'Open the budget',
  cost_per_outcome_drift: 'Open the workflow',
  tokens_per_call_growth: 'Open the workflow',
  output_tokens_per_call_growth: 'Open the workflow',
  calls_per_run_growth: 'Open the workflow',
  cache_hit_rate_drop: 'Open the workflow',
  feature_slo_breach: 'Open the features',
  unpriced_model: 'Add a price',
  spend_anomaly: 'What changed that day',
  revenue_share: 'Open the account',
  account_step_anomaly: 'Open the account',
}

/** Open, acknowledged, muted or recovered: what the list shows first. */
export function alertStatus(a: {
  acknowledged_at: string | null
  resolved_at: string | null
  muted: boolean
  muted_until: string | null
}): 'open' | 'acknowledged' | 'muted' | 'resolved' {
  if (a.resolved_at) return 'resolved'
  if (a.muted || a.muted_until) return 'muted'
  if (a.acknowledged_at) return 'acknowledged'
  return 'open'
}
