'use client'
import { ZoneNote } from '@/components/layout/time-zone'
import Link from 'next/link'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { useMemo } from 'react'
import { Alert, Card, Kpi, Skeleton } from '@/components/ui'
import { useOpportunities } from '@/components/opportunities/queries'
import { parseFilters } from '@/lib/metrics/breakdown'
import { rangeLabel, rangePeriods } from '@/lib/metrics/range'
import { RangePicker } from '@/components/metrics/range-picker'
import { actionHref, DEFAULT_SORT, evidenceLines, KIND_LABEL, OPPORTUNITY_SORT_COLUMNS, type TSortKey } from '@/lib/opportunities/view'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import type { TOpportunity } from '@/lib/opportunities/schema'
import { formatUsd } from '@/lib/format'
import { Sparkline } from '@/components/charts/sparkline'
import { QuarterlyReview } from '@/components/opportunities/review'

// The question a team brings here after the bill: "where is money I could
// save, and what do I do about it?" — every measured opportunity with its
// money per month, how it is counted, the evidence, and a link to act.

export function Opportunities({ org }: { org: string }) {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const range = parseFilters(params).range
  const view = params.get('view') === 'review' ? 'review' : 'list'
  const workflow = params.get('workflow_id') || undefined
  // the period is fixed per hour (periods() ends at the next hour), so the query key stays stable
  const period = useMemo(() => rangePeriods(range).current, [range])
  const list = useOpportunities(org, { ...period, ...(workflow ? { workflow_id: workflow } : {}) })
  const data = list.data
  const sorter = useSort(data?.opportunities, OPPORTUNITY_SORT_COLUMNS, DEFAULT_SORT)
  const rows = sorter.rows
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
            Money you could save, largest first: measured (exact sums of your events&apos; cost) or estimated (with the assumption stated), each with how it is
            counted, the evidence and what to do. <ZoneNote />
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

      <nav aria-label="Opportunities views" className="flex gap-1 border-b border-slate-200 text-sm">
        {(
          [
            ['list', 'Where to save', { view: null, range }],
            ['review', 'Quarterly review', { view: 'review', range: view === 'review' ? range : '90' }],
          ] as const
        ).map(([v, label, p]) => {
          const next = new URLSearchParams(params.toString())
          for (const [k, x] of Object.entries(p)) {
            if (x === null) next.delete(k)
            else next.set(k, x)
          }
          return (
            <Link
              key={v}
              href={`${pathname}?${next}`}
              aria-current={view === v ? 'page' : undefined}
              className={`-mb-px border-b-2 px-3 py-2 ${view === v ? 'border-brand-600 font-medium text-slate-900' : 'border-transparent text-slate-600 hover:text-slate-900'}`}
            >
              {label}
            </Link>
          )
        })}
      </nav>

      {view === 'review' ? (
        <QuarterlyReview org={org} range={range} query={{ ...period, ...(workflow ? { workflow_id: workflow } : {}) }} />
      ) : (
        <OpportunityList org={org} range={range} workflow={workflow} list={list} rows={rows} sorter={sorter} />
      )}
    </div>
  )
}

