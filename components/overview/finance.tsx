'use client'
import Link from 'next/link'
import { useMemo } from 'react'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as overviewApi from '@/lib/overview/api'
import { WHOLE_BILL_LABELS, WHOLE_BILL_PARTS } from '@/lib/finance/schema'
import type { TWholeBill } from '@/lib/finance/schema'
import { useMetrics } from '@/components/metrics/queries'
import { useBudgets } from '@/components/budgets/queries'
import { useForecast } from '@/components/forecast/queries'
import { useAlertList } from '@/components/alerts/queries'
import { useChanges } from '@/components/changes/queries'
import { useReconciliation } from '@/components/bills/queries'
import { StateBadge } from '@/components/budgets/labels'
import { BreakdownTable } from '@/components/charts/breakdown-table'
import { signedCents } from '@/components/metrics/breakdown'
import { Alert, Card, Kpi, Skeleton } from '@/components/ui'
import { BudgetScope } from '@/components/budgets/budget-scope'
import { alertPath, KIND_LABEL } from '@/lib/alerts/view'
import { changesQuery, changesRangeLabel, parseChangesParams } from '@/lib/changes/view'
import type { TBreakdownFilters } from '@/lib/metrics/breakdown'
import { topN, totals } from '@/lib/metrics/prepare'
import { financeWindows, internalShare, monthBudgets, organizationBudget, reconciliationStatus, type TFinanceWindows } from '@/lib/overview/finance'
import type { TContributor } from '@/lib/changes/schema'
import type { TAlert } from '@/lib/alerts/schema'
import type { TBudgetView } from '@/lib/budgets'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'

// The overview's finance part (docs/finance.md "The overview"): the month in one row of numbers, then the
// panels that explain it. Every figure is read from the API that owns it — the metrics engine (today, month
// to date's API inference, traffic sources, unpriced calls), the whole bill (GET /api/v1/overview: the month to
// date as API inference + GPU capacity + line items, lib/finance/whole-bill.ts), budgets (their own measure and state), the forecast (month end
// and its band), alerts, What changed (top movers: its contributors for the same periods and scope, so a
// mover's link opens the same figures) and the reconciliation of the last closed month.

/** The open alerts the list asks for (GET /api/v1/alerts?state=open&limit=200, as the Alerts page). */
const ALERT_LIMIT = 200
const PRODUCTION_HINT =
  'Split by traffic_source, in every environment: production traffic, and the internal traffic of evaluations (eval), replays of production traffic (replay) and operations (ops).'

export function useFinanceOverview(org: string, filters: TBreakdownFilters) {
  const w = useMemo(() => financeWindows(), [])
  const today = useMetrics(org, { from: w.today.from, to: w.today.to, granularity: 'none' })
  const month = useMetrics(org, { from: w.month.from, to: w.month.to, granularity: 'none', group_by: 'traffic_source' })
  const bill = useQuery({ queryKey: ['overview', org], queryFn: ({ signal }) => callApi(overviewApi.overview, { org, signal }), refetchInterval: 60_000 })
  const budgets = useBudgets(org)
  const forecast = useForecast(org, {})
  const alerts = useAlertList(org, { state: 'open' })
  const reconciliation = useReconciliation(org, { from: w.lastMonth.from, to: w.lastMonth.to, granularity: 'month' })
  // top movers: What changed for the overview's range and filters (the page a mover links to, with its scope added)
  const moversQuery = changesQuery({ range: filters.range, environment: filters.environment, traffic_source: filters.traffic_source })
  const moversView = useMemo(() => parseChangesParams(new URLSearchParams(moversQuery)), [moversQuery])
  const movers = useChanges(org, moversView)
  return { w, today, month, bill, budgets, forecast, alerts, reconciliation, movers, moversQuery }
}

type TFinance = ReturnType<typeof useFinanceOverview>

