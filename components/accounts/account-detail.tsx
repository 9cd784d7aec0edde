'use client'
import { moneyKey } from '@/lib/table/sort'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { retryTaxShare } from '@/lib/metrics/definitions'
import { micros, microsToUsd } from '@/lib/domain'
import Link from 'next/link'
import { useMemo } from 'react'
import { Alert, Button, Card, Kpi, Skeleton } from '@/components/ui'
import { useMetrics, useStepMedians, type TMetricsParams } from '@/components/metrics/queries'
import { useUrlFilters } from '@/components/metrics/filters'
import { downloadCsv } from '@/components/metrics/breakdown'
import { DetailPage, spendChangeHint } from '@/components/metrics/detail-page'
import { spikeQuery } from '@/lib/changes/view'
import { TrafficSplit } from '@/components/metrics/traffic-split'
import { DailySpendChart } from '@/components/charts/daily-spend-chart'
import { useSeriesColors } from '@/components/charts/org-colors'
import { dailySeries, totals } from '@/lib/metrics/prepare'
import { csvFilename, filtersQuery, perUnit, ratio } from '@/lib/metrics/breakdown'
import { accountSteps, accountStepsCsvRows, FLAG_MIN_RUNS, FLAG_RATIO, type TAccountStepRow } from '@/lib/metrics/views/account-detail'
import { toCsv } from '@/lib/csv'
import { formatCount, formatMultiple, formatPercent, formatUsd } from '@/lib/format'
import { useCan } from '@/components/layout/role-context'
import { AccountMargin } from '@/components/accounts/account-margin'
import { EndUsersCard } from '@/components/accounts/end-users-card'

// The question customer success brings here: "why does this customer cost
// what it costs: which workflows and steps, is it growing, and does its
// integration behave unlike the others (more calls per run, more retries)?"