function OpportunityList({
  org,
  range,
  workflow,
  list,
  rows,
  sorter,
}: {
  org: string
  range: string
  workflow: string | undefined
  list: ReturnType<typeof useOpportunities>
  rows: TOpportunity[]
  sorter: ReturnType<typeof useSort<TOpportunity, TSortKey>>
}) {
  const data = list.data
  return (
    <div className="space-y-6">
      {list.error && <Alert>Could not load the opportunities: {list.error.message}</Alert>}

      <section aria-label="Totals" className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Kpi
          label="Could save per month"
          term="saving_per_month"
          value={data ? formatUsd(data.total_savings_usd_per_month) : null}
          testId="kpi-per-month"
          hint="Each opportunity's saving per month, summed (measured: the range × 30 ÷ its days)"
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
        <Kpi
          label="Opportunities"
          value={data ? String(data.opportunities.length) : null}
          testId="kpi-count"
          hint={
            data
              ? `${data.opportunities.filter((o) => o.basis === 'measured').length} measured, ${data.opportunities.filter((o) => o.basis === 'estimated').length} estimated`
              : undefined
          }
        />
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
              Nothing found in this range ({rangeLabel(range)}){workflow ? ` of ${workflow}` : ''}: no repeated inputs, no retried or failed calls, no uncapped
              output tail, no long prompts missing the prompt cache, no cheaper model clearing a step&apos;s bar and no GPU pool larger than its load.
            </p>
            <ol className="list-decimal space-y-1 pl-5">
              <li>
                Send <code>input_hash</code> (a hash of the call&apos;s model, prompt and parameters) and <code>output_hash</code> with each event to{' '}
                <code>POST /api/v1/events</code>: repeated inputs are what a response cache would have served.
              </li>
              <li>
                Send <code>outcome</code> (<code>retry</code>, <code>error</code>) so the calls whose result was thrown away are counted.
              </li>
              <li>
                Send <code>max_tokens</code> and <code>cached_tokens_in</code>; import eval results (<code>POST /api/v1/evals</code>) and set a quality bar in a
                routing policy; send GPU utilization samples for your pools.
              </li>
              <li>Pick a longer range above.</li>
            </ol>
          </div>
        </Card>
      ) : data ? (
        <Card
          title="Where to save"
          subtitle="USD. Measured: exact sums of your events' cost in the range. Estimated: priced from your data under the assumption shown."
        >
          <div className="overflow-x-auto">
            <table className="w-full text-sm" aria-label="Opportunities">
              <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <SortTh sorter={sorter} k="savings" term="saving_per_month" className="px-2 py-2 text-right">
                    Saving / month
                  </SortTh>
                  <SortTh sorter={sorter} k="kind" className="px-2 py-2">
                    Kind
                  </SortTh>
                  <SortTh sorter={sorter} k="step" className="px-2 py-2">
                    Workflow / step
                  </SortTh>
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
                      {o.kind === 'gpu_rightsizing' ? (
                        <div className="font-medium">GPU pool {o.evidence.pool}</div>
                      ) : (
                        <>
                          <div className="font-medium">{o.workflow_id}</div>
                          <div className="text-slate-600">{o.step}</div>
                        </>
                      )}
                      {o.model && <div className="font-mono text-xs text-slate-500">{o.model}</div>}
                    </td>
                    <td className="max-w-sm px-2 py-2 text-slate-700">
                      <p>{o.explanation}</p>
                      {o.assumption && (
                        <p className="mt-1 text-xs text-amber-800" data-testid="assumption">
                          Assumes: {o.assumption}
                        </p>
                      )}
                    </td>
                    <td className="px-2 py-2 text-slate-700">
                      <ul className="space-y-0.5 text-xs">
                        {evidenceLines(o).map((l) => (
                          <li key={l}>{l}</li>
                        ))}
                      </ul>
                      <EvidenceChart o={o} />
                    </td>
                    <td className="max-w-xs px-2 py-2">
                      {o.action && (
                        <Link className="text-brand-700 hover:underline" href={actionHref(org, o.action.path, range)} data-testid="action">
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

/** A small chart where a trend or a shape matters: output sizes, the cached share per day, a pool's daily utilization. */
function EvidenceChart({ o }: { o: TOpportunity }) {
  if (o.kind === 'uncapped_output') {
    const e = o.evidence
    const bars = [
      ['p50', e.p50_tokens_out],
      ['p95', e.p95_tokens_out],
      ['p99', e.p99_tokens_out],
      ['max', e.max_tokens_out],
    ] as const
    const top = Math.max(1, e.max_tokens_out)
    return (
      <div className="mt-2 space-y-0.5" role="img" aria-label={`Output tokens per call: ${bars.map(([k, v]) => `${k} ${v}`).join(', ')}`}>
        {bars.map(([k, v]) => (
          <div key={k} className="flex items-center gap-1 text-[10px] text-slate-500">
            <span className="w-7">{k}</span>
            <span className={`h-2 rounded-sm ${k === 'p95' ? 'bg-amber-500' : 'bg-brand-500'}`} style={{ width: `${Math.max(2, (v / top) * 100)}px` }} />
            <span className="num">{v.toLocaleString('en-US')}</span>
          </div>
        ))}
      </div>
    )
  }
  if (o.kind === 'prompt_cache' && o.evidence.daily.length > 1) {
    return (
      <div className="mt-2">
        <Sparkline values={o.evidence.daily.map((d) => d.cached_share ?? 0)} label={`Cached share of input per day, ${o.evidence.daily.length} days`} />
        <div className="text-[10px] text-slate-500">cached share per day (this and the previous period)</div>
      </div>
    )
  }
  if (o.kind === 'gpu_rightsizing' && o.evidence.daily_utilization.length > 1) {
    return (
      <div className="mt-2">
        <Sparkline
          values={o.evidence.daily_utilization.map((d) => d.utilization ?? 0)}
          label={`Daily mean utilization of ${o.evidence.pool}, ${o.evidence.daily_utilization.length} days`}
        />
        <div className="text-[10px] text-slate-500">daily mean utilization</div>
      </div>
    )
  }
  return null
}