/** The headline row: this month for the whole organization (every environment and traffic source), with units. */
export function FinanceHeadline({ f }: { f: TFinance }) {
  const today = f.today.data ? totals(f.today.data.rows) : null
  const month = f.month.data ? totals(f.month.data.rows) : null
  const internal = f.month.data ? internalShare(f.month.data.rows, f.bill.data?.month_to_date ?? null) : null
  const dayBudget = f.budgets.data ? organizationBudget(f.budgets.data.budgets, 'day') : undefined
  const monthBudget = f.budgets.data ? organizationBudget(f.budgets.data.budgets, 'month') : undefined
  const m = f.forecast.data?.month_end
  const openAlerts = f.alerts.data?.alerts.length
  const rec = f.reconciliation.data ? reconciliationStatus(f.reconciliation.data) : null
  const error = f.today.error ?? f.month.error ?? f.bill.error ?? f.budgets.error ?? f.forecast.error ?? f.alerts.error ?? f.reconciliation.error

  return (
    <section aria-labelledby="finance-heading" className="space-y-3" data-testid="finance-headline">
      <div className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id="finance-heading" className="text-base font-semibold">
          This month
        </h2>
        <p className="text-xs text-slate-500">All environments and traffic sources, in USD, UTC. Month to date from {f.w.month.from.slice(0, 10)}.</p>
      </div>
      {error && <Alert>Could not load this month&apos;s figures: {error.message}</Alert>}
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi
          label="Spend today"
          value={today ? formatUsd(today.cost_usd) : null}
          testId="kpi-today"
          hint={budgetHint(dayBudget, 'daily budget') ?? 'Since 00:00 UTC'}
          warn={!!dayBudget && dayBudget.status.state !== 'ok' && dayBudget.status.state !== 'no_data'}
        />
        <MonthToDate
          bill={f.bill.data?.month_to_date ?? null}
          failed={!!f.bill.error}
          apiOnly={month?.cost_usd ?? null}
          budget={budgetHint(monthBudget, 'monthly budget') ?? (monthBudget === null ? 'No monthly budget for the whole organization' : undefined)}
          warn={!!monthBudget && monthBudget.status.state !== 'ok' && monthBudget.status.state !== 'no_data'}
        />
        <Kpi
          label="Month-end forecast, API inference"
          term="forecast"
          value={f.forecast.data ? (m?.forecast_usd ? formatUsd(m.forecast_usd) : '—') : f.forecast.error ? '—' : null}
          testId="kpi-forecast"
          hint={
            m?.forecast_usd && m.lower_usd && m.upper_usd
              ? `95% band ${formatUsd(m.lower_usd)} – ${formatUsd(m.upper_usd)}`
              : (f.forecast.data?.note ?? undefined)
          }
          warn={!!monthBudget && !!m?.upper_usd && Number(m.upper_usd) > Number(monthBudget.amount_usd)}
        />
        <div title={PRODUCTION_HINT}>
          <Kpi label="Eval, replay and ops" value={internal ? formatUsd(internal.internal_usd) : null} testId="kpi-internal-month" hint={internal?.hint} />
        </div>
        <Kpi
          label="Open alerts"
          value={openAlerts === undefined ? (f.alerts.error ? '—' : null) : openAlerts >= ALERT_LIMIT ? `${ALERT_LIMIT}+` : formatCount(openAlerts)}
          testId="kpi-open-alerts"
          hint={openAlerts ? 'Not acknowledged, resolved or muted' : 'Nothing waiting'}
          warn={!!openAlerts}
        />
        <Kpi
          label="Unpriced calls this month"
          term="unpriced"
          value={month ? formatCount(month.unpriced_events) : null}
          testId="kpi-unpriced-month"
          hint={month && month.unpriced_events > 0 ? 'Not in the spend above: their models have no price' : 'Every call has a price'}
          warn={!!month && month.unpriced_events > 0}
        />
        <Kpi
          label={`${f.w.lastMonth.label} vs the bill`}
          value={
            rec
              ? rec.kind === 'no_bill'
                ? 'No bill'
                : rec.kind === 'matches'
                  ? 'Within 1%'
                  : signedCents(rec.difference_usd)
              : f.reconciliation.error
                ? '—'
                : null
          }
          testId="kpi-reconciliation"
          hint={
            rec
              ? rec.kind === 'no_bill'
                ? 'No bill imported for that month'
                : `Billed ${formatUsd(rec.billed_usd)}, computed ${formatUsd(rec.computed_usd)}${rec.flagged_rows ? `; ${formatCount(rec.flagged_rows)} flagged` : ''}`
              : undefined
          }
          warn={rec?.kind === 'flagged'}
        />
        <Kpi
          label="Spend budgets this month"
          value={f.budgets.data ? formatCount(monthBudgets(f.budgets.data.budgets).length) : f.budgets.error ? '—' : null}
          testId="kpi-month-budgets"
          hint={f.budgets.data ? budgetsHint(monthBudgets(f.budgets.data.budgets)) : undefined}
          warn={!!f.budgets.data && monthBudgets(f.budgets.data.budgets).some((b) => b.status.state === 'exceeded' || b.status.state === 'warning')}
        />
      </div>
    </section>
  )
}

