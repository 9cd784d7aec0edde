'use client'
import Link from 'next/link'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useMemo, useState } from 'react'
import { useMetrics, type TMetricsParams } from '@/components/overview/queries'
import { Sparkline } from '@/components/charts/sparkline'
import { Alert, Button, Card, Select, Skeleton } from '@/components/ui'
import {
  accountPeriods, accountsCsvFilename, accountsCsvRows, accountsFiltersQuery, accountsTable, hasAcceptedOutcomes, NO_ACCOUNT, parseAccountsFilters,
  topMovers, type TAccountRow, type TAccountsFilters, type TPeriod,
} from '@/lib/metrics/accounts'
import { toCsv } from '@/lib/csv'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'

// The question customer success brings here: "which of our customers drive AI
// spend, is any of them growing fast, and what is each one costing us?"

const RANGES = [
  { days: 7, label: 'Last 7 days' },
  { days: 30, label: 'Last 30 days' },
  { days: 90, label: 'Last 90 days' },
] as const

/** The metrics API's default row limit: a daily series that reaches it was cut short. */
const API_ROW_LIMIT = 10_000

export function Accounts({ org }: { org: string }) {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  // The URL is the source of truth; the local copy makes a select answer at once
  // instead of waiting for the navigation, and follows the URL when it changes.
  const urlFilters = useMemo(() => parseAccountsFilters(params), [params])
  const urlKey = accountsFiltersQuery(urlFilters)
  const [filters, setFilters] = useState(urlFilters)
  const [seenKey, setSeenKey] = useState(urlKey)
  if (seenKey !== urlKey) {
    setSeenKey(urlKey)
    setFilters(urlFilters)
  }
  const update = (patch: Partial<TAccountsFilters>) => {
    const next = { ...filters, ...patch }
    setFilters(next)
    router.replace(`${pathname}?${accountsFiltersQuery(next)}`, { scroll: false })
  }

  const { days, environment, traffic_source } = filters
  const periods = useMemo(() => accountPeriods(days), [days])
  const base = { environment, traffic_source, group_by: 'account_id' }
  const cur: TMetricsParams = { ...base, ...periods.current, granularity: 'none' }
  const current = useMetrics(org, cur)
  const previous = useMetrics(org, { ...base, ...periods.previous, granularity: 'none' })
  const daily = useMetrics(org, { ...base, ...periods.current, granularity: 'day' })

  const table = useMemo(
    () => (current.data && previous.data && daily.data ? accountsTable(current.data.rows, previous.data.rows, daily.data.rows, periods.current) : null),
    [current.data, previous.data, daily.data, periods],
  )
  const movers = useMemo(() => (table ? topMovers(table.rows) : null), [table])
  const outcomes = table ? hasAcceptedOutcomes(table.rows) : false
  const filtered = !!environment || !!traffic_source
  const error = current.error ?? previous.error ?? daily.error
  const truncated = (daily.data?.rows.length ?? 0) >= API_ROW_LIMIT

  const exportCsv = () => {
    if (!table) return
    download(accountsCsvFilename(periods.current), toCsv(accountsCsvRows(table.rows, { outcomes })))
  }

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Accounts</h1>
          <p className="text-sm text-slate-600">Spend per customer account (the <code>account_id</code> on each event). Times are UTC.</p>
        </div>
        <form className="flex flex-wrap items-center gap-2" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
          <label className="sr-only" htmlFor="f-range">Date range</label>
          <Select id="f-range" value={days} onChange={(e) => update({ days: Number(e.target.value) as TAccountsFilters['days'] })}>
            {RANGES.map((r) => <option key={r.days} value={r.days}>{r.label}</option>)}
          </Select>
          <label className="sr-only" htmlFor="f-env">Environment</label>
          <Select id="f-env" value={environment} onChange={(e) => update({ environment: e.target.value })}>
            <option value="">All environments</option>
            <option value="production">production</option>
            <option value="staging">staging</option>
            <option value="development">development</option>
          </Select>
          <label className="sr-only" htmlFor="f-traffic">Traffic source</label>
          <Select id="f-traffic" value={traffic_source} onChange={(e) => update({ traffic_source: e.target.value })}>
            <option value="">All traffic sources</option>
            <option value="production">production traffic</option>
            <option value="eval">eval</option>
            <option value="replay">replay</option>
            <option value="ops">ops</option>
          </Select>
        </form>
      </div>

      <p className="text-sm text-slate-600" data-testid="periods">
        <span className="font-medium text-slate-800">{periodLabel(periods.current)}</span>, compared with the previous period of the same length,{' '}
        {periodLabel(periods.previous)}.
      </p>

      {error && <Alert>Could not load metrics: {error.message}</Alert>}

      {table && table.rows.length === 0 ? (
        filtered ? (
          <Card title="No spend for these filters">
            <div className="space-y-3 text-sm text-slate-700">
              <p>No events match {[environment && `environment ${environment}`, traffic_source && `traffic source ${traffic_source}`].filter(Boolean).join(' and ')} in this period or the one before.</p>
              <Button variant="secondary" onClick={() => update({ environment: '', traffic_source: '' })}>Clear filters</Button>
            </div>
          </Card>
        ) : (
          <Card title="No customer accounts yet">
            <div className="space-y-3 text-sm text-slate-700">
              <p>This page splits AI spend by your customers, from the <code>account_id</code> your services put on each model call.</p>
              <ol className="list-decimal space-y-1 pl-5">
                <li><Link className="font-medium text-brand-600 hover:underline" href={`/${org}/settings`}>Create an API key</Link> with the <code>ingest</code> scope.</li>
                <li>Send each model call to <code>POST /api/v1/events</code> with <code>account_id</code> set to the customer it served.</li>
                <li>Optionally report accepted outcomes to <code>POST /api/v1/outcomes</code> with the same <code>account_id</code>, to see cost per accepted outcome.</li>
              </ol>
            </div>
          </Card>
        )
      ) : (
        <>
          {table && table.active_accounts === 0 && (
            <Alert tone="info">
              None of the spend in this period carries an <code>account_id</code>, so it cannot be split by customer. Add <code>account_id</code> to the events your services send to <code>POST /api/v1/events</code>.
            </Alert>
          )}
          {truncated && <Alert tone="warning">Too many accounts × days for the daily trend: the sparklines may miss the latest days. Pick a shorter range.</Alert>}

          <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
            <Kpi label="Spend, all accounts" value={table ? formatUsd(table.total_usd) : null} testId="kpi-spend"
              hint={table ? `Previous period: ${formatUsd(table.previous_total_usd)}` : undefined} />
            <Kpi label="Change vs previous period" value={table ? (table.change_usd === '0.000000' ? '$0.00' : signedCents(table.change_usd)) : null}
              hint={table ? (table.change_ratio === null ? 'No spend in the previous period' : signedPercent(table.change_ratio)) : undefined} />
            <Kpi label="Customer accounts with spend" value={table ? formatCount(table.active_accounts) : null}
              hint={table ? `${formatCount(table.new_accounts)} new (no spend in the previous period)` : undefined} />
            <Kpi label="Spend without an account" value={table ? formatPercent(table.unattributed_share) : null}
              hint="Events sent without account_id" warn={!!table && table.unattributed_share >= 0.2} />
          </section>

          <Card title="Top movers" subtitle="The customer accounts whose spend grew most in dollars against the previous period.">
            {movers ? (
              movers.length ? (
                <ol className="divide-y divide-slate-100 text-sm" data-testid="top-movers">
                  {movers.map((r, i) => (
                    <li key={r.account} className="flex flex-wrap items-baseline gap-x-3 py-1.5">
                      <span className="num w-4 text-slate-400">{i + 1}</span>
                      <span className="min-w-0 flex-1 truncate font-medium" title={r.account}>{r.account}</span>
                      <span className="num font-semibold text-amber-700">{signedCents(r.change_usd)}</span>
                      <span className="num w-16 text-right text-slate-600">{r.is_new ? <NewBadge /> : signedPercent(r.change_ratio ?? 0)}</span>
                      <span className="num w-48 text-right text-xs text-slate-500">{formatUsd(r.previous_cost_usd)} → {formatUsd(r.cost_usd)}</span>
                    </li>
                  ))}
                </ol>
              ) : (
                <p className="text-sm text-slate-600">No account spent more than in the previous period.</p>
              )
            ) : (
              <Skeleton className="h-36" />
            )}
          </Card>

          <Card title="Spend by account" subtitle="Sorted by spend in the period. Change compares with the previous period of the same length."
            actions={<Button variant="secondary" onClick={exportCsv} disabled={!table}>Export CSV</Button>}>
            {table ? <AccountsTable rows={table.rows} days={table.days} outcomes={outcomes} /> : <Skeleton className="h-96" />}
            {table && !outcomes && (
              <p className="mt-3 text-xs text-slate-500">
                Cost per accepted outcome appears here once you report outcomes to <code>POST /api/v1/outcomes</code> with an <code>account_id</code>.
              </p>
            )}
          </Card>
        </>
      )}
    </div>
  )
}