export function AccountDetail({ org, account }: { org: string; account: string }) {
  const url = useUrlFilters()
  const { filters, periods } = url
  const scope: TMetricsParams = useMemo(
    () => ({ ...periods.current, environment: filters.environment, traffic_source: filters.traffic_source }),
    [periods, filters.environment, filters.traffic_source],
  )
  const mine = { ...scope, account_id: account }
  const current = useMetrics(org, { ...mine, granularity: 'none', group_by: 'account_id' })
  // the change against the previous period needs spend only (measures=: no outcomes read)
  const previous = useMetrics(org, { ...mine, ...periods.previous, granularity: 'none', group_by: 'account_id', measures: 'cost_usd' })
  const daily = useMetrics(org, { ...mine, granularity: 'day', group_by: 'workflow_id', measures: 'cost_usd' })
  // The step table: this account's steps (calls, runs, spend, retry tax), the median account's calls
  // per run at each step (computed by the server over every account: one row per step), and the
  // organization's retry tax per step.
  const mySteps = useMetrics(org, { ...mine, granularity: 'none', group_by: 'workflow_id,step', measures: 'runs,cost_usd,retry_cost_usd' })
  const medians = useStepMedians(org, scope)
  // Every account's spend per step: the organization's retry tax per step, and summed, the share of all spend (no
  // read of its own: one request fewer on a page of ten, each reading 90 days of rollups at the longest range).
  const orgSteps = useMetrics(org, { ...scope, granularity: 'none', group_by: 'workflow_id,step', measures: 'cost_usd,retry_cost_usd' })
  const all = [current, previous, daily, mySteps, medians, orgSteps]
  const error = all.find((q) => q.error)?.error ?? null

  const now = current.data ? (current.data.rows[0] ?? null) : undefined
  const before = previous.data ? (previous.data.rows[0] ?? null) : undefined
  const t = current.data ? totals(current.data.rows) : null
  const orgUsd = orgSteps.data ? microsToUsd(orgSteps.data.rows.reduce((s, r) => s + micros(r.cost_usd), 0n)) : null
  const wasteUsd = current.data ? microsToUsd(current.data.rows.reduce((s, r) => s + micros(r.retry_cost_usd), 0n)) : null
  const runs = now?.runs ?? 0
  const steps = useMemo(
    () =>
      mySteps.data && medians.data && orgSteps.data ? accountSteps({ mine: mySteps.data.rows, medians: medians.data.rows, org: orgSteps.data.rows }) : null,
    [mySteps.data, medians.data, orgSteps.data],
  )
  const flagged = steps?.filter((s) => s.flagged) ?? []
  const byWorkflow = useMemo(
    () => (daily.data ? dailySeries(daily.data.rows, 'workflow_id', new Date(periods.current.from), new Date(periods.current.to)) : null),
    [daily.data, periods],
  )
  const workflowColors = useSeriesColors(org, 'workflow_id', byWorkflow?.series ?? [])
  const empty = !!(current.data && previous.data && current.data.rows.length === 0 && previous.data.rows.length === 0)
  const q = filtersQuery(filters)

  const canExport = useCan('exports.read')

  const exportCsv = () => {
    if (steps) downloadCsv(csvFilename(`account-${account}-steps`, periods.current), toCsv(accountStepsCsvRows(steps)))
  }

  return (
    <DetailPage
      org={org}
      url={url}
      list={{ path: 'accounts', label: 'Accounts' }}
      name={account}
      title={`Account ${account}`}
      field="account_id"
      changes={{ account_id: account }}
      calls={{ account_id: account }}
      subtitle="This customer's spend by workflow and step, its trend, and where its integration calls more or retries more than the other accounts."
      error={error}
      empty={empty}
    >
      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-5">
        <Kpi
          label="Spend"
          term="spend"
          value={t ? formatUsd(t.cost_usd) : null}
          testId="kpi-spend"
          hint={t && before !== undefined ? spendChangeHint(t.cost_usd, before?.cost_usd ?? '0') : undefined}
        />
        <Kpi
          label="Share of all spend"
          value={t && orgUsd ? formatPercent(ratio(micros(t.cost_usd), micros(orgUsd))) : null}
          testId="kpi-share"
          hint={orgUsd ? `of ${formatUsd(orgUsd)} for every account` : undefined}
        />
        <Kpi
          label="Cost per run"
          term="cost_per_run"
          value={now === undefined ? null : perUnit(t?.cost_usd ?? '0', runs) ? formatUsd(perUnit(t!.cost_usd, runs)!, { precise: true }) : '—'}
          testId="kpi-cost-per-run"
          hint={now === undefined ? undefined : `${formatCount(runs)} runs`}
        />
        <Kpi
          label="Retry tax %"
          term="retry_tax_share"
          testId="kpi-retry-share"
          value={t && wasteUsd !== null ? formatPercent(retryTaxShare(micros(wasteUsd), micros(t.cost_usd))) : null}
          hint={wasteUsd !== null ? `${formatUsd(wasteUsd)} on retried or failed calls` : undefined}
          warn={!!t && wasteUsd !== null && retryTaxShare(micros(wasteUsd), micros(t.cost_usd)) >= 0.1}
        />
        <Kpi
          label="Cost per accepted outcome"
          term="cost_per_accepted_outcome"
          testId="kpi-cost-per-outcome"
          value={now === undefined ? null : now?.cost_per_accepted_outcome_usd ? formatUsd(now.cost_per_accepted_outcome_usd, { precise: true }) : '—'}
          hint={
            now === undefined ? undefined : now?.accepted_outcomes ? `${formatCount(now.accepted_outcomes)} accepted outcomes` : 'No accepted outcomes reported'
          }
        />
      </section>

      {flagged.length > 0 && (
        <Alert tone="warning">
          <span data-testid="anomalies">
            {flagged.map((s, i) => (
              <span key={`${s.workflow_id}/${s.step}`}>
                {i > 0 && ' '}
                <strong>
                  {s.workflow_id} / {s.step}
                </strong>
                : {s.calls_per_run!.toFixed(2)} calls per run where the median account makes {s.median_calls_per_run!.toFixed(2)} (
                {formatMultiple(s.calls_per_run! / s.median_calls_per_run!)}, over {formatCount(s.runs)} runs).
              </span>
            ))}
          </span>
        </Alert>
      )}

      <AccountMargin org={org} account={account} period={periods.current} />

      <Card title="Spend per day by workflow" subtitle="USD per UTC day, stacked by workflow. Click a day to see what changed against a week earlier.">
        {byWorkflow ? (
          <DailySpendChart
            dayHref={(day) => `/${org}/changes?${spikeQuery(day, filters, { account_id: account })}`}
            points={byWorkflow.points}
            series={byWorkflow.series}
            colors={workflowColors}
            label={`Spend per day of account ${account}, stacked by workflow`}
          />
        ) : (
          <Skeleton className="h-72" />
        )}
      </Card>

      <TrafficSplit org={org} base={mine} subject={account} />

      <EndUsersCard
        org={org}
        linkQuery={q}
        query={{
          account_id: account,
          from: periods.current.from,
          to: periods.current.to,
          limit: 10,
          ...(filters.environment ? { environment: filters.environment } : {}),
          ...(filters.traffic_source ? { traffic_source: filters.traffic_source } : {}),
        }}
      />

      <Card
        title="Workflows and steps"
        subtitle={`Calls per run compared with the median account; flagged at ${FLAG_RATIO}× the median or more (and at least ${FLAG_MIN_RUNS} runs).`}
        actions={
          canExport ? (
            <Button variant="secondary" onClick={exportCsv} disabled={!steps}>
              Export CSV
            </Button>
          ) : undefined
        }
      >
        {steps ? <StepsTable rows={steps} org={org} query={q} /> : <Skeleton className="h-48" />}
      </Card>
    </DetailPage>
  )
}

