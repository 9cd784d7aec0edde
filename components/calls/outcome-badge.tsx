import { formatUsd } from '@/lib/format'

// How a call's outcome and cost read in the explorer and the run view: waste (retry, error) stands out, and an
// unpriced call says so instead of showing $0.00.

const OUTCOME_TONE: Record<string, string> = {
  success: 'bg-emerald-50 text-emerald-800',
  retry: 'bg-amber-50 text-amber-800',
  error: 'bg-red-50 text-red-800',
  fallback: 'bg-sky-50 text-sky-800',
  escalation: 'bg-violet-50 text-violet-800',
}

export function OutcomeBadge({ outcome, attempt }: { outcome: string; attempt?: number | null }) {
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${OUTCOME_TONE[outcome] ?? 'bg-slate-100 text-slate-700'}`} data-outcome={outcome}>
      {outcome}
      {attempt && attempt > 1 ? ` · try ${attempt}` : ''}
    </span>
  )
}

export function CallCost({ cost }: { cost: string | null }) {
  if (cost === null)
    return (
      <span
        className="rounded bg-amber-50 px-1.5 py-0.5 text-xs font-medium text-amber-800"
        title="No price for this model at this time: not in Spend"
        data-cost=""
      >
        unpriced
      </span>
    )
  return (
    <span data-cost={cost} title={`$${cost}`}>
      {formatUsd(cost, { precise: true })}
    </span>
  )
}
