'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import { fromScaled, toScaled } from '@/lib/cost/money'
import type { TReportLine, TReportScenario } from '@/lib/reports/schema'
import { SHOWN, signed } from '@/components/reports/report-parts'

// The monthly report's tables, sortable by their columns (issue 21); the page around them is a server component.

const th = 'py-1 font-medium'

export function LinesTable({ label, none, rows, prevName }: { label: string; none: string; rows: TReportLine[]; prevName: string }) {
  const shown = rows.slice(0, SHOWN)
  const rest = rows.slice(SHOWN)
  const sorter = useSort(shown, {
    key: (l) => l.key,
    cost: (l) => moneyKey(l.cost_usd),
    share: (l) => l.share,
    calls: (l) => l.events,
    previous: (l) => moneyKey(l.previous_cost_usd),
    change: (l) => moneyKey(l.change_usd),
  })
  const sum = (k: 'cost_usd' | 'previous_cost_usd' | 'change_usd') =>
    fromScaled(
      rest.reduce((a, l) => a + toScaled(l[k], 6), 0n),
      6,
    )
  return (
    <table className="w-full text-sm">
      <thead>
        <tr className="text-left text-xs text-slate-500">
          <SortTh sorter={sorter} k="key" className={th}>
            {label}
          </SortTh>
          <SortTh sorter={sorter} k="cost" className={`${th} text-right`}>
            Spend
          </SortTh>
          <SortTh sorter={sorter} k="share" className={`${th} text-right`}>
            Share
          </SortTh>
          <SortTh sorter={sorter} k="calls" className={`${th} text-right`}>
            Calls
          </SortTh>
          <SortTh sorter={sorter} k="previous" className={`${th} text-right`}>
            {prevName}
          </SortTh>
          <SortTh sorter={sorter} k="change" className={`${th} text-right`}>
            Change
          </SortTh>
        </tr>
      </thead>
      <tbody>
        {sorter.rows.map((l) => (
          <tr key={`${l.from ?? ''}/${l.key}`} className="border-t border-slate-100" data-key={l.key ?? ''}>
            <td className="py-1">
              {l.key ?? <span className="text-slate-500">{none}</span>}
              {l.from === 'workflow' && <span className="ml-1 text-xs text-slate-500">(workflow, no scenario_id)</span>}
            </td>
            <td className="num text-right font-medium" data-cost={l.cost_usd}>
              {formatUsd(l.cost_usd)}
            </td>
            <td className="num text-right">{formatPercent(l.share)}</td>
            <td className="num text-right">{formatCount(l.events)}</td>
            <td className="num text-right text-slate-600">{formatUsd(l.previous_cost_usd)}</td>
            <td className="num text-right">{signed(l.change_usd)}</td>
          </tr>
        ))}
        {rest.length > 0 && (
          <tr className="border-t border-slate-100 text-slate-600">
            <td className="py-1">{formatCount(rest.length)} more (in the CSV)</td>
            <td className="num text-right">{formatUsd(sum('cost_usd'))}</td>
            <td className="num text-right">{formatPercent(rest.reduce((a, l) => a + l.share, 0))}</td>
            <td className="num text-right">{formatCount(rest.reduce((a, l) => a + l.events, 0))}</td>
            <td className="num text-right">{formatUsd(sum('previous_cost_usd'))}</td>
            <td className="num text-right">{signed(sum('change_usd'))}</td>
          </tr>
        )}
      </tbody>
    </table>
  )
}

export function ScenariosTable({ rows }: { rows: TReportScenario[] }) {
  const per = (v: string | null) => (v === null ? '—' : formatUsd(v))
  const sorter = useSort(rows, {
    scenario: (x) => x.scenario,
    api: (x) => moneyKey(x.api_cost_usd),
    loaded: (x) => moneyKey(x.fully_loaded_usd),
    outcomes: (x) => x.accepted_outcomes,
    api_per: (x) => moneyKey(x.api_cost_per_accepted_outcome_usd),
    loaded_per: (x) => moneyKey(x.fully_loaded_per_accepted_outcome_usd),
  })
  return (
    <table className="w-full text-sm">
      <thead>
        <tr className="text-left text-xs text-slate-500">
          <SortTh sorter={sorter} k="scenario" className={th}>
            Scenario
          </SortTh>
          <SortTh sorter={sorter} k="api" className={`${th} text-right`}>
            API cost
          </SortTh>
          <SortTh sorter={sorter} k="loaded" className={`${th} text-right`}>
            Fully loaded cost
          </SortTh>
          <SortTh sorter={sorter} k="outcomes" className={`${th} text-right`}>
            Accepted outcomes
          </SortTh>
          <SortTh sorter={sorter} k="api_per" className={`${th} text-right`}>
            API cost per outcome
          </SortTh>
          <SortTh sorter={sorter} k="loaded_per" className={`${th} text-right`}>
            Fully loaded per outcome
          </SortTh>
        </tr>
      </thead>
      <tbody>
        {sorter.rows.map((x) => (
          <tr key={x.scenario} className="border-t border-slate-100" data-scenario={x.scenario}>
            <td className="py-1">{x.scenario}</td>
            <td className="num text-right" data-api={x.api_cost_usd}>
              {formatUsd(x.api_cost_usd)}
            </td>
            <td className="num text-right font-medium" data-loaded={x.fully_loaded_usd}>
              {formatUsd(x.fully_loaded_usd)}
            </td>
            <td className="num text-right">{formatCount(x.accepted_outcomes)}</td>
            <td className="num text-right">{per(x.api_cost_per_accepted_outcome_usd)}</td>
            <td className="num text-right">{per(x.fully_loaded_per_accepted_outcome_usd)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