const th = 'px-2 py-2 font-medium text-right'
const td = 'num px-2 text-right'

function StepsTable({ rows, org, query }: { rows: TAccountStepRow[]; org: string; query: string }) {
  const sorter = useSort(rows, {
    step: (r) => `${r.workflow_id} / ${r.step}`,
    calls: (r) => r.calls,
    cost: (r) => moneyKey(r.cost_usd),
    share: (r) => r.share,
    calls_per_run: (r) => r.calls_per_run,
    median: (r) => r.median_calls_per_run,
    retry: (r) => r.retry_share,
  })
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="account-steps-table">
        <caption className="sr-only">The account&apos;s spend by workflow and step, largest first</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <SortTh sorter={sorter} k="step" className="py-2 pr-2 text-left font-medium">
              Workflow / step
            </SortTh>
            <SortTh sorter={sorter} k="calls" term="calls" className={th}>
              Calls
            </SortTh>
            <SortTh sorter={sorter} k="cost" term="spend" className={th}>
              Spend
            </SortTh>
            <SortTh sorter={sorter} k="share" term="share" className={th}>
              Share
            </SortTh>
            <SortTh sorter={sorter} k="calls_per_run" term="calls_per_run" className={th} title="The account's calls at this step ÷ its runs of the workflow">
              Calls / run
            </SortTh>
            <SortTh sorter={sorter} k="median" className={th} title="The median over accounts of their calls per run at this step">
              Median account
            </SortTh>
            <SortTh
              sorter={sorter}
              k="retry"
              term="retry_tax_share"
              className={th}
              title="Retry and error spend ÷ spend at this step: this account, then every account"
            >
              Retry tax % (all)
            </SortTh>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((r) => (
            <tr
              key={`${r.workflow_id}/${r.step}`}
              className={`border-t border-slate-100 ${r.flagged ? 'bg-amber-50' : ''}`}
              data-flagged={r.flagged || undefined}
            >
              <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                <Link href={`/${org}/workflows/${encodeURIComponent(r.workflow_id)}?${query}`} className="text-brand-700 hover:underline">
                  {r.workflow_id}
                </Link>
                <span className="text-slate-400"> / </span>
                {r.step}
              </th>
              <td className={td} data-calls={r.calls}>
                {formatCount(r.calls)}
              </td>
              <td className={td} data-cost={r.cost_usd}>
                {formatUsd(r.cost_usd)}
              </td>
              <td className={`${td} text-slate-600`}>{formatPercent(r.share)}</td>
              <td className={`${td} ${r.flagged ? 'font-semibold text-amber-800' : ''}`} data-calls-per-run={r.calls_per_run?.toFixed(2) ?? ''}>
                {r.calls_per_run === null ? '—' : r.calls_per_run.toFixed(2)}
                {r.flagged && <span className="sr-only"> (flagged)</span>}
              </td>
              <td className={`${td} text-slate-600`} data-median={r.median_calls_per_run?.toFixed(2) ?? ''} data-peers={r.peers}>
                {r.median_calls_per_run === null ? '—' : `${r.median_calls_per_run.toFixed(2)} (${r.peers} accounts)`}
              </td>
              <td className={`${td} ${r.retry_share >= Math.max(0.1, 2 * r.org_retry_share) ? 'text-amber-700' : 'text-slate-600'}`}>
                {formatPercent(r.retry_share)} <span className="text-xs text-slate-400">({formatPercent(r.org_retry_share)})</span>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
