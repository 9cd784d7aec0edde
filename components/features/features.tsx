'use client'
import { useMemo } from 'react'
import { Button, Card, Kpi, Skeleton } from '@/components/ui'
import { useUrlFilters } from '@/components/metrics/filters'
import { BreakdownPage } from '@/components/metrics/breakdown-page'
import { useBreakdownMetrics } from '@/components/metrics/breakdown-queries'
import { moneyKey } from '@/lib/table/sort'
import { useOrgNames } from '@/components/charts/org-colors'
import { BreakdownTable, changeKpi, downloadCsv, TopMovers, type TExtraColumn } from '@/components/metrics/breakdown'
import { useFeatureSlos } from '@/components/features/queries'
import { callsColumn, scopeOf } from '@/components/calls/links'
import { callsHref } from '@/lib/calls/view'
import { SloForm } from '@/components/features/slo-form'
import { csvFilename, topMovers } from '@/lib/metrics/breakdown'
import { featuresCsvRows, featuresTable, NO_FEATURE, STATUS_LABEL, type TFeatureRow, type TSloStatus } from '@/lib/metrics/views/features'
import { toCsv } from '@/lib/csv'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import { useCan } from '@/components/layout/role-context'

// The question product and finance bring here: "what does one action of each
// feature cost, and is it within its cost SLO?" An action is a run.

const STATUS_TONE: Record<TSloStatus, string> = {
  within: 'bg-emerald-50 text-emerald-800',
  breached: 'bg-red-50 text-red-800',
  no_slo: 'text-slate-500',
  no_runs: 'text-slate-500',
  no_priced_calls: 'text-slate-500',
}
const STATUS_TITLE: Record<TSloStatus, string> = {
  within: 'Spend ÷ runs in the period is at or under the target',
  breached: 'Spend ÷ runs in the period is above the target',
  no_slo: 'No target set for this feature',
  no_runs: 'A target, but no runs in the period to judge it by',
  no_priced_calls: 'A target, but none of the calls in the period had a price: their spend is unknown, not $0, so there is nothing to judge',
}

function StatusBadge({ status }: { status: TSloStatus }) {
  return (
    <span className={`rounded px-1.5 py-0.5 text-xs font-medium ${STATUS_TONE[status]}`} data-status={status} title={STATUS_TITLE[status]}>
      {STATUS_LABEL[status]}
    </span>
  )
}

function columns(org: string, canWrite: boolean): TExtraColumn<TFeatureRow>[] {
  return [
    {
      header: 'Runs',
      title: 'Actions: runs started in the period, each counted once',
      term: 'runs',
      sortValue: (r) => r.runs,
      cell: (r) => (
        <span className="text-slate-600" data-runs={r.runs}>
          {formatCount(r.runs)}
        </span>
      ),
    },
    {
      header: 'Cost / action',
      title: 'Spend ÷ runs (an action is a run of the feature)',
      term: 'cost_per_run',
      sortValue: (r) => moneyKey(r.cost_per_action_usd),
      cell: (r) => (
        <span data-cost-per-action={r.cost_per_action_usd ?? ''}>{r.cost_per_action_usd ? formatUsd(r.cost_per_action_usd, { precise: true }) : '—'}</span>
      ),
    },
    {
      header: 'Target / action',
      title: 'The feature’s cost SLO, USD per run',
      sortValue: (r) => moneyKey(r.target_usd_per_action),
      cell: (r) =>
        r.key === NO_FEATURE ? (
          <span className="text-slate-400" title="Events without a feature cannot have an SLO">
            —
          </span>
        ) : canWrite ? (
          <SloForm org={org} feature={r.key} target={r.target_usd_per_action} idPrefix={`slo-${r.key.replace(/[^\w-]/g, '_')}`} />
        ) : (
          <span data-target={r.target_usd_per_action ?? ''}>{r.target_usd_per_action ? formatUsd(r.target_usd_per_action, { precise: true }) : '—'}</span>
        ),
    },
    { header: 'Status', title: 'Cost per action in the period against the target', sortValue: (r) => r.status, cell: (r) => <StatusBadge status={r.status} /> },
    {
      header: 'Compliance',
      title: 'Share of the days with runs whose cost per action (that day’s spend ÷ its runs) was within target',
      sortValue: (r) => r.compliance,
      cell: (r) =>
        r.compliance === null ? (
          <span className="text-slate-400">—</span>
        ) : (
          <span
            data-compliance={r.compliance}
            title={`${r.within_days} of ${r.measured_days} days with runs within target`}
            className={r.compliance < 1 ? 'text-amber-700' : 'text-slate-700'}
          >
            {formatPercent(r.compliance)}
          </span>
        ),
    },
  ]
}

