// The account detail page's logic: where one customer account's spend goes
// (workflows × steps) and how its calls per run compare with the other
// accounts' (the "two retrieval calls per run where others have one" check).
import { micros, microsToUsd as fromScaledUsd } from '@/lib/domain'
import type { TMetricsRow } from '@/lib/metrics/query'
import type { TStepMedian } from '@/lib/metrics/step-medians'
import { csvPercent, csvRows, ratio, type TCsvColumn } from '@/lib/metrics/breakdown'
import { retryTaxShare } from '@/lib/metrics/definitions'

type TRow = Partial<TMetricsRow> & { cost_usd: string; events: number }

/** An account's calls per run at a step is flagged at ≥ this multiple of the median account's … */
export const FLAG_RATIO = 1.5
/** … and at least this many more calls per run … */
export const FLAG_MIN_EXTRA = 0.5
/** … with at least this many runs of the workflow behind it. */
export const FLAG_MIN_RUNS = 5
/** … and at least this many accounts to take the median over. */
export const FLAG_MIN_PEERS = 3

export type TAccountStepRow = {
  workflow_id: string
  step: string
  calls: number
  cost_usd: string
  /** share of the account's spend */
  share: number
  /** the account's runs of this workflow */
  runs: number
  /** calls ÷ runs, for this account; null without runs */
  calls_per_run: number | null
  /** the median over accounts with runs of this workflow of their calls per run at this step */
  median_calls_per_run: number | null
  /** accounts the median is taken over */
  peers: number
  /** retry/error spend ÷ spend at this step, this account */
  retry_share: number
  /** the same for every account together */
  org_retry_share: number
  flagged: boolean
}

/**
 * The anomaly rule (one place: the account page, the Accounts list and the account_step_anomaly alert use it): an
 * account's calls per run at a step is flagged when it is at least FLAG_RATIO × the median account's and FLAG_MIN_EXTRA
 * more, with at least FLAG_MIN_RUNS runs of the workflow behind it and 3 accounts to take the median over.
 */
export function isStepAnomaly(x: { calls_per_run: number | null; median_calls_per_run: number | null; runs: number; peers: number }): boolean {
  const { calls_per_run: cpr, median_calls_per_run: med } = x
  return cpr !== null && med !== null && x.runs >= FLAG_MIN_RUNS && x.peers >= FLAG_MIN_PEERS && cpr >= med * FLAG_RATIO && cpr - med >= FLAG_MIN_EXTRA
}

const key = (w: string, s: string) => `${w}\u0000${s}`

/** The three reads behind an account's step table. */
export type TAccountStepInputs = {
  /** Per workflow × step, the median account's calls per run (GET /api/v1/metrics/step-medians). */
  medians: TStepMedian[]
  /**
   * This account's rows grouped by workflow_id, step (GET /api/v1/metrics) with cost_usd,
   * retry_cost_usd and runs (a run counts on its first call's step, so the account's runs
   * of a workflow are the sum over its steps).
   */
  mine: TRow[]
  /** Every account together grouped by workflow_id, step, with cost_usd and retry_cost_usd: the organization's retry tax. */
  org: TRow[]
}

export function accountSteps({ medians, mine, org }: TAccountStepInputs): TAccountStepRow[] {
  const median = new Map(medians.map((m) => [key(m.workflow_id ?? '', m.step ?? ''), m]))
  const orgSpend = new Map<string, { cost: bigint; waste: bigint }>()
  for (const r of org) {
    const k = key(r.workflow_id ?? '', r.step ?? '')
    const p = orgSpend.get(k) ?? { cost: 0n, waste: 0n }
    p.cost += micros(r.cost_usd)
    p.waste += micros(r.retry_cost_usd ?? '0')
    orgSpend.set(k, p)
  }
  const own = new Map<string, { calls: number; cost: bigint; waste: bigint }>()
  const runs = new Map<string, number>() // workflow → the account's runs
  for (const r of mine) {
    const k = key(r.workflow_id ?? '', r.step ?? '')
    const m = own.get(k) ?? { calls: 0, cost: 0n, waste: 0n }
    m.calls += r.events
    m.cost += micros(r.cost_usd)
    m.waste += micros(r.retry_cost_usd ?? '0')
    own.set(k, m)
    runs.set(r.workflow_id ?? '', (runs.get(r.workflow_id ?? '') ?? 0) + (r.runs ?? 0))
  }

  const total = [...own.values()].reduce((s, m) => s + m.cost, 0n)
  const rows: TAccountStepRow[] = []
  for (const [k, m] of own) {
    const [workflow_id, step] = k.split('\u0000')
    const p = orgSpend.get(k) ?? { cost: 0n, waste: 0n }
    const peers = median.get(k)?.accounts ?? 0
    const med = median.get(k)?.median_calls_per_run ?? null
    const n = runs.get(workflow_id) ?? 0
    const cpr = n > 0 ? m.calls / n : null
    rows.push({
      workflow_id,
      step,
      calls: m.calls,
      cost_usd: fromScaledUsd(m.cost),
      share: ratio(m.cost, total),
      runs: n,
      calls_per_run: cpr,
      median_calls_per_run: med,
      peers,
      retry_share: retryTaxShare(m.waste, m.cost),
      org_retry_share: retryTaxShare(p.waste, p.cost),
      flagged: isStepAnomaly({ calls_per_run: cpr, median_calls_per_run: med, runs: n, peers }),
    })
  }
  return rows.sort((a, b) => {
    const d = micros(b.cost_usd) - micros(a.cost_usd)
    return d > 0n ? 1 : d < 0n ? -1 : a.workflow_id.localeCompare(b.workflow_id) || a.step.localeCompare(b.step)
  })
}

const num = (n: number | null) => (n === null ? '' : n.toFixed(2))

/** The account's workflows × steps table as CSV cells; money exact. */
export function accountStepsCsvRows(rows: TAccountStepRow[]): string[][] {
  const columns: TCsvColumn<TAccountStepRow>[] = [
    { header: 'workflow', cell: (r) => r.workflow_id },
    { header: 'step', cell: (r) => r.step },
    { header: 'calls', cell: (r) => String(r.calls) },
    { header: 'spend_usd', cell: (r) => r.cost_usd },
    { header: 'share_percent', cell: (r) => csvPercent(r.share) },
    { header: 'runs', cell: (r) => String(r.runs) },
    { header: 'calls_per_run', cell: (r) => num(r.calls_per_run) },
    { header: 'median_calls_per_run', cell: (r) => num(r.median_calls_per_run) },
    { header: 'retry_tax_percent', cell: (r) => csvPercent(r.retry_share) },
    { header: 'org_retry_tax_percent', cell: (r) => csvPercent(r.org_retry_share) },
    { header: 'flagged', cell: (r) => (r.flagged ? 'yes' : '') },
  ]
  return csvRows(columns, rows)
}
