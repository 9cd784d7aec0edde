'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import Link from 'next/link'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import { Alert, Card, Kpi, Skeleton } from '@/components/ui'
import * as api from '@/lib/opportunities/api'
import type { TQueryOf } from '@/lib/http/endpoint'
import type { TReviewItem } from '@/lib/opportunities/schema'
import { actionHref, KIND_LABEL } from '@/lib/opportunities/view'
import { formatDateTime, formatPercent, formatUsd } from '@/lib/format'

// The quarterly optimisation review: what the range's opportunities were, which the team acted on (a routing
// policy published for the step since), and what the step's cost per call says the action saved.

export function useOpportunityReview(org: string, query: TQueryOf<typeof api.opportunityReview>) {
  return useQuery({
    queryKey: ['opportunities', org, 'review', query] as const,
    queryFn: ({ signal }) => callApi(api.opportunityReview, { org, query, signal }),
  })
}

export function QuarterlyReview({ org, query, range }: { org: string; query: TQueryOf<typeof api.opportunityReview>; range: string }) {
  const q = useOpportunityReview(org, query)
  const data = q.data
  const acted = data?.items.filter((i) => i.acted_on) ?? []
  const open = data?.items.filter((i) => !i.acted_on) ?? []
  const sorter = useSort(acted, {
    step: (i) => `${i.opportunity.workflow_id} / ${i.opportunity.step}`,
    kind: (i) => KIND_LABEL[i.opportunity.kind],
    published: (i) => (i.acted_on ? Date.parse(i.acted_on.published_at) : null),
    per_call: (i) => moneyKey(i.measured?.cost_per_call_after_usd),
    estimate: (i) => moneyKey(i.opportunity.savings_usd_per_month),
    measured: (i) => moneyKey(i.measured?.saving_usd_per_month),
  })
  return (
    <div className="space-y-6">
      {q.error && <Alert>Could not load the review: {q.error.message}</Alert>}
      <section aria-label="Review totals" className="grid grid-cols-1 gap-4 sm:grid-cols-3">
        <Kpi
          label="Found, per month"
          value={data ? formatUsd(data.estimated_usd_per_month) : null}
          testId="review-estimated"
          hint={data ? `${data.items.length} opportunities in the range` : undefined}
        />
        <Kpi
          label="Acted on"
          value={data ? String(data.acted_on) : null}
          testId="review-acted"
          hint={data ? `estimated at ${formatUsd(data.acted_on_estimated_usd_per_month)} per month` : undefined}
        />
        <Kpi
          label="Measured saving, per month"
          value={data ? formatUsd(data.measured_usd_per_month) : null}
          testId="review-measured"
          hint="The acted-on steps' calls since the publication at their cost per call before it, less their cost (each step once)"
        />
      </section>

      {!data && !q.error ? (
        <Card title="Acted on">
          <div className="space-y-2" role="status" aria-busy="true" aria-label="Loading the review">
            <Skeleton className="h-6 w-full" />
            <Skeleton className="h-6 w-3/4" />
          </div>
        </Card>
      ) : data ? (
        <>
          <Card
            title="Acted on"
            subtitle="Opportunities whose workflow step got a routing policy version published since the range began; the step's cost per call in up to 30 days before and after the publication's hour. USD."
          >
            {acted.length === 0 ? (
              <p className="text-sm text-slate-600" data-testid="review-none-acted">
                None of this range&apos;s opportunities has been acted on yet. Open one below (“What to do”) — the routing editor opens with the change drafted
                — and publish it: the next review measures the step&apos;s cost per call since.
              </p>
            ) : (
              <div className="overflow-x-auto">
                <table className="w-full text-sm" data-testid="review-acted-table">
                  <caption className="sr-only">Opportunities acted on, with the estimate and the saving measured since the publication</caption>
                  <thead className="text-left text-xs uppercase tracking-wide text-slate-500">
                    <tr>
                      <SortTh sorter={sorter} k="step" className="px-2 py-2">
                        Workflow / step
                      </SortTh>
                      <SortTh sorter={sorter} k="kind" className="px-2 py-2">
                        Opportunity
                      </SortTh>
                      <SortTh sorter={sorter} k="published" className="px-2 py-2">
                        Published
                      </SortTh>
                      <SortTh sorter={sorter} k="per_call" className="px-2 py-2 text-right">
                        Cost / call before → after
                      </SortTh>
                      <SortTh sorter={sorter} k="estimate" className="px-2 py-2 text-right">
                        Estimate / month
                      </SortTh>
                      <SortTh sorter={sorter} k="measured" className="px-2 py-2 text-right">
                        Measured / month
                      </SortTh>
                    </tr>
                  </thead>
                  <tbody>
                    {sorter.rows.map((i) => (
                      <ActedRow key={i.opportunity.id} i={i} org={org} />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Card>

          <Card title="Not acted on yet" subtitle="The rest of the range's opportunities, largest saving first. USD per month.">
            {open.length === 0 ? (
              <p className="text-sm text-slate-600">Every opportunity of the range has been acted on.</p>
            ) : (
              <ul className="divide-y divide-slate-100 text-sm" data-testid="review-open">
                {open.map((i) => (
                  <li key={i.opportunity.id} className="flex flex-wrap items-baseline gap-x-4 gap-y-1 py-2" data-testid={`review-open-${i.opportunity.id}`}>
                    <span className="num w-24 text-right font-semibold">{formatUsd(i.opportunity.savings_usd_per_month)}</span>
                    <span className="w-40">{KIND_LABEL[i.opportunity.kind]}</span>
                    <span className="flex-1 text-slate-700">
                      {i.opportunity.workflow_id ? `${i.opportunity.workflow_id} / ${i.opportunity.step}` : i.opportunity.id}
                    </span>
                    {i.opportunity.action && (
                      <Link className="text-brand-700 hover:underline" href={actionHref(org, i.opportunity.action.path, range)}>
                        {i.opportunity.action.label}
                      </Link>
                    )}
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </>
      ) : null}
    </div>
  )
}

function ActedRow({ i, org }: { i: TReviewItem; org: string }) {
  const o = i.opportunity
  const a = i.acted_on!
  const m = i.measured
  return (
    <tr
      className="border-t border-slate-100 align-top"
      data-testid={`review-acted-${o.id}`}
      data-saving={m?.saving_usd ?? ''}
      data-saving-per-month={m?.saving_usd_per_month ?? ''}
    >
      <th scope="row" className="px-2 py-2 text-left font-medium">
        <Link href={`/${org}/routing/${a.policy_id}`} className="text-brand-700 hover:underline">
          {o.workflow_id} / {o.step}
        </Link>
      </th>
      <td className="px-2 py-2">
        {KIND_LABEL[o.kind]} <span className="text-xs text-slate-500">({o.basis})</span>
      </td>
      <td className="px-2 py-2 text-slate-700">
        <div>
          v{a.version}, {formatDateTime(a.published_at)}
        </div>
        {a.note && <div className="text-xs text-slate-500">{a.note}</div>}
      </td>
      <td className="num whitespace-nowrap px-2 py-2 text-right" data-testid="review-per-call">
        {m ? (
          <>
            {m.cost_per_call_before_usd ? formatUsd(m.cost_per_call_before_usd, { precise: true }) : '—'} →{' '}
            {m.cost_per_call_after_usd ? formatUsd(m.cost_per_call_after_usd, { precise: true }) : '—'}
            <div className="text-xs text-slate-500">
              {m.calls_before.toLocaleString('en-US')} → {m.calls_after.toLocaleString('en-US')} calls
            </div>
          </>
        ) : (
          <span className="text-slate-500">not measurable yet</span>
        )}
      </td>
      <td className="num px-2 py-2 text-right">{formatUsd(o.savings_usd_per_month)}</td>
      <td className="num px-2 py-2 text-right" data-testid="review-measured-per-month">
        {m?.saving_usd_per_month ? formatUsd(m.saving_usd_per_month, { precise: true }) : '—'}
        {m?.share_of_estimate != null && <div className="text-xs text-slate-500">{formatPercent(m.share_of_estimate, 0)} of the estimate</div>}
      </td>
    </tr>
  )
}
