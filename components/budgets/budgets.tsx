'use client'
import { useState } from 'react'
import { SortSelect, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { When, ZoneNote } from '@/components/layout/time-zone'
import Link from 'next/link'
import { Alert, Button, Card, InlineConfirm, Kpi, Skeleton } from '@/components/ui'
import { useAckAlert, useAlerts, useBudgets, useDeleteBudget } from '@/components/budgets/queries'
import type { TBudgetAlert } from '@/lib/budgets/alerts'
import { BudgetForm } from '@/components/budgets/budget-form'
import { sortBudgets } from '@/lib/budgets/view'
import { BudgetScope } from '@/components/budgets/budget-scope'
import type { TBudgetView } from '@/lib/budgets'
import { formatPercent, formatUsd } from '@/lib/format'
import { enforcementLabel } from '@/lib/budgets/view'
import { METRIC_LABEL, PERIOD_LABEL, STATE_STYLE, StateBadge } from '@/components/budgets/labels'

// The question a finance lead or an engineering manager brings here: "is any
// budget exceeded or about to be, for which scope, and where will the period
// end at this pace?"

export function Budgets({ org, canEdit }: { org: string; canEdit: boolean }) {
  const budgets = useBudgets(org)
  const del = useDeleteBudget(org)
  const rows = budgets.data ? sortBudgets(budgets.data.budgets) : null
  const count = (s: string) => rows?.filter((b) => b.status.state === s).length ?? 0
  const sorter = useSort(rows, {
    name: (b) => b.name,
    used: (b) => b.status.used_ratio,
    amount: (b) => moneyKey(b.amount_usd),
    actual: (b) => moneyKey(b.status.actual_usd),
  })

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Budgets</h1>
        <p className="text-sm text-slate-600">
          Spend per day, month or rolling window, cost per run and cost per accepted outcome, per scope, measured on the hourly rollups. <ZoneNote />
        </p>
      </div>
      {budgets.error && <Alert>Could not load budgets: {budgets.error.message}</Alert>}
      {del.error && <Alert>Could not delete the budget: {del.error.message}</Alert>}

      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi label="Budgets" value={rows ? String(rows.length) : null} testId="kpi-budgets" />
        <Kpi label="Exceeded" value={rows ? String(count('exceeded')) : null} testId="kpi-exceeded" warn={count('exceeded') > 0} />
        <Kpi label="Past a threshold" value={rows ? String(count('warning')) : null} testId="kpi-warning" />
        <Kpi
          label="Projected over by period end"
          value={rows ? String(rows.filter((b) => b.status.projected_over && b.status.state !== 'exceeded').length) : null}
          testId="kpi-projected"
          hint="Day and month spend budgets, at the pace so far"
        />
      </section>

      <Card
        title="Budgets"
        subtitle="Most at risk first. The bar shows the amount used; ticks mark the alert thresholds."
        actions={
          rows?.length ? (
            <SortSelect
              id="budgets-sort"
              sorter={sorter}
              defaultLabel="Most at risk"
              options={[
                { key: 'used', label: 'Used', desc: 'most first', asc: 'least first' },
                { key: 'actual', label: 'Actual', desc: 'largest first', asc: 'smallest first' },
                { key: 'amount', label: 'Amount', desc: 'largest first', asc: 'smallest first' },
                { key: 'name', label: 'Name', desc: 'Z → A', asc: 'A → Z' },
              ]}
            />
          ) : undefined
        }
      >
        {rows ? (
          rows.length ? (
            <ul className="divide-y divide-slate-100" data-testid="budgets">
              {sorter.rows.map((b) => (
                <BudgetRow key={b.id} org={org} b={b} canEdit={canEdit} onDelete={() => del.mutate(b.id)} deleting={del.isPending && del.variables === b.id} />
              ))}
            </ul>
          ) : (
            <div className="space-y-2 text-sm text-slate-700">
              <p>
                No budgets yet. {canEdit ? 'Create one below' : 'An admin, engineer or finance member can create one'}, or send it as code to{' '}
                <code>POST /api/v1/budgets</code> with a <code>write</code> key.
              </p>
              <p>A budget can cover the whole organization or any of an environment, a workflow, a customer account and a feature.</p>
            </div>
          )
        ) : (
          <Skeleton className="h-40" />
        )}
      </Card>

      <AlertsCard org={org} canEdit={canEdit} />

      {canEdit && (
        <Card title="New budget" subtitle="Production traffic only unless you tick more sources.">
          <BudgetForm org={org} />
        </Card>
      )}
    </div>
  )
}

