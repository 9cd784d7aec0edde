'use client'
import { PRODUCTION_DEFINITION } from '@/lib/domain'
import { useMemo } from 'react'
import { Button, Card, Kpi, Skeleton } from '@/components/ui'
import { useUrlFilters } from '@/components/metrics/filters'
import { BreakdownPage } from '@/components/metrics/breakdown-page'
import { useBreakdownMetrics } from '@/components/metrics/breakdown-queries'
import { BreakdownTable, changeKpi, downloadCsv, TopMovers, type TExtraColumn } from '@/components/metrics/breakdown'
import { callsColumn } from '@/components/calls/links'
import { accountsCsvRows, accountsTable, NO_ACCOUNT, SPARKLINE_ACCOUNTS } from '@/lib/metrics/views/accounts'
import { csvFilename, filtersQuery, hasAcceptedOutcomes, topMovers, type TBreakdownRow } from '@/lib/metrics/breakdown'
import { toCsv } from '@/lib/csv'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import { useCan } from '@/components/layout/role-context'

// The question customer success brings here: "which of our customers drive AI
// spend, is any of them growing fast, and what is each one costing us?"

export function Accounts({ org }: { org: string }) {
  const url = useUrlFilters()
  const { filters, periods } = url
  const { current, previous, daily, dailyKeys, error, truncated } = useBreakdownMetrics(org, 'account_id', filters, periods, SPARKLINE_ACCOUNTS)

  const table = useMemo(
    () =>
      current.data && previous.data && daily.data ? accountsTable(current.data.rows, previous.data.rows, daily.data.rows, periods.current, dailyKeys) : null,
    [current.data, previous.data, daily.data, dailyKeys, periods],
  )
  const movers = useMemo(() => (table ? topMovers(table.rows, NO_ACCOUNT) : null), [table])
  const outcomes = table ? hasAcceptedOutcomes(table.rows) : false
  const change = table ? changeKpi(table) : null

  const canExport = useCan('exports.read')

  const exportCsv = () => {
    if (!table) return
    downloadCsv(csvFilename('accounts', periods.current), toCsv(accountsCsvRows(table.rows, { outcomes })))
  }

  const columns: TExtraColumn<TBreakdownRow>[] = [
    { header: 'Events', cell: (r) => <span className="text-slate-600">{formatCount(r.events)}</span> },
    ...(outcomes
      ? [
          {
            header: 'Accepted outcomes',
            title: 'Accepted outcomes reported for the account in the period',
            cell: (r: TBreakdownRow) => <span className="text-slate-600">{r.accepted_outcomes ? formatCount(r.accepted_outcomes) : '—'}</span>,
          },
          {
            header: 'Cost / accepted outcome',
            title: `Production cost ÷ accepted outcomes. ${PRODUCTION_DEFINITION}`,
            cell: (r: TBreakdownRow) => (r.cost_per_accepted_outcome_usd ? formatUsd(r.cost_per_accepted_outcome_usd, { precise: true }) : '—'),
          },
        ]
      : []),
  ]

  return (
    <BreakdownPage
      org={org}
      title="Accounts"
      subtitle={
        <>
          Spend per customer account (the <code>account_id</code> on each event).
        </>
      }
      url={url}
      error={error ?? null}
      table={table}
      truncated={truncated}
      noun="accounts"
      field="account_id"
      unsplitReason="customer"
      emptyTitle="No customer accounts yet"
      emptyIntro={
        <>
          This page splits AI spend by your customers, from the <code>account_id</code> your services put on each model call.
        </>
      }
      emptySteps={[
        <>
          Send each model call to <code>POST /api/v1/events</code> with <code>account_id</code> set to the customer it served.
        </>,
        <>
          Optionally report accepted outcomes to <code>POST /api/v1/outcomes</code> with the same <code>account_id</code>, to see cost per accepted outcome.
        </>,
      ]}
    >
      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi
          label="Spend, all accounts"
          value={table ? formatUsd(table.total_usd) : null}
          testId="kpi-spend"
          hint={table ? `Previous period: ${formatUsd(table.previous_total_usd)}` : undefined}
        />
        <Kpi label="Change vs previous period" value={change?.value ?? null} hint={change?.hint} />
        <Kpi
          label="Customer accounts with spend"
          value={table ? formatCount(table.active) : null}
          hint={table ? `${formatCount(table.new_keys)} new (no spend in the previous period)` : undefined}
        />
        <Kpi
          label="Spend without an account"
          value={table ? formatPercent(table.none_share) : null}
          hint="Events sent without account_id"
          warn={!!table && table.none_share >= 0.2}
        />
      </section>

      <TopMovers
        movers={movers}
        href={(r) => `/${org}/accounts/${encodeURIComponent(r.key)}?${filtersQuery(filters)}`}
        subtitle="The customer accounts whose spend grew most in dollars against the previous period."
        empty="No account spent more than in the previous period."
      />

      <Card
        title="Spend by account"
        subtitle="Sorted by spend in the period. Change compares with the previous period of the same length."
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
            rows={table.rows}
            days={table.days}
            keyHeader="Account"
            none={NO_ACCOUNT}
            noneTitle="Events sent without account_id"
            caption="Spend per customer account, largest first"
            testId="accounts-table"
            columns={[...columns, callsColumn<TBreakdownRow>(org, filters, 'account_id', NO_ACCOUNT)]}
            href={(r) => (r.key === NO_ACCOUNT ? null : `/${org}/accounts/${encodeURIComponent(r.key)}?${filtersQuery(filters)}`)}
          />
        ) : (
          <Skeleton className="h-96" />
        )}
        {table && outcomes && (
          <p className="mt-3 text-xs text-slate-500">
            Cost per accepted outcome divides the account&apos;s production cost (production traffic in the production environment: not eval, replay or ops) by
            its accepted outcomes.
          </p>
        )}
        {table && !outcomes && (
          <p className="mt-3 text-xs text-slate-500">
            Cost per accepted outcome appears here once you report outcomes to <code>POST /api/v1/outcomes</code> with an <code>account_id</code>.
          </p>
        )}
      </Card>
    </BreakdownPage>
  )
}
