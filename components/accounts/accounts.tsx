'use client'
import { useMemo, type ReactNode } from 'react'
import Link from 'next/link'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useAccountAnomalies } from '@/components/metrics/queries'
import type { TAccountAnomaly } from '@/lib/metrics/schema'
import { Button, Card, Kpi, Skeleton } from '@/components/ui'
import { useUrlFilters } from '@/components/metrics/filters'
import { EndUsersCard } from '@/components/accounts/end-users-card'
import { BreakdownPage } from '@/components/metrics/breakdown-page'
import { useBreakdownMetrics } from '@/components/metrics/breakdown-queries'
import { moneyKey } from '@/lib/table/sort'
import { useOrgNames } from '@/components/charts/org-colors'
import { BreakdownTable, changeKpi, downloadCsv, TopMovers, type TExtraColumn } from '@/components/metrics/breakdown'
import { callsColumn } from '@/components/calls/links'
import { accountsCsvRows, accountsOrder, accountsTable, NO_ACCOUNT, SPARKLINE_ACCOUNTS } from '@/lib/metrics/views/accounts'
import { csvFilename, filtersQuery, hasAcceptedOutcomes, topMovers, type TBreakdownRow } from '@/lib/metrics/breakdown'
import { toCsv } from '@/lib/csv'
import { formatCount, formatMultiple, formatPercent, formatUsd } from '@/lib/format'
import { useCan } from '@/components/layout/role-context'
import { useAccountMargin } from '@/components/accounts/margin-queries'
import { marginRange, marginText, monthsLabel, NO_REVENUE, shareText } from '@/lib/accounts/view'
import type { TAccountMargin } from '@/lib/accounts/schema'

// The question customer success brings here: "which of our customers drive AI
// spend, is any of them growing fast, and what is each one costing us?"