function AccountsTable({ rows, days, outcomes }: { rows: TAccountRow[]; days: string[]; outcomes: boolean }) {
  const th = 'px-2 py-2 font-medium'
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid="accounts-table">
        <caption className="sr-only">Spend per customer account, largest first</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <th scope="col" className={`${th} pl-0 text-left`}>Account</th>
            <th scope="col" className={`${th} text-right`}>Spend</th>
            <th scope="col" className={`${th} text-right`}>Share</th>
            <th scope="col" className={`${th} text-right`}>Change</th>
            <th scope="col" className={`${th} text-right`}>Change %</th>
            <th scope="col" className={`${th} text-left`} title={days.length ? `One point per UTC day, ${days[0]} to ${days[days.length - 1]}` : undefined}>Daily spend</th>
            <th scope="col" className={`${th} text-right`}>Events</th>
            {outcomes && <th scope="col" className={`${th} text-right`} title="Accepted outcomes reported for the account in the period">Accepted outcomes</th>}
            {outcomes && <th scope="col" className={`${th} pr-0 text-right`} title="Production-traffic cost ÷ accepted outcomes">Cost / accepted outcome</th>}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.account} className="border-t border-slate-100">
              <th scope="row" className={`py-1.5 pr-2 text-left font-medium ${r.account === NO_ACCOUNT ? 'italic text-slate-500' : ''}`} title={r.account === NO_ACCOUNT ? 'Events sent without account_id' : r.account}>
                <div className="max-w-56 truncate">{r.account}</div>
              </th>
              <td className="num px-2 text-right" data-cost={r.cost_usd}>{formatUsd(r.cost_usd)}</td>
              <td className="num px-2 text-right text-slate-600">{formatPercent(r.share)}</td>
              <td className={`num px-2 text-right ${changeTone(r.change_usd)}`} data-change={r.change_usd} title={`${formatUsd(r.previous_cost_usd, { precise: true })} → ${formatUsd(r.cost_usd, { precise: true })}`}>
                {r.change_usd === '0.000000' ? '—' : signedCents(r.change_usd)}
              </td>
              <td className={`num px-2 text-right ${changeTone(r.change_usd)}`}>
                {r.is_new ? <NewBadge /> : r.change_ratio === null ? '—' : signedPercent(r.change_ratio)}
              </td>
              <td className="px-2 py-1"><Sparkline values={r.daily} label={sparkLabel(r, days)} /></td>
              <td className="num px-2 text-right text-slate-600">{formatCount(r.events)}</td>
              {outcomes && <td className="num px-2 text-right text-slate-600">{r.accepted_outcomes ? formatCount(r.accepted_outcomes) : '—'}</td>}
              {outcomes && <td className="num pl-2 text-right">{r.cost_per_accepted_outcome_usd ? formatUsd(r.cost_per_accepted_outcome_usd) : '—'}</td>}
            </tr>
          ))}
        </tbody>
      </table>
      {outcomes && <p className="mt-3 text-xs text-slate-500">Cost per accepted outcome divides the account&apos;s production-traffic cost (not eval, replay or ops) by its accepted outcomes.</p>}
    </div>
  )
}