/**
 * The month to date as the whole bill (what the organization pays): its total, then each part — API inference,
 * GPU capacity, line items — with the words the monthly report uses (lib/finance/schema.ts). Until the whole bill
 * answers (or when it cannot be read), the API inference from the metrics.
 */
function MonthToDate({
  bill,
  failed,
  apiOnly,
  budget,
  warn,
}: {
  bill: TWholeBill | null
  failed: boolean
  apiOnly: string | null
  budget: string | undefined
  warn: boolean
}) {
  const total = bill ? bill.total_usd : failed ? apiOnly : null
  return (
    <div className={`rounded-lg border bg-white p-4 shadow-sm ${warn ? 'border-amber-300' : 'border-slate-200'}`} title={WHOLE_BILL_LABELS.total_usd.hint}>
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">
        {bill || !failed ? 'Month to date, whole bill' : 'Month to date, API inference'}
      </div>
      {total === null ? (
        <Skeleton className="mt-2 h-7 w-24" />
      ) : (
        <div className="num mt-1 text-xl font-semibold xl:text-2xl" data-testid="kpi-month" data-usd={total}>
          {formatUsd(total)}
        </div>
      )}
      {bill && (
        <dl className="mt-1 space-y-0.5 text-xs text-slate-600" data-testid="month-parts">
          {WHOLE_BILL_PARTS.map((p) => (
            <div key={p} className="flex justify-between gap-2" title={WHOLE_BILL_LABELS[p].hint}>
              <dt>{WHOLE_BILL_LABELS[p].label}</dt>
              <dd className="num" data-part={p} data-usd={bill[p]}>
                {formatUsd(bill[p])}
              </dd>
            </div>
          ))}
        </dl>
      )}
      {budget && <div className={`mt-1 text-xs ${warn ? 'text-amber-700' : 'text-slate-500'}`}>{budget}</div>}
    </div>
  )
}

/** "42.0% of “AI spend” ($1,000.00 monthly budget)", from the budget's own measure (its traffic sources); undefined while loading, null without one. */
function budgetHint(b: TBudgetView | null | undefined, noun: string): string | null | undefined {
  if (!b) return b
  const used = b.status.used_ratio === null ? '—' : formatPercent(b.status.used_ratio)
  return `${used} of “${b.name}” (${formatUsd(b.amount_usd)} ${noun})`
}

function budgetsHint(budgets: TBudgetView[]): string {
  if (budgets.length === 0) return 'None set'
  const over = budgets.filter((b) => b.status.state === 'exceeded').length
  const warn = budgets.filter((b) => b.status.state === 'warning').length
  if (over + warn === 0) return 'All within their amount'
  return [over && `${over} exceeded`, warn && `${warn} past a threshold`].filter(Boolean).join(', ')
}