export function Accounts({ org }: { org: string }) {
  // each row's colour among the organization's every account: the same on every page
  const orgNames = useOrgNames(org, 'account_id')
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

  // The account page's anomaly flags for every account (one rule: isStepAnomaly), over the same period and filters.
  const anomalies = useAccountAnomalies(org, { ...periods.current, environment: filters.environment, traffic_source: filters.traffic_source })
  const flagsOf = useMemo(() => {
    const by = new Map<string, TAccountAnomaly[]>()
    for (const a of anomalies.data?.rows ?? []) by.set(a.account_id, [...(by.get(a.account_id) ?? []), a])
    return by
  }, [anomalies.data])
  const params = useSearchParams()
  const router = useRouter()
  const pathname = usePathname()
  const flaggedOnly = params.get('flagged') === '1'
  const setFlaggedOnly = (on: boolean) => {
    const next = new URLSearchParams(params.toString())
    if (on) next.set('flagged', '1')
    else next.delete('flagged')
    router.replace(`${pathname}?${next}`, { scroll: false })
  }
  // Flagged accounts first (then by spend, as the table comes), or only them; the card's subtitle says which.
  const order = useMemo(() => (table ? accountsOrder(table.rows, flagsOf, flaggedOnly) : null), [table, flagsOf, flaggedOnly])
  const shownRows = order?.rows ?? []

  const canExport = useCan('exports.read')
  const margin = useAccountMargin(org, marginRange(periods.current))
  const byAccount = useMemo(() => new Map((margin.data?.rows ?? []).map((m) => [m.account_id, m])), [margin.data])
  const m = (r: TBreakdownRow): TAccountMargin | undefined => byAccount.get(r.key)
  const months = margin.data ? monthsLabel(margin.data) : 'the months of the period'
  const noneCell = <span className="text-slate-400">—</span>
  const marginCell = (r: TBreakdownRow, draw: (x: TAccountMargin) => ReactNode) => {
    if (r.key === NO_ACCOUNT) return noneCell
    if (!margin.data) return margin.error ? noneCell : <span className="text-slate-400">…</span>
    const x = m(r)
    return x ? draw(x) : <span className="text-xs text-slate-500">{NO_REVENUE}</span>
  }
  const noRevenue = <span className="text-xs text-slate-500">{NO_REVENUE}</span>

  const exportCsv = () => {
    if (!table) return
    // the rows as the table shows them: flagged first, or the flagged alone (accountsOrder)
    downloadCsv(csvFilename('accounts', periods.current), toCsv(accountsCsvRows(order?.rows ?? table.rows, { outcomes })))
  }

  const columns: TExtraColumn<TBreakdownRow>[] = [
    {
      header: 'Revenue',
      title: `Revenue recorded for the account in ${months} (PUT /api/v1/accounts/revenue), USD`,
      term: 'revenue',
      sortValue: (r) => moneyKey(m(r)?.revenue_usd),
      cell: (r) => marginCell(r, (x) => (x.revenue_usd === null ? noRevenue : <span data-revenue={x.revenue_usd}>{formatUsd(x.revenue_usd)}</span>)),
    },
    {
      header: 'AI cost',
      title: `Production-traffic AI cost of the account in ${months} (the whole months, to now), USD`,
      term: 'ai_cost',
      sortValue: (r) => moneyKey(m(r)?.cost_usd),
      cell: (r) => marginCell(r, (x) => <span data-ai-cost={x.cost_usd}>{formatUsd(x.cost_usd)}</span>),
    },
    {
      header: 'AI cost / revenue',
      title: `AI cost as a share of the account's revenue in ${months}`,
      term: 'ai_cost_share',
      sortValue: (r) => m(r)?.cost_share ?? null,
      cell: (r) =>
        marginCell(r, (x) =>
          x.revenue_usd === null ? (
            noRevenue
          ) : (
            <span data-share={x.cost_share ?? ''} className={x.cost_share !== null && x.cost_share >= 0.5 ? 'font-medium text-amber-700' : ''}>
              {shareText(x.cost_share, x.revenue_usd)}
            </span>
          ),
        ),
    },
    {
      header: 'Gross margin',
      title: `Revenue − AI cost in ${months}, USD`,
      term: 'gross_margin',
      sortValue: (r) => moneyKey(m(r)?.margin_usd),
      cell: (r) =>
        marginCell(r, (x) =>
          x.margin_usd === null ? (
            noRevenue
          ) : (
            <span data-margin={x.margin_usd} className={x.margin_usd.startsWith('-') ? 'text-red-700' : ''}>
              {marginText(x.margin_usd)}
            </span>
          ),
        ),
    },
    {
      header: 'Flags',
      term: 'account_flags',
      sortValue: (r) => flagsOf.get(r.key)?.length ?? null,
      cell: (r) => (
        <AccountFlags org={org} account={r.key} flags={flagsOf.get(r.key)} loading={!anomalies.data && !anomalies.error} query={filtersQuery(filters)} />
      ),
    },
    { header: 'Events', term: 'events', sortValue: (r) => r.events, cell: (r) => <span className="text-slate-600">{formatCount(r.events)}</span> },
    ...(outcomes
      ? [
          {
            header: 'Accepted outcomes',
            title: 'Accepted outcomes reported for the account in the period',
            term: 'accepted_outcomes' as const,
            sortValue: (r: TBreakdownRow) => r.accepted_outcomes ?? null,
            cell: (r: TBreakdownRow) => <span className="text-slate-600">{r.accepted_outcomes ? formatCount(r.accepted_outcomes) : '—'}</span>,
          },
          {
            header: 'Cost / accepted outcome',
            term: 'cost_per_accepted_outcome' as const,
            sortValue: (r: TBreakdownRow) => moneyKey(r.cost_per_accepted_outcome_usd),
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
          term="spend"
          value={table ? formatUsd(table.total_usd) : null}
          testId="kpi-spend"
          hint={table && filters.compare ? `Previous period: ${formatUsd(table.previous_total_usd)}` : undefined}
        />
        {filters.compare && <Kpi label="Change vs previous period" value={change?.value ?? null} hint={change?.hint} />}
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

      <section aria-label="Margin after AI cost" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi
          label={`Revenue, ${months}`}
          value={margin.data ? (margin.data.totals.revenue_usd === null ? NO_REVENUE : formatUsd(margin.data.totals.revenue_usd)) : margin.error ? '—' : null}
          testId="kpi-revenue"
          hint={
            margin.data
              ? margin.data.totals.accounts_with_revenue
                ? `${formatCount(margin.data.totals.accounts_with_revenue)} accounts with revenue`
                : 'Send revenue per account and month to PUT /api/v1/accounts/revenue'
              : undefined
          }
        />
        <Kpi
          label="AI cost of those accounts"
          value={margin.data ? formatUsd(margin.data.totals.cost_usd) : margin.error ? '—' : null}
          testId="kpi-ai-cost"
          hint={margin.data ? `Accounts without revenue: ${formatUsd(margin.data.totals.cost_without_revenue_usd)} more` : undefined}
        />
        <Kpi
          label="AI cost / revenue"
          term="ai_cost_share"
          value={margin.data ? shareText(margin.data.totals.cost_share, margin.data.totals.revenue_usd) : margin.error ? '—' : null}
          testId="kpi-cost-share"
          warn={!!margin.data?.totals.cost_share && margin.data.totals.cost_share >= 0.5}
        />
        <Kpi
          label="Gross margin after AI cost"
          term="gross_margin"
          value={margin.data ? marginText(margin.data.totals.margin_usd) : margin.error ? '—' : null}
          testId="kpi-margin"
          hint="Revenue − AI cost"
        />
      </section>

      {filters.compare && (
        <TopMovers
          movers={movers}
          href={(r) => `/${org}/accounts/${encodeURIComponent(r.key)}?${filtersQuery(filters)}`}
          subtitle="The customer accounts whose spend grew most in dollars against the previous period."
          empty="No account spent more than in the previous period."
        />
      )}

      <Card
        title="Spend by account"
        subtitle={`${order?.label ?? 'By spend in the period, largest first.'}${filters.compare ? ' Change compares with the previous period of the same length.' : ''}`}
        actions={
          canExport ? (
            <Button variant="secondary" onClick={exportCsv} disabled={!table}>
              Export CSV
            </Button>
          ) : undefined
        }
      >
        {table ? (
          <>
            <div className="mb-3 flex flex-wrap items-center gap-3 text-sm">
              <label className="inline-flex items-center gap-2">
                <input type="checkbox" checked={flaggedOnly} onChange={(e) => setFlaggedOnly(e.target.checked)} data-testid="flagged-only" />
                Flagged only
              </label>
              <span className="text-xs text-slate-500" data-testid="flagged-count">
                {anomalies.data
                  ? `${formatCount(flagsOf.size)} account${flagsOf.size === 1 ? '' : 's'} flagged: calls per run at a step ≥ 1.5× the median account's`
                  : anomalies.error
                    ? `Could not load the flags: ${anomalies.error.message}`
                    : 'Checking accounts…'}
              </span>
            </div>
            {flaggedOnly && shownRows.length === 0 ? (
              <p className="text-sm text-slate-600" data-testid="no-flagged">
                No account is flagged in this period: every account&apos;s calls per run are near the median account&apos;s at each step. Clear &ldquo;Flagged
                only&rdquo; to see them all.
              </p>
            ) : (
              <BreakdownTable
                compare={filters.compare}
                rows={shownRows}
                days={table.days}
                keyHeader="Account"
                none={NO_ACCOUNT}
                noneTitle="Events sent without account_id"
                caption={`Spend per customer account. ${order?.label ?? ''}`}
                testId="accounts-table"
                orgNames={orgNames}
                columns={[...columns, callsColumn<TBreakdownRow>(org, filters, 'account_id', NO_ACCOUNT)]}
                href={(r) => (r.key === NO_ACCOUNT ? null : `/${org}/accounts/${encodeURIComponent(r.key)}?${filtersQuery(filters)}`)}
              />
            )}
          </>
        ) : (
          <Skeleton className="h-96" />
        )}
        {margin.error && <p className="mt-3 text-sm text-red-700">Could not load the margin: {margin.error.message}</p>}
        {table && (
          <p className="mt-3 text-xs text-slate-500">
            Revenue, AI cost, AI cost / revenue and gross margin cover the whole months of the period ({months}): the revenue you send to{' '}
            <code>PUT /api/v1/accounts/revenue</code> (JSON or CSV per account and month) against production-traffic AI cost to now. Accounts without revenue
            show &ldquo;{NO_REVENUE}&rdquo;. Click a column header to sort.
          </p>
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

      <EndUsersCard
        org={org}
        linkQuery={filtersQuery(filters)}
        query={{
          from: periods.current.from,
          to: periods.current.to,
          limit: 15,
          ...(filters.environment ? { environment: filters.environment } : {}),
          ...(filters.traffic_source ? { traffic_source: filters.traffic_source } : {}),
        }}
      />
    </BreakdownPage>
  )
}

/** An account's flagged steps: its calls per run against the median account's, each leading to the account page. */
function AccountFlags({
  org,
  account,
  flags,
  loading,
  query,
}: {
  org: string
  account: string
  flags: TAccountAnomaly[] | undefined
  loading: boolean
  query: string
}) {
  if (loading) return <span className="text-slate-400">…</span>
  if (!flags?.length) return <span className="text-slate-400">—</span>
  return (
    <span className="flex flex-col items-end gap-0.5" data-flags={flags.length}>
      {flags.map((f) => (
        <Link
          key={`${f.workflow_id}/${f.step}`}
          href={`/${org}/accounts/${encodeURIComponent(account)}?${query}`}
          className="whitespace-nowrap rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900 hover:underline"
          title={`${f.calls_per_run.toFixed(2)} calls per run at ${f.workflow_id ?? '(no workflow)'}/${f.step ?? '(no step)'} where the median of ${f.peers} accounts makes ${f.median_calls_per_run.toFixed(2)} (${f.runs} runs)`}
          data-flag={`${f.workflow_id}/${f.step}`}
        >
          {f.step ?? '(no step)'} {formatMultiple(f.calls_per_run / f.median_calls_per_run)} calls/run
        </Link>
      ))}
    </span>
  )
}