function BudgetRow({ org, b, canEdit, onDelete, deleting }: { org: string; b: TBudgetView; canEdit: boolean; onDelete: () => void; deleting: boolean }) {
  const used = b.status.used_ratio ?? 0
  const max = Math.max(1, used, ...b.thresholds.map((t) => t / 100))
  // Deleting drops the budget and its history of crossings: asked once more, as revoking a key is.
  const [confirming, setConfirming] = useState(false)
  const deleteId = `delete-budget-${b.id}`
  const cancel = () => {
    setConfirming(false)
    setTimeout(() => document.getElementById(deleteId)?.focus(), 0)
  }
  return (
    <li className="grid gap-3 py-3 md:grid-cols-[1fr_18rem_auto]" data-budget={b.name} data-state={b.status.state}>
      <div className="min-w-0">
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/${org}/budgets/${b.id}`} className="font-medium text-brand-600 hover:underline">
            {b.name}
          </Link>
          <StateBadge state={b.status.state} />
          {b.hard_cutoff && b.metric === 'spend' && (
            <span
              className={`rounded px-1.5 py-0.5 text-xs ${b.status.state === 'exceeded' ? 'bg-red-100 text-red-800' : 'bg-slate-100 text-slate-700'}`}
              title={enforcementLabel(b)}
              data-cutoff
            >
              {b.status.state === 'exceeded'
                ? b.cutoff_action === 'deny'
                  ? 'denying calls'
                  : `throttling to ${b.throttle_per_minute}/min`
                : `hard cutoff: ${b.cutoff_action}`}
            </span>
          )}
          {b.brownout_pct != null && (
            <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700" data-brownout>
              brown-out at {b.brownout_pct}%
            </span>
          )}
          {(b.run_cap_usd != null || b.run_cap_p95_multiple != null) && (
            <span className="rounded bg-slate-100 px-1.5 py-0.5 text-xs text-slate-700" data-run-cap>
              run cap:{' '}
              {[b.run_cap_usd != null && `$${b.run_cap_usd}`, b.run_cap_p95_multiple != null && `${b.run_cap_p95_multiple}× p95`].filter(Boolean).join(' or ')}
            </span>
          )}
        </div>
        <p className="mt-0.5 text-xs text-slate-500">
          {METRIC_LABEL[b.metric]}, {PERIOD_LABEL(b)} · <BudgetScope org={org} b={b} /> · {b.traffic_sources.join(', ')} traffic
          {b.owner ? ` · owner ${b.owner}` : ''}
        </p>
      </div>
      <div>
        <div className="flex items-baseline justify-between text-sm">
          <span className="num font-semibold" data-actual={b.status.actual_usd ?? ''}>
            {b.status.actual_usd === null ? '—' : formatUsd(b.status.actual_usd, { precise: b.metric !== 'spend' })}
          </span>
          <span className="num text-slate-600">
            of {formatUsd(b.amount_usd, { precise: b.metric !== 'spend' })} · {b.status.used_ratio === null ? '—' : formatPercent(b.status.used_ratio)}
          </span>
        </div>
        <div
          className="relative mt-1 h-2 rounded bg-slate-100"
          role="meter"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.round(used * 100)}
          aria-label={`${b.name}: ${formatPercent(used)} of the amount used`}
        >
          <div
            className={`h-2 rounded ${b.status.state === 'exceeded' ? 'bg-red-500' : b.status.state === 'warning' ? 'bg-amber-500' : 'bg-emerald-500'}`}
            style={{ width: `${Math.min(100, (used / max) * 100)}%` }}
          />
          {b.thresholds.map((t) => (
            <span key={t} className="absolute top-[-2px] h-3 w-px bg-slate-500" style={{ left: `${Math.min(100, (t / 100 / max) * 100)}%` }} title={`${t}%`} />
          ))}
        </div>
        {b.status.projected_usd !== null && (
          <p className={`mt-1 text-xs ${b.status.projected_over ? 'text-red-700' : 'text-slate-500'}`} data-projected={b.status.projected_usd}>
            Projected {formatUsd(b.status.projected_usd)} by the end of the {b.period === 'day' ? 'day' : 'month'}
            {b.status.projected_over ? ': over budget' : ''}
          </p>
        )}
      </div>
      <div className="flex items-start justify-end">
        {canEdit &&
          (confirming || deleting ? (
            <InlineConfirm
              label={`Confirm deleting the budget “${b.name}”`}
              note="Its alerts history goes with it."
              action={`Delete “${b.name}”`}
              pendingText="Deleting…"
              pending={deleting}
              onConfirm={onDelete}
              onCancel={cancel}
            />
          ) : (
            <Button id={deleteId} variant="danger" className="px-2 py-1" onClick={() => setConfirming(true)} aria-label={`Delete the budget ${b.name}`}>
              Delete
            </Button>
          ))}
      </div>
    </li>
  )
}

/** The history of crossings: each threshold once per period; acknowledged ones fade. */
function AlertsCard({ org, canEdit }: { org: string; canEdit: boolean }) {
  const alerts = useAlerts(org)
  const ack = useAckAlert(org)
  const rows = alerts.data?.alerts ?? null
  const open = rows?.filter((a) => !a.acknowledged_at).length ?? 0
  return (
    <Card
      title="Alerts"
      subtitle={`Thresholds crossed, newest first; each fires once per period. Budgets are evaluated every 30 seconds.${rows ? ` ${open} not acknowledged.` : ''}`}
      actions={
        <Link href={`/${org}/alerts`} className="whitespace-nowrap text-sm font-medium text-brand-600 hover:underline">
          All alerts, mute and channels →
        </Link>
      }
    >
      {alerts.error && <Alert>Could not load alerts: {alerts.error.message}</Alert>}
      {ack.error && <Alert>Could not acknowledge: {ack.error.message}</Alert>}
      {rows ? (
        rows.length ? (
          <ul className="divide-y divide-slate-100 text-sm" data-testid="alerts">
            {rows.map((a) => (
              <AlertRow key={a.id} a={a} canEdit={canEdit} onAck={() => ack.mutate(a.id)} />
            ))}
          </ul>
        ) : (
          <p className="text-sm text-slate-600">No threshold crossed yet. Alerts appear here within a minute of the spend that crosses one.</p>
        )
      ) : (
        <Skeleton className="h-24" />
      )}
    </Card>
  )
}

function AlertRow({ a, canEdit, onAck }: { a: TBudgetAlert; canEdit: boolean; onAck: () => void }) {
  return (
    <li
      className={`flex flex-wrap items-center gap-x-3 gap-y-1 py-2 ${a.acknowledged_at ? 'opacity-60' : ''}`}
      data-alert={`${a.budget_name}/${a.threshold}`}
      data-state={a.state}
    >
      <span className={`rounded px-1.5 py-0.5 text-xs font-medium ring-1 ${STATE_STYLE[a.state]}`}>
        {a.state === 'exceeded' ? 'exceeded' : `${a.threshold}%`}
      </span>
      <span className="font-medium">{a.budget_name}</span>
      <span className="num text-slate-600">
        {formatUsd(a.actual_usd ?? '', { precise: true })} of {formatUsd(a.amount_usd ?? '', { precise: true })} ({a.threshold}% threshold)
      </span>
      <span className="ml-auto text-xs text-slate-500">
        <When t={a.fired_at} />
      </span>
      {a.acknowledged_at ? (
        <span className="text-xs text-slate-500">acknowledged</span>
      ) : (
        canEdit && (
          <Button variant="secondary" className="px-2 py-0.5 text-xs" onClick={onAck} aria-label={`Acknowledge ${a.budget_name} at ${a.threshold}%`}>
            Acknowledge
          </Button>
        )
      )}
    </li>
  )
}
