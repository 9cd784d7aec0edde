'use client'
import { useMemo } from 'react'
import { Button, Card, Kpi, Skeleton } from '@/components/ui'
import { useUrlFilters } from '@/components/metrics/filters'
import { BreakdownPage } from '@/components/metrics/breakdown-page'
import { useBreakdownMetrics } from '@/components/metrics/breakdown-queries'
import { moneyKey } from '@/lib/table/sort'
import { useOrgNames } from '@/components/charts/org-colors'
import { BreakdownTable, changeKpi, downloadCsv, TopMovers, type TExtraColumn } from '@/components/metrics/breakdown'
import { csvFilename, filtersQuery, topMovers } from '@/lib/metrics/breakdown'
import { callsColumn } from '@/components/calls/links'
import { NO_WORKFLOW, workflowsCsvRows, workflowsTable, type TWorkflowRow } from '@/lib/metrics/views/workflows'
import { toCsv } from '@/lib/csv'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import { useCan } from '@/components/layout/role-context'

// The question engineering and finance bring here: "which workflow costs what,
// per run and per accepted outcome, and which one is growing?"

const COLUMNS: TExtraColumn<TWorkflowRow>[] = [
  {
    header: 'Runs',
    term: 'runs',
    sortValue: (r) => r.runs,
    cell: (r) => (
      <span className="text-slate-600" data-runs={r.runs}>
        {formatCount(r.runs)}
      </span>
    ),
  },
  {
    header: 'Cost / run',
    term: 'cost_per_run',
    sortValue: (r) => moneyKey(r.cost_per_run_usd),
    cell: (r) => <span data-cost-per-run={r.cost_per_run_usd ?? ''}>{r.cost_per_run_usd ? formatUsd(r.cost_per_run_usd, { precise: true }) : '—'}</span>,
  },
  {
    header: 'Cost / accepted outcome',
    term: 'cost_per_accepted_outcome',
    sortValue: (r) => moneyKey(r.cost_per_accepted_outcome_usd),
    cell: (r) => (r.cost_per_accepted_outcome_usd ? formatUsd(r.cost_per_accepted_outcome_usd, { precise: true }) : '—'),
  },
  {
    header: 'Retry tax',
    term: 'retry_tax',
    sortValue: (r) => moneyKey(r.retry_usd),
    cell: (r) => <span data-retry={r.retry_usd}>{r.retry_usd === '0.000000' ? '—' : formatUsd(r.retry_usd)}</span>,
  },
  {
    header: 'Retry tax %',
    term: 'retry_tax_share',
    sortValue: (r) => r.retry_share,
    cell: (r) => (
      <span className={r.retry_share >= 0.1 ? 'text-amber-700' : 'text-slate-600'}>{r.retry_usd === '0.000000' ? '—' : formatPercent(r.retry_share)}</span>
    ),
  },
  {
    header: 'Cache hits',
    term: 'cache_hit_rate',
    sortValue: (r) => r.cache_hit_rate,
    cell: (r) => <span className="text-slate-600">{r.cache_hit_rate === null ? '—' : formatPercent(r.cache_hit_rate)}</span>,
  },
]