function Kpi({ label, value, hint, testId, warn }: { label: string; value: string | null; hint?: string; testId?: string; warn?: boolean }) {
  return (
    <div className={`rounded-lg border bg-white p-4 shadow-sm ${warn ? 'border-amber-300' : 'border-slate-200'}`}>
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</div>
      {value === null ? <Skeleton className="mt-2 h-7 w-24" /> : <div className="num mt-1 text-xl font-semibold xl:text-2xl" data-testid={testId}>{value}</div>}
      {hint && <div className={`mt-1 text-xs ${warn ? 'text-amber-700' : 'text-slate-500'}`}>{hint}</div>}
    </div>
  )
}

function NewBadge() {
  return <span className="rounded bg-sky-50 px-1.5 py-0.5 text-xs font-medium text-sky-800" title="No spend in the previous period">new</span>
}

const changeTone = (change: string) => (change.startsWith('-') ? 'text-emerald-700' : change === '0.000000' ? 'text-slate-500' : 'text-amber-700')
/** A change in whole cents, so the column lines up; under a cent it says so ("+<$0.01"), the exact value is in the CSV. */
function signedCents(v: string): string {
  const n = Number(v)
  const sign = n < 0 ? '-' : '+'
  if (Math.abs(n) < 0.005) return `${sign}<$0.01`
  return `${sign}${Math.abs(n).toLocaleString('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
}
const signedPercent = (r: number) => (r > 0 ? `+${formatPercent(r)}` : formatPercent(r))

const DATE = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', year: 'numeric' })
const DATE_TIME = new Intl.DateTimeFormat('en-US', { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })

/** "Mar 1, 2026 – Mar 30, 15:00 UTC" (the end is exclusive: the current hour is included). */
function periodLabel(p: TPeriod): string {
  return `${DATE.format(new Date(p.from))} – ${DATE_TIME.format(new Date(p.to))} UTC`
}

function sparkLabel(r: TAccountRow, days: string[]): string {
  let peak = 0
  for (let i = 1; i < r.daily.length; i++) if (r.daily[i] > r.daily[peak]) peak = i
  if (!days.length || r.daily[peak] === 0) return `Daily spend of ${r.account}: none in this period`
  return `Daily spend of ${r.account}, ${days[0]} to ${days[days.length - 1]}: highest ${formatUsd(r.daily[peak])} on ${days[peak]}, last day ${formatUsd(r.daily[r.daily.length - 1])}`
}

function download(filename: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Revoked a moment later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