export function Features({ org, canWrite }: { org: string; canWrite: boolean }) {
  // each row's colour among the organization's every feature: the same on every page
  const orgNames = useOrgNames(org, 'feature')
  const url = useUrlFilters()
  const { filters, periods } = url
  const { current, previous, daily, error, truncated } = useBreakdownMetrics(org, 'feature', filters, periods)
  const slos = useFeatureSlos(org)

  const table = useMemo(
    () =>
      current.data && previous.data && daily.data && slos.data
        ? featuresTable(current.data.rows, previous.data.rows, daily.data.rows, slos.data.slos, periods.current)
        : null,
    [current.data, previous.data, daily.data, slos.data, periods],
  )
  const movers = useMemo(() => (table ? topMovers(table.rows, NO_FEATURE) : null), [table])
  const cols = useMemo(() => [...columns(org, canWrite), callsColumn<TFeatureRow>(org, filters, 'feature', NO_FEATURE)], [org, canWrite, filters])
  const change = table ? changeKpi(table) : null
  const loadError = error ?? slos.error
  const sloTotal = table ? Object.values(table.slo_counts).reduce((a, b) => a + b, 0) : 0

  const canExport = useCan('exports.read')

  const exportCsv = () => {
    if (!table) return
    downloadCsv(csvFilename('features', periods.current), toCsv(featuresCsvRows(table.rows)))
  }

  return (
    <BreakdownPage
      org={org}
      title="Features"
      subtitle={
        <>
          Cost per action (spend ÷ runs) of each product feature (the <code>feature</code> on each event), against its cost SLO.
        </>
      }
      url={url}
      error={loadError ?? null}
      table={table}
      truncated={truncated}
      noun="features"
      field="feature"
      unsplitReason="feature"
      emptyTitle="No features yet"
      emptyIntro={
        <>
          This page shows what one action of each product feature costs, from the <code>feature</code> and <code>run_id</code> your services put on each model
          call.
        </>
      }
      emptySteps={[
        <>
          Send each model call to <code>POST /api/v1/events</code> with its <code>feature</code> and a <code>run_id</code> shared by the calls of one action.
        </>,
        <>
          Set a target per feature here, or with <code>PUT /api/v1/feature-slos</code>.
        </>,
      ]}
      truncatedAlso=" and compliance"
    >
      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi
          label="Spend, all features"
          term="spend"
          value={table ? formatUsd(table.total_usd) : null}
          testId="kpi-spend"
          hint={
            table && change && filters.compare
              ? table.change_ratio === null
                ? change.hint
                : `${change.value} (${change.hint}) vs the previous period`
              : undefined
          }
        />
        <Kpi
          label="Actions (runs)"
          term="runs"
          value={table ? formatCount(table.runs) : null}
          testId="kpi-runs"
          hint={table ? `${formatCount(table.active)} features with spend` : undefined}
        />
        <Kpi
          label="Cost per action"
          term="cost_per_run"
          value={table ? (table.cost_per_action_usd ? formatUsd(table.cost_per_action_usd, { precise: true }) : '—') : null}
          testId="kpi-cost-per-action"
          hint="Spend ÷ runs, all features"
        />
        <Kpi
          label="SLOs breached"
          value={table ? (sloTotal ? `${table.slo_counts.breached} of ${sloTotal}` : '—') : null}
          testId="kpi-slo-breached"
          hint={
            table ? (sloTotal ? `${table.slo_counts.within} within target` : canWrite ? 'Set a target per feature in the table' : 'No targets set') : undefined
          }
          warn={!!table && table.slo_counts.breached > 0}
        />
      </section>

      <Card
        title="Cost per action by feature"
        subtitle={`Sorted by spend in the period.${filters.compare ? ' Change compares with the previous period of the same length.' : ''}`}
        actions={
          canExport ? (
            <Button variant="secondary" onClick={exportCsv} disabled={!table}>
              Export CSV
            </Button>
          ) : undefined
        }
      >
        {table ? (
          <BreakdownTable
            compare={filters.compare}
            rows={table.rows}
            days={table.days}
            keyHeader="Feature"
            none={NO_FEATURE}
            noneTitle="Events sent without feature"
            caption="Spend and cost per action per feature, largest spend first"
            testId="features-table"
            orgNames={orgNames}
            columns={cols}
          />
        ) : (
          <Skeleton className="h-96" />
        )}
        {table && (
          <p className="mt-3 text-xs text-slate-500">
            An action is a run: cost per action divides all the feature&apos;s spend in view by its runs. Status compares that with the target; compliance is
            the share of days with runs whose own cost per action was within target.
            {canWrite ? ' Type a target in USD per run and press Enter to set it.' : ' Admins, engineers and finance can set targets.'}
          </p>
        )}
      </Card>

      {filters.compare && (
        <TopMovers
          movers={movers}
          href={(r) => callsHref(org, { ...scopeOf(filters), feature: r.key })}
          subtitle="The features whose spend grew most in dollars against the previous period."
          empty="No feature spent more than in the previous period."
        />
      )}
    </BreakdownPage>
  )
}