export function Workflows({ org }: { org: string }) {
  // each row's colour among the organization's every workflow: the same on every page
  const orgNames = useOrgNames(org, 'workflow_id')
  const url = useUrlFilters()
  const { filters, periods } = url
  const { current, previous, daily, error, truncated } = useBreakdownMetrics(org, 'workflow_id', filters, periods)

  const table = useMemo(
    () => (current.data && previous.data && daily.data ? workflowsTable(current.data.rows, previous.data.rows, daily.data.rows, periods.current) : null),
    [current.data, previous.data, daily.data, periods],
  )
  const movers = useMemo(() => (table ? topMovers(table.rows, NO_WORKFLOW) : null), [table])
  const change = table ? changeKpi(table) : null
  const anyOutcomes = !!table?.rows.some((r) => r.cost_per_accepted_outcome_usd !== null)
  const loadError = error

  const canExport = useCan('exports.read')

  const exportCsv = () => {
    if (!table) return
    downloadCsv(csvFilename('workflows', periods.current), toCsv(workflowsCsvRows(table.rows)))
  }

  return (
    <BreakdownPage
      org={org}
      title="Workflows"
      subtitle={
        <>
          Spend per workflow (the <code>workflow_id</code> on each event), per run and per accepted outcome.
        </>
      }
      url={url}
      error={loadError ?? null}
      table={table}
      truncated={truncated}
      noun="workflows"
      field="workflow_id"
      unsplitReason="workflow"
      emptyTitle="No workflows yet"
      emptyIntro={
        <>
          This page splits AI spend by workflow, from the <code>workflow_id</code> and <code>run_id</code> your services put on each model call.
        </>
      }
      emptySteps={[
        <>
          Send each model call to <code>POST /api/v1/events</code> with <code>workflow_id</code>, a <code>run_id</code> shared by the calls of one run, and the
          call&apos;s <code>outcome</code> (e.g. <code>retry</code>, <code>error</code>).
        </>,
        <>
          Optionally report accepted outcomes to <code>POST /api/v1/outcomes</code> with the same <code>workflow_id</code>, to see cost per accepted outcome.
        </>,
      ]}
    >
      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi
          label="Spend, all workflows"
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
          label="Runs"
          term="runs"
          value={table ? formatCount(table.runs) : null}
          testId="kpi-runs"
          hint={table ? `${formatCount(table.active)} workflows with spend` : undefined}
        />
        <Kpi
          label="Cost per run"
          term="cost_per_run"
          value={table ? (table.cost_per_run_usd ? formatUsd(table.cost_per_run_usd, { precise: true }) : '—') : null}
          testId="kpi-cost-per-run"
          hint="Spend ÷ runs, all workflows"
        />
        <Kpi
          label="Retry tax %"
          term="retry_tax_share"
          value={table ? formatPercent(table.retry_share) : null}
          testId="kpi-retry-share"
          hint={table ? `${formatUsd(table.retry_usd)} on calls that were retried or failed` : undefined}
          warn={!!table && table.retry_share >= 0.1}
        />
      </section>

      {filters.compare && (
        <TopMovers
          movers={movers}
          href={(r) => `/${org}/workflows/${encodeURIComponent(r.key)}?${filtersQuery(filters)}`}
          subtitle="The workflows whose spend grew most in dollars against the previous period."
          empty="No workflow spent more than in the previous period."
        />
      )}

      <Card
        title="Spend by workflow"
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
            keyHeader="Workflow"
            none={NO_WORKFLOW}
            noneTitle="Events sent without workflow_id"
            caption="Spend per workflow, largest first"
            testId="workflows-table"
            orgNames={orgNames}
            columns={[...COLUMNS, callsColumn<TWorkflowRow>(org, filters, 'workflow_id', NO_WORKFLOW)]}
            href={(r) => (r.key === NO_WORKFLOW ? null : `/${org}/workflows/${encodeURIComponent(r.key)}?${filtersQuery(filters)}`)}
          />
        ) : (
          <Skeleton className="h-96" />
        )}
        {table && (
          <p className="mt-3 text-xs text-slate-500">
            Cost per run divides all the workflow&apos;s spend in view by its runs. Cost per accepted outcome divides its production cost (production traffic in
            the production environment: not eval, replay or ops) by its accepted outcomes
            {anyOutcomes ? (
              ''
            ) : (
              <>
                ; report outcomes to <code>POST /api/v1/outcomes</code> with a <code>workflow_id</code> to see it
              </>
            )}
            . Retry tax is the spend on calls whose outcome was <code>retry</code> or <code>error</code>.
          </p>
        )}
      </Card>
    </BreakdownPage>
  )
}