/** The panels under the headline: budgets, the traffic split, top movers, open alerts, unpriced calls, the last month's bill. */
export function FinancePanels({ org, f, range }: { org: string; f: TFinance; range: string }) {
  const month = f.month.data ? totals(f.month.data.rows) : null
  return (
    <div className="grid gap-6 lg:grid-cols-2 2xl:grid-cols-3">
      <MonthBudgets org={org} budgets={f.budgets.data ? monthBudgets(f.budgets.data.budgets) : null} />
      <Card title="Production vs eval, replay and ops" subtitle={`Month to date by traffic source, USD. ${PRODUCTION_HINT}`}>
        {f.month.data ? (
          f.month.data.rows.length ? (
            <BreakdownTable items={topN(f.month.data.rows, 'traffic_source').items} label="Traffic source" testId="month-by-traffic-source" />
          ) : (
            <p className="text-sm text-slate-600">No calls this month yet.</p>
          )
        ) : (
          <Skeleton className="h-32" />
        )}
      </Card>
      <Movers org={org} f={f} range={range} />
      <OpenAlerts org={org} alerts={f.alerts.data?.alerts ?? null} />
      <Card
        title="Unpriced calls"
        subtitle="Calls this month whose model has no price: they count as $0 until one is added, and reprice when it is."
        actions={
          <Link className="text-sm font-medium text-brand-600 hover:underline" href={`/${org}/pricing`}>
            Pricing
          </Link>
        }
      >
        {month ? (
          <p className="text-sm text-slate-700" data-testid="unpriced-panel">
            {month.unpriced_events > 0 ? (
              <>
                <span className="num font-semibold text-amber-700">{formatCount(month.unpriced_events)}</span> unpriced calls this month.{' '}
                <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/pricing`}>
                  Add their prices
                </Link>{' '}
                on the pricing page.
              </>
            ) : (
              'Every call this month has a price.'
            )}
          </p>
        ) : (
          <Skeleton className="h-10" />
        )}
      </Card>
      <LastMonth org={org} w={f.w} data={f.reconciliation.data ?? null} />
    </div>
  )
}

function MonthBudgets({ org, budgets }: { org: string; budgets: TBudgetView[] | null }) {
  return (
    <Card
      title="This month's budgets"
      subtitle="Spend budgets over the calendar month, each measured in its own scope and traffic sources."
      actions={
        <Link className="text-sm font-medium text-brand-600 hover:underline" href={`/${org}/budgets`}>
          Budgets
        </Link>
      }
    >
      {budgets === null ? (
        <Skeleton className="h-32" />
      ) : budgets.length === 0 ? (
        <p className="text-sm text-slate-600">
          No monthly spend budget yet.{' '}
          <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/budgets`}>
            Create one
          </Link>{' '}
          to hold the month against an amount and be alerted at its thresholds.
        </p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="month-budgets">
          {budgets.map((b) => (
            <li key={b.id} className="py-2">
              <div className="flex flex-wrap items-baseline gap-x-2">
                <Link className="min-w-0 flex-1 truncate font-medium text-slate-900 hover:underline" href={`/${org}/budgets/${b.id}`} title={b.name}>
                  {b.name}
                </Link>
                <StateBadge state={b.status.state} />
              </div>
              <div className="mt-0.5 flex flex-wrap gap-x-3 text-xs text-slate-500">
                <span>
                  <BudgetScope org={org} b={b} />
                </span>
                <span className="num" data-actual={b.status.actual_usd ?? ''}>
                  {b.status.actual_usd === null ? '—' : formatUsd(b.status.actual_usd)} of {formatUsd(b.amount_usd)}
                  {b.status.used_ratio !== null && ` (${formatPercent(b.status.used_ratio)})`}
                </span>
              </div>
              {b.status.used_ratio !== null && (
                <div className="mt-1 h-1.5 rounded bg-slate-100" aria-hidden>
                  <div
                    className={`h-1.5 rounded ${b.status.state === 'exceeded' ? 'bg-red-500' : b.status.state === 'warning' ? 'bg-amber-500' : 'bg-emerald-500'}`}
                    style={{ width: `${Math.min(100, Math.max(1, b.status.used_ratio * 100))}%` }}
                  />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  )
}

function Movers({ org, f, range }: { org: string; f: TFinance; range: string }) {
  const data = f.movers.data
  const href = (scope: { workflow_id?: string; account_id?: string }) => {
    const q = new URLSearchParams(f.moversQuery)
    for (const [k, v] of Object.entries(scope)) if (v) q.set(k, v)
    return `/${org}/changes?${q}`
  }
  return (
    <Card
      title="Top movers"
      subtitle={`Workflows and accounts whose spend changed most, ${changesRangeLabel(range)} vs the period before (as on What changed, with the filters above).`}
      actions={
        <Link className="text-sm font-medium text-brand-600 hover:underline" href={`/${org}/changes?${f.moversQuery}`}>
          What changed
        </Link>
      }
    >
      {f.movers.error ? (
        <Alert>Could not load the comparison: {f.movers.error.message}</Alert>
      ) : !data ? (
        <Skeleton className="h-40" />
      ) : (
        <div className="space-y-4">
          <MoverList
            title="Workflows"
            testId="movers-workflows"
            rows={named(data.contributors.workflows, 'workflow_id')}
            href={(c) => href({ workflow_id: c.workflow_id })}
          />
          <MoverList
            title="Accounts"
            testId="movers-accounts"
            rows={named(data.contributors.accounts, 'account_id')}
            href={(c) => href({ account_id: c.account_id })}
          />
        </div>
      )}
    </Card>
  )
}

/** Contributors with a value (the "none" row is not a workflow or an account), the five largest changes. */
const named = (rows: TContributor[], key: 'workflow_id' | 'account_id') => rows.filter((r) => r[key]).slice(0, 5)

function MoverList({ title, rows, href, testId }: { title: string; rows: TContributor[]; href: (c: TContributor) => string; testId: string }) {
  return (
    <div>
      <h3 className="text-xs font-medium uppercase tracking-wide text-slate-500">{title}</h3>
      {rows.length === 0 ? (
        <p className="mt-1 text-sm text-slate-600">No change against the previous period.</p>
      ) : (
        <ol className="divide-y divide-slate-100 text-sm" data-testid={testId}>
          {rows.map((c) => (
            <li key={c.key} className="flex flex-wrap items-baseline gap-x-3 py-1.5">
              <Link className="min-w-0 flex-1 truncate font-medium text-brand-700 hover:underline" href={href(c)} title={`What changed for ${c.key}`}>
                {c.key}
              </Link>
              <span className={`num font-semibold ${c.delta_usd.startsWith('-') ? 'text-emerald-700' : 'text-amber-700'}`} data-delta={c.delta_usd}>
                {signedCents(c.delta_usd)}
              </span>
              <span className="num w-44 text-right text-xs text-slate-500">
                {formatUsd(c.a_usd)} → {formatUsd(c.b_usd)}
              </span>
            </li>
          ))}
        </ol>
      )}
    </div>
  )
}

function OpenAlerts({ org, alerts }: { org: string; alerts: TAlert[] | null }) {
  return (
    <Card
      title="Open alerts"
      subtitle="Budget thresholds, drift, anomalies and unpriced models not yet acknowledged, newest first."
      actions={
        <Link className="text-sm font-medium text-brand-600 hover:underline" href={`/${org}/alerts`}>
          Alerts
        </Link>
      }
    >
      {alerts === null ? (
        <Skeleton className="h-32" />
      ) : alerts.length === 0 ? (
        <p className="text-sm text-slate-600">No open alerts.</p>
      ) : (
        <ul className="divide-y divide-slate-100 text-sm" data-testid="open-alerts">
          {alerts.slice(0, 5).map((a) => (
            <li key={a.id} className="flex flex-wrap items-baseline gap-x-3 py-1.5">
              <span className="w-36 shrink-0 text-xs text-slate-500">{KIND_LABEL[a.kind]}</span>
              <Link className="min-w-0 flex-1 truncate font-medium text-slate-900 hover:underline" href={alertPath(org, a)} title={a.title}>
                {a.title}
              </Link>
            </li>
          ))}
          {alerts.length > 5 && (
            <li className="py-1.5 text-xs text-slate-500">
              and {formatCount(alerts.length - 5)} more on the{' '}
              <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/alerts`}>
                Alerts page
              </Link>
            </li>
          )}
        </ul>
      )}
    </Card>
  )
}

function LastMonth({ org, w, data }: { org: string; w: TFinanceWindows; data: Parameters<typeof reconciliationStatus>[0] | null }) {
  const rec = data ? reconciliationStatus(data) : null
  const recHref = `/${org}/reports/reconciliation?from=${w.lastMonth.from}&to=${w.lastMonth.to}&granularity=month`
  return (
    <Card
      title={`${w.lastMonth.label} against the bill`}
      subtitle="The last closed month: what Outlay computed from the events against the imported provider bills, flagged past 1%."
      actions={
        <Link className="text-sm font-medium text-brand-600 hover:underline" href={recHref}>
          Reconciliation
        </Link>
      }
    >
      {!rec ? (
        <Skeleton className="h-20" />
      ) : rec.kind === 'no_bill' ? (
        <p className="text-sm text-slate-700" data-testid="reconciliation-status" data-status="no_bill">
          No bill imported for {w.lastMonth.label} —{' '}
          <Link className="font-medium text-brand-600 hover:underline" href={`/${org}/reports/bills`}>
            import one
          </Link>{' '}
          (a FOCUS export, an OpenAI or Anthropic cost report, or a simple CSV) to check these figures against what was billed.
        </p>
      ) : (
        <div className="space-y-2 text-sm" data-testid="reconciliation-status" data-status={rec.kind}>
          <p className={rec.kind === 'flagged' ? 'font-medium text-amber-800' : 'font-medium text-emerald-800'}>
            {rec.kind === 'flagged'
              ? `${formatCount(rec.flagged_rows)} ${rec.flagged_rows === 1 ? 'row differs' : 'rows differ'} from the bill by more than 1%.`
              : 'Matches the bill within 1% on every row.'}
          </p>
          <dl className="grid grid-cols-3 gap-2">
            <div>
              <dt className="text-xs text-slate-500">Billed</dt>
              <dd className="num font-semibold" data-testid="rec-billed">
                {formatUsd(rec.billed_usd)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Computed</dt>
              <dd className="num font-semibold" data-testid="rec-computed">
                {formatUsd(rec.computed_usd)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Difference</dt>
              <dd className="num font-semibold" data-testid="rec-difference">
                {signedCents(rec.difference_usd)}
                {rec.difference_ratio !== null && <span className="ml-1 text-xs font-normal text-slate-500">({formatPercent(rec.difference_ratio, 2)})</span>}
              </dd>
            </div>
          </dl>
          <p className="text-xs text-slate-500">Providers billed: {rec.providers.join(', ')}.</p>
        </div>
      )}
    </Card>
  )
}
