'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { formatUsd } from '@/lib/format'
import { AUDIT_STATUS, perCall, times } from '@/components/reports/report-parts'
import type { TAuditRow, TCostStats, TSampledCall } from '@/lib/reports/schema'

// The quarterly audit's tables, sortable by their columns (issue 21); the page around them is a server component.

const th = 'font-medium'
/** A verdict's sort: flagged first, the two without a comparison last. */
const SEVERITY: Record<TAuditRow['status'], number | null> = { flagged: 2, within: 1, no_eval: null, no_production: null }

export function AuditTable({ rows }: { rows: TAuditRow[] }) {
  const sorter = useSort(rows, {
    workflow: (w) => w.workflow_id,
    status: (w) => SEVERITY[w.status],
    prod_mean: (w) => moneyKey(w.production?.mean_usd),
    prod_p50: (w) => moneyKey(w.production?.p50_usd),
    prod_p90: (w) => moneyKey(w.production?.p90_usd),
    eval_mean: (w) => moneyKey(w.eval?.mean_usd),
    eval_p50: (w) => moneyKey(w.eval?.p50_usd),
    eval_p90: (w) => moneyKey(w.eval?.p90_usd),
    ratio: (w) => w.ratio_mean,
  })
  const head = (k: Parameters<typeof sorter.onSort>[0], label: string, right = true) => (
    <SortTh sorter={sorter} k={k} className={`${th} ${right ? 'text-right' : ''} ${k === 'workflow' ? 'py-1' : ''}`}>
      {label}
    </SortTh>
  )
  return (
    <table className="w-full text-sm">
      <thead>
        <tr className="text-left text-xs text-slate-500">
          {head('workflow', 'Workflow', false)}
          {head('status', 'Verdict', false)}
          {head('prod_mean', 'Production mean')}
          {head('prod_p50', 'p50')}
          {head('prod_p90', 'p90')}
          {head('eval_mean', 'Eval mean')}
          {head('eval_p50', 'p50')}
          {head('eval_p90', 'p90')}
          {head('ratio', 'Mean ratio')}
        </tr>
      </thead>
      <tbody>
        {sorter.rows.map((w) => (
          <tr key={w.workflow_id} className="border-t border-slate-100" data-workflow={w.workflow_id} data-status={w.status}>
            <td className="py-1.5">
              <a className="text-brand-600 hover:underline" href={`#wf-${encodeURIComponent(w.workflow_id)}`}>
                {w.workflow_id}
              </a>
            </td>
            <td>
              <span className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ${AUDIT_STATUS[w.status].style}`}>{AUDIT_STATUS[w.status].label}</span>
            </td>
            <td className="num text-right" data-prod-mean={w.production?.mean_usd ?? ''}>
              {perCall(w.production?.mean_usd)}
            </td>
            <td className="num text-right">{perCall(w.production?.p50_usd)}</td>
            <td className="num text-right">{perCall(w.production?.p90_usd)}</td>
            <td className="num text-right" data-eval-mean={w.eval?.mean_usd ?? ''}>
              {perCall(w.eval?.mean_usd)}
            </td>
            <td className="num text-right">{perCall(w.eval?.p50_usd)}</td>
            <td className="num text-right">{perCall(w.eval?.p90_usd)}</td>
            <td className={`num text-right font-medium ${w.flagged ? 'text-red-700' : ''}`}>{times(w.ratio_mean)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** A call's cost per call, exact: its micro-dollars × 10⁶ ÷ the calls it stands for. */
const perCallKey = (c: TSampledCall) => (moneyKey(c.cost_usd)! * 1_000_000n) / BigInt(Math.max(1, c.requests))

/** One side's sampled calls, the 15 most expensive per call (sortable among them). */
export function SamplesTable({ side, calls }: { side: string; calls: TSampledCall[] }) {
  const top = [...calls].sort((x, y) => (perCallKey(y) > perCallKey(x) ? 1 : perCallKey(y) < perCallKey(x) ? -1 : 0)).slice(0, 15)
  const sorter = useSort(top, { id: (c) => c.event_id, step: (c) => c.step, model: (c) => c.model, cost: perCallKey })
  return (
    <table className="w-full text-xs">
      <thead>
        <tr className="text-left text-slate-500">
          <SortTh sorter={sorter} k="id" className={`py-1 ${th}`}>
            {side} call
          </SortTh>
          <SortTh sorter={sorter} k="step" className={th}>
            Step
          </SortTh>
          <SortTh sorter={sorter} k="model" className={th}>
            Model
          </SortTh>
          <SortTh sorter={sorter} k="cost" className={`${th} text-right`}>
            Cost per call
          </SortTh>
        </tr>
      </thead>
      <tbody>
        {sorter.rows.map((c) => (
          <tr key={c.event_id} className="border-t border-slate-100">
            <td className="max-w-40 truncate py-0.5" title={c.event_id}>
              {c.event_id}
            </td>
            <td>{c.step}</td>
            <td>{c.model}</td>
            <td className="num text-right">
              {formatUsd(Number(c.cost_usd) / c.requests, { precise: true })}
              {c.requests > 1 ? ` ×${c.requests}` : ''}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** A side's steps: calls and mean cost per call. */
export function StepsTable({ steps }: { steps: TCostStats['steps'] }) {
  const sorter = useSort(steps, { step: (s) => s.step, calls: (s) => s.calls, mean: (s) => moneyKey(s.mean_usd) })
  return (
    <table className="mt-2 w-full text-xs">
      <thead>
        <tr className="text-left text-slate-500">
          <SortTh sorter={sorter} k="step" className={`py-0.5 ${th}`}>
            Step
          </SortTh>
          <SortTh sorter={sorter} k="calls" className={`${th} text-right`}>
            Calls
          </SortTh>
          <SortTh sorter={sorter} k="mean" className={`${th} text-right`}>
            Mean per call
          </SortTh>
        </tr>
      </thead>
      <tbody>
        {sorter.rows.map((s) => (
          <tr key={s.step} className="border-t border-slate-100">
            <td className="py-0.5">{s.step}</td>
            <td className="num text-right">{s.calls}</td>
            <td className="num text-right">{perCall(s.mean_usd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
