'use client'
import Link from 'next/link'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useMemo, useState } from 'react'
import { Alert, Card, Kpi, Skeleton } from '@/components/ui'
import { useOpportunities } from '@/components/opportunities/queries'
import { parseFilters } from '@/lib/metrics/breakdown'
import { rangeLabel, rangePeriods } from '@/lib/metrics/range'
import { RangePicker } from '@/components/metrics/range-picker'
import { DEFAULT_SORT, evidenceLines, KIND_LABEL, nextSort, sortOpportunities, type TSort, type TSortKey } from '@/lib/opportunities/view'
import { formatUsd } from '@/lib/format'

// The question a team brings here after the bill: "where is money I could
// save, and what do I do about it?" — every measured opportunity with its
// money per month, how it is counted, the evidence, and a link to act.

export function Opportunities({ org }: { org: string }) {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const range = parseFilters(params).range
  const workflow = params.get('workflow_id') || undefined
  // the period is fixed per hour (periods() ends at the next hour), so the query key stays stable
  const period = useMemo(() => rangePeriods(range).current, [range])
  const list = useOpportunities(org, { ...period, ...(workflow ? { workflow_id: workflow } : {}) })
  const [sort, setSort] = useState<TSort>(DEFAULT_SORT)
  const data = list.data
  const rows = useMemo(() => (data ? sortOpportunities(data.opportunities, sort) : []), [data, sort])
  const setParam = (k: string, v: string | null) => {
    const next = new URLSearchParams(params.toString())
    if (v === null) next.delete(k)
    else next.set(k, v)
    router.replace(`${pathname}?${next}`, { scroll: false })
  }

  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">Opportunities</h1>
          <p className="text-sm text-slate-600">
            Money Outlay measured you could save, largest first: each with how it is counted, the evidence and what to do. Times are UTC.
          </p>
        </div>
        <form aria-label="Filters" className="flex items-center gap-2" onSubmit={(e) => e.preventDefault()}>
          <RangePicker idPrefix="o" range={range} onRange={(r) => setParam('range', r)} />
        </form>
      </div>

      {workflow && (
        <p className="text-sm text-slate-600">
          Workflow <span className="font-medium text-slate-800">{workflow}</span> only.{' '}
          <button type="button" className="font-medium text-brand-600 hover:underline" onClick={() => setParam('workflow_id', null)}>
            Show every workflow
          </button>
        </p>
      )}

      {list.error && <Alert>Could not load the opportunities: {list.error.message}</Alert>}

      <section aria-label="Totals" className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Kpi
          label="Could save per month"
          value={data ? formatUsd(data.total_savings_usd_per_month) : null}
          testId="kpi-per-month"
          hint="The range's savings × 30 ÷ its days"
        />
        <Kpi
          label={`Could have saved (${rangeLabel(range)})`}
          value={data ? formatUsd(data.total_savings_usd) : null}
          testId="kpi-total"
          hint={
            data && data.counted_twice_usd !== '0.000000'
              ? `${formatUsd(data.counted_twice_usd)} of repeats that were also retries counted once`
              : 'Each call counted once'
          }
        />
        <Kpi label="Opportunities" value={data ? String(data.opportunities.length) : null} testId="kpi-count" hint="Measured from your events" />
      </section>

      {!data && !list.error ? (
        <Card title="Opportunities">
          <div className="space-y-2" role="status" aria-busy="true" aria-label="Loading opportunities">
            <Skeleton className="h-6 w-full" />
            <Skeleton className="h-6 w-full" />
            <Skeleton className="h-6 w-3/4" />
          </div>
        </Card>
      ) : data && data.opportunities.length === 0 ? (
        <Card title="Nothing to save found yet">
          <div className="space-y-3 text-sm text-slate-700" data-testid="opportunities-empty">
            <p>
              No repeated inputs and no retried or failed calls in this range ({rangeLabel(range)}){workflow ? ` of ${workflow}` : ''}.
            </p>
            <ol className="list-decimal space-y-1 pl-5">
              <li>
                Send <code>input_hash</code> (a hash of the call&apos;s model, prompt and parameters) and <code>output_hash</code> with each event to{' '}
                <code>POST /api/v1/events</code>: repeated inputs are what a response cache would have served.
              </li>
              <li>
                Send <code>outcome</code> (<code>retry</code>, <code>error</code>) so the calls whose result was thrown away are counted.
              </li>
              <li>Pick a longer range above.</li>
            </ol>
          </div>
        </Card>
      ) : data ? (
        <Card title="Where to save" subtitle="USD. Measured: exact sums of your events' cost in the range.">
          <div className="overflow-x-auto">
            <table className="w-full text-sm" aria-label="Opportunities">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <SortHeader label="Saving / month" k="savings" sort={sort} onSort={setSort} align="right" />
                  <SortHeader label="Kind" k="kind" sort={sort} onSort={setSort} />
                  <SortHeader label="Workflow / step" k="step" sort={sort} onSort={setSort} />
                  <th className="px-2 py-2">How it is counted</th>
                  <th className="px-2 py-2">Evidence</th>
                  <th className="px-2 py-2">What to do</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((o) => (
                  <tr key={o.id} className="border-t border-slate-100 align-top" data-testid={`opportunity-${o.id}`}>
                    <td className="num whitespace-nowrap px-2 py-2 text-right">
                      <div className="font-semibold" data-testid="saving-per-month">
                        {formatUsd(o.savings_usd_per_month)}
                      </div>
                      <div className="text-xs text-slate-500" data-testid="saving">
                        {formatUsd(o.savings_usd)} in the range
                      </div>
                    </td>
                    <td className="px-2 py-2">
                      <div>{KIND_LABEL[o.kind]}</div>
                      <span
                        className={`mt-1 inline-block rounded px-1.5 py-0.5 text-xs ${o.basis === 'measured' ? 'bg-emerald-50 text-emerald-800' : 'bg-amber-50 text-amber-800'}`}
                      >
                        {o.basis}
                      </span>
                    </td>
                    <td className="px-2 py-2">
                      <div className="font-medium">{o.workflow_id}</div>
                      <div className="text-slate-600">{o.step}</div>
                    </td>
                    <td className="max-w-sm px-2 py-2 text-slate-700">{o.explanation}</td>
                    <td className="px-2 py-2 text-slate-700">
                      <ul className="space-y-0.5 text-xs">
                        {evidenceLines(o).map((l) => (
                          <li key={l}>{l}</li>
                        ))}
                      </ul>
                    </td>
                    <td className="max-w-xs px-2 py-2">
                      {o.action && (
                        <Link className="text-brand-700 hover:underline" href={`/${org}/${o.action.path}?range=${encodeURIComponent(range)}`}>
                          {o.action.label}
                        </Link>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      ) : null}
    </div>
  )
}

function SortHeader({ label, k, sort, onSort, align }: { label: string; k: TSortKey; sort: TSort; onSort: (s: TSort) => void; align?: 'right' }) {
  const active = sort.key === k
  return (
    <th className={`px-2 py-2 ${align === 'right' ? 'text-right' : ''}`} aria-sort={active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button type="button" className="uppercase hover:text-slate-800" onClick={() => onSort(nextSort(sort, k))}>
        {label}
        {active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ''}
      </button>
    </th>
  )
}
