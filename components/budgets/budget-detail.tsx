'use client'
import { When, ZoneNote } from '@/components/layout/time-zone'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import Link from 'next/link'
import { useState } from 'react'
import { BudgetForm } from '@/components/budgets/budget-form'
import { Alert, Button, Card, Kpi, Skeleton } from '@/components/ui'
import { BurnDownChart } from '@/components/charts/burn-down-chart'
import { useAlerts, useBudgetHistory } from '@/components/budgets/queries'
import { METRIC_LABEL, PERIOD_LABEL, StateBadge } from '@/components/budgets/labels'
import { burnChartPoints, enforcementLabel } from '@/lib/budgets/view'
import { BudgetScope } from '@/components/budgets/budget-scope'
import { formatPercent, formatUsd } from '@/lib/format'

// The question an owner brings to one budget: "will it hold to the end of the
// period, what happened so far, and what does the cutoff do to our calls now?"

export function BudgetDetail({ org, id, canEdit }: { org: string; id: string; canEdit: boolean }) {
  const h = useBudgetHistory(org, id)
  const history = useSort(h.data?.state_changes, {
    at: (c) => Date.parse(c.at),
    to: (c) => c.to_state,
    actual: (c) => moneyKey(c.actual_usd),
  })
  const [editing, setEditing] = useState(false)
  const alerts = useAlerts(org)
  const b = h.data?.budget
  const spend = b?.metric === 'spend'
  const precise = !spend
  const mine = alerts.data?.alerts.filter((a) => a.budget_id === id) ?? null
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href={`/${org}/budgets`} className="text-brand-600 hover:underline">
          Budgets
        </Link>{' '}
        <span aria-hidden>/</span> <span className="font-medium text-slate-800">{b?.name ?? '…'}</span>
      </nav>
      {h.error && <Alert>Could not load the budget: {h.error.message}</Alert>}
      {b ? (
        <div className="flex flex-wrap items-center gap-3">
          <h1 className="text-2xl font-semibold">{b.name}</h1>
          <StateBadge state={b.status.state} />
          {canEdit && !editing && (
            <Button variant="secondary" className="ml-auto" onClick={() => setEditing(true)}>
              Edit budget
            </Button>
          )}
          <p className="w-full text-sm text-slate-600">
            {METRIC_LABEL[b.metric]}, {PERIOD_LABEL(b)} · <BudgetScope org={org} b={b} /> · {b.traffic_sources.join(', ')} traffic
            {b.owner ? ` · owner ${b.owner}` : ''}. <ZoneNote />
          </p>
        </div>
      ) : (
        !h.error && <Skeleton className="h-12 w-80" />
      )}

      {b && editing && (
        <Card title="Edit budget" subtitle="Changes apply from the next evaluation, within seconds; the state history keeps what came before.">
          <BudgetForm org={org} budget={b} onDone={() => setEditing(false)} />
        </Card>
      )}

      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi
          label={spend ? 'Spent this period' : `Actual ${b ? METRIC_LABEL[b.metric] : ''}`}
          testId="kpi-actual"
          value={b ? (b.status.actual_usd === null ? '—' : formatUsd(b.status.actual_usd, { precise })) : null}
          hint={b ? `of ${formatUsd(b.amount_usd, { precise })}` : undefined}
          warn={b?.status.state === 'exceeded'}
        />
        <Kpi
          label="Used"
          testId="kpi-used"
          value={b ? (b.status.used_ratio === null ? '—' : formatPercent(b.status.used_ratio)) : null}
          hint={b ? `alerts at ${b.thresholds.join(', ')}%` : undefined}
        />
        <Kpi
          label="Projected at period end"
          testId="kpi-projected"
          value={b ? (b.status.projected_usd === null ? '—' : formatUsd(b.status.projected_usd)) : null}
          hint={
            b
              ? b.status.projected_usd === null
                ? 'day and month spend budgets only'
                : b.status.projected_over
                  ? 'over the amount at this pace'
                  : 'within the amount at this pace'
              : undefined
          }
          warn={b?.status.projected_over}
        />
        <Kpi
          label="Calls"
          term="calls"
          testId="kpi-enforcement"
          value={
            b
              ? b.hard_cutoff && spend
                ? b.status.state === 'exceeded'
                  ? b.cutoff_action === 'deny'
                    ? 'Denied'
                    : 'Throttled'
                  : 'Allowed'
                : 'Never held back'
              : null
          }
          hint={b ? enforcementLabel(b) : undefined}
          warn={b?.hard_cutoff && b.status.state === 'exceeded'}
        />
      </section>

      <Card
        title={spend ? 'Burn-down' : `${b ? METRIC_LABEL[b.metric] : 'Value'} per ${h.data?.granularity ?? 'day'}`}
        subtitle={
          spend
            ? 'Cumulative spend this period against the even pace that lands on the amount, and where the pace so far ends.'
            : 'The value in each bucket against the target.'
        }
      >
        {h.data && b ? (
          h.data.points.some((p) => p.spend_usd !== null && Number(p.spend_usd) > 0) ? (
            <BurnDownChart
              data={burnChartPoints(h.data.points, h.data.granularity)}
              amount={Number(b.amount_usd)}
              kind={spend ? 'spend' : 'value'}
              label={`${b.name}: ${spend ? 'cumulative spend against the amount' : 'value per bucket against the target'}`}
              format={(v) => formatUsd(v, { precise })}
            />
          ) : (
            <p className="text-sm text-slate-600">
              No spend in this period yet for the budget&apos;s scope. Events sent to <code>POST /api/v1/events</code> that match it show up here within
              seconds.
            </p>
          )
        ) : (
          <Skeleton className="h-64" />
        )}
      </Card>

      <div className="grid gap-6 lg:grid-cols-2">
        <Card title="State history" subtitle="Each change an evaluation saw (every 30 s, and right after spend arrives).">
          {h.data ? (
            h.data.state_changes.length ? (
              <table className="w-full text-sm" data-testid="state-history">
                <thead>
                  <tr className="text-left text-xs text-slate-500">
                    <SortTh sorter={history} k="at" className="py-1 font-medium">
                      When (UTC)
                    </SortTh>
                    <SortTh sorter={history} k="to" className="font-medium">
                      Change
                    </SortTh>
                    <SortTh sorter={history} k="actual" className="text-right font-medium">
                      Actual
                    </SortTh>
                  </tr>
                </thead>
                <tbody>
                  {history.rows.map((c) => (
                    <tr key={c.at + c.to_state} className="border-t border-slate-100" data-to={c.to_state}>
                      <td className="py-1.5">
                        <When t={c.at} />
                      </td>
                      <td>
                        {c.from_state ? (
                          <>
                            <StateBadge state={c.from_state} /> →{' '}
                          </>
                        ) : (
                          'first seen '
                        )}
                        <StateBadge state={c.to_state} />
                      </td>
                      <td className="num text-right">{c.actual_usd === null ? '—' : formatUsd(c.actual_usd, { precise })}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : (
              <p className="text-sm text-slate-600">Not evaluated yet: the workers evaluate budgets every 30 seconds.</p>
            )
          ) : (
            <Skeleton className="h-24" />
          )}
        </Card>
        <Card title="Alerts" subtitle="Thresholds this budget crossed; each fires once per period.">
          {alerts.error ? (
            <Alert>Could not load the alerts: {alerts.error.message}</Alert>
          ) : mine ? (
            mine.length ? (
              <ul className="divide-y divide-slate-100 text-sm" data-testid="budget-alerts">
                {mine.map((a) => (
                  <li key={a.id} className="flex flex-wrap items-center gap-x-3 py-1.5">
                    <StateBadge state={a.state} />{' '}
                    <span>
                      {a.threshold}% crossed{a.actual_usd === null ? '' : ` at ${formatUsd(a.actual_usd, { precise: true })}`}
                    </span>
                    <span className="ml-auto text-xs text-slate-500">
                      <When t={a.fired_at} />
                      {a.acknowledged_at ? ' · acknowledged' : ''}
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="text-sm text-slate-600">No threshold crossed yet.</p>
            )
          ) : (
            <Skeleton className="h-24" />
          )}
        </Card>
      </div>
    </div>
  )
}
