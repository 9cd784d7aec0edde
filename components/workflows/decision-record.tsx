'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { useQuery } from '@tanstack/react-query'
import { useState } from 'react'
import { callApi } from '@/components/api'
import { Button, Card, Kpi, Skeleton } from '@/components/ui'
import { useUrlFilters } from '@/components/metrics/filters'
import { downloadCsv } from '@/components/metrics/breakdown'
import { DetailPage } from '@/components/metrics/detail-page'
import { filtersQuery } from '@/lib/metrics/breakdown'
import { CHEAPEST_MIN_CALLS, decisionRecordMarkdown, evalsText } from '@/lib/decision-record/record'
import * as api from '@/lib/decision-record/api'
import type { TQueryOf } from '@/lib/http/endpoint'
import { formatCount, formatMs, formatPercent, formatUsd } from '@/lib/format'
import { StepPolicyLink } from '@/components/routing/step-policy-link'
import { Decisions } from '@/components/workflows/decisions'

// The question an engineer brings here before changing a step's model: "what
// does this step do today, on which models, at what cost, quality and speed,
// and who owns it?" — the decision record, filled from data, ready to paste.

export function DecisionRecord({ org, workflow, step }: { org: string; workflow: string; step: string }) {
  const url = useUrlFilters()
  const { filters, periods } = url
  const query: TQueryOf<typeof api.decisionRecord> = {
    workflow_id: workflow,
    step,
    ...periods.current,
    environment: filters.environment || undefined,
    traffic_source: filters.traffic_source || undefined,
  }
  const record = useQuery({
    queryKey: ['decision-record', org, query],
    queryFn: ({ signal }) => callApi(api.decisionRecord, { org, query, signal }),
  })
  const d = record.data
  const [copied, setCopied] = useState(false)
  const copy = async () => {
    if (!d) return
    await navigator.clipboard.writeText(decisionRecordMarkdown(d))
    setCopied(true)
    setTimeout(() => setCopied(false), 2000)
  }
  const download = () => d && downloadCsv(`decision-record-${workflow}-${step}.md`, decisionRecordMarkdown(d), 'text/markdown')
  const workflowHref = `/${org}/workflows/${encodeURIComponent(workflow)}?${filtersQuery(filters)}`

  const sorter = useSort(d?.options, {
    model: (o) => o.model,
    calls: (o) => o.calls,
    share: (o) => o.share_of_calls,
    raw: (o) => moneyKey(o.raw_cost_per_call_usd),
    adjusted: (o) => moneyKey(o.cost_per_call_usd),
    cache: (o) => o.cache_hit_rate,
    retry: (o) => o.retry_rate,
    p95: (o) => o.latency_p95_ms,
  })
  return (
    <DetailPage
      org={org}
      url={url}
      list={{ path: 'workflows', label: 'Workflows' }}
      parent={{ href: workflowHref, label: workflow }}
      name={step}
      title={`Decision record: ${workflow} / ${step}`}
      field="step"
      calls={{ workflow_id: workflow, step }}
      subtitle="The step as it runs today, filled from its events and the workflow's outcomes: paste it into the design doc before changing its model."
      error={record.error ?? null}
      empty={!!d && d.calls === 0}
    >
      <div className="flex flex-wrap gap-2">
        <Button variant="secondary" onClick={copy} disabled={!d}>
          {copied ? 'Copied' : 'Copy as Markdown'}
        </Button>
        <Button variant="secondary" onClick={download} disabled={!d}>
          Download .md
        </Button>
        <span role="status" className="sr-only">
          {copied ? 'Decision record copied as Markdown' : ''}
        </span>
      </div>

      <section aria-label="Totals" className="grid grid-cols-2 gap-4 lg:grid-cols-4">
        <Kpi label="Raw token cost" value={d ? formatUsd(d.raw_cost_usd) : null} testId="kpi-raw-cost" hint="Every token at the uncached input price" />
        <Kpi
          label="Cache-adjusted cost"
          value={d ? formatUsd(d.cost_usd) : null}
          testId="kpi-cost"
          hint={d ? `${formatUsd(d.cache_savings_usd)} saved by prompt caching` : undefined}
        />
        <Kpi
          label="Retry rate"
          term="retry_rate"
          value={d ? formatPercent(d.retry_rate) : null}
          testId="kpi-retry-rate"
          hint="Calls retried or failed ÷ calls"
          warn={!!d && d.retry_rate >= 0.1}
        />
        <Kpi
          label="Latency p50 / p95"
          term="latency_p95"
          value={d ? `${formatMs(d.latency_p50_ms)} / ${formatMs(d.latency_p95_ms)}` : null}
          testId="kpi-latency"
        />
      </section>

      <Card title="Record">
        {d ? (
          <dl className="grid gap-x-6 gap-y-3 text-sm sm:grid-cols-[14rem_1fr]" data-testid="decision-record">
            <dt className="font-medium text-slate-600">Scenario</dt>
            <dd data-field="scenario">
              {d.scenario ? (
                <>
                  {d.scenario.scenario_id === null ? (
                    <span data-testid="majority-scenario" className="text-slate-700">
                      Not set on most calls
                    </span>
                  ) : (
                    <strong data-testid="majority-scenario">{d.scenario.scenario_id}</strong>
                  )}{' '}
                  <span className="text-slate-600">
                    (the majority: {formatCount(d.scenario.calls)} of {formatCount(d.scenario.counted_calls)}{' '}
                    {d.scenario.counted_calls < d.calls ? 'latest calls counted' : 'calls'}, {formatPercent(d.scenario.share)})
                  </span>
                  {d.scenario.scenario_id === null && (
                    <span className="text-slate-500">
                      {' '}
                      — send <code>scenario_id</code> on the events
                    </span>
                  )}
                  {d.scenario_counts.length > 1 && (
                    <span className="block text-xs text-slate-500" data-testid="other-scenarios">
                      Also:{' '}
                      {d.scenario_counts
                        .slice(1)
                        .map((c) => `${c.scenario_id ?? 'not set'} (${formatCount(c.calls)} calls)`)
                        .join(', ')}
                    </span>
                  )}
                </>
              ) : (
                <span className="text-slate-500">
                  Not set: send <code>scenario_id</code> on the events
                </span>
              )}
            </dd>
            <dt className="font-medium text-slate-600">Owner</dt>
            <dd data-field="owner">
              {d.owners.join(', ') || (
                <span className="text-slate-500">
                  Not set: send <code>owner</code> on the events
                </span>
              )}
            </dd>
            <dt className="font-medium text-slate-600">Volume</dt>
            <dd>
              {formatCount(d.calls)} calls, {d.calls_per_run === null ? '—' : d.calls_per_run.toFixed(2)} per run over {formatCount(d.runs)} runs
            </dd>
            <dt className="font-medium text-slate-600">Model options seen</dt>
            <dd>
              {d.options.length}
              {d.candidates.length > 0 && ` served, ${d.candidates.length} more with eval results only`} (
              {d.cheapest ? (
                <>
                  cheapest per call (≥ {CHEAPEST_MIN_CALLS} calls): <strong data-testid="cheapest">{d.cheapest}</strong>
                </>
              ) : (
                `none with ${CHEAPEST_MIN_CALLS}+ priced calls`
              )}
              )
            </dd>
            <dt className="font-medium text-slate-600">Routing policy</dt>
            <dd data-field="routing">
              {/* the link to create one drafts the step and its model options as candidates */}
              <StepPolicyLink org={org} workflow={workflow} step={step} candidates={[...d.options.map((o) => o.model), ...d.candidates.map((c) => c.model)]} />
            </dd>
            <dt className="font-medium text-slate-600">Quality pass rate</dt>
            <dd data-field="quality">
              {d.quality_pass_rate === null ? (
                <span className="text-slate-500">No outcomes reported for {workflow}</span>
              ) : (
                `${formatPercent(d.quality_pass_rate)} of ${formatCount(d.outcomes)} reported outcomes accepted (whole workflow)`
              )}
            </dd>
            <dt className="font-medium text-slate-600">Accepted outcome rate</dt>
            <dd>{d.accepted_outcome_rate === null ? '—' : `${formatPercent(d.accepted_outcome_rate)} of runs ended in an accepted outcome`}</dd>
          </dl>
        ) : (
          <Skeleton className="h-40" />
        )}
      </Card>

      <Card
        title="Model options"
        subtitle="Each model the step called in the period: raw and cache-adjusted cost per call, cache hits, retry rate, latency and its latest eval scores; then the models with eval results that served none of its calls, priced at the organization's prices with the step's average call."
      >
        {d ? (
          <div className="overflow-x-auto">
            <table className="w-full text-sm" data-testid="options-table">
              <caption className="sr-only">Model options of the step, most calls first</caption>
              <thead className="text-xs uppercase text-slate-500">
                <tr className="border-b border-slate-200">
                  <SortTh sorter={sorter} k="model" className="py-2 pr-2 text-left font-medium">
                    Provider / model
                  </SortTh>
                  <SortTh sorter={sorter} k="calls" term="calls" className="px-2 py-2 text-right font-medium">
                    Calls
                  </SortTh>
                  <SortTh sorter={sorter} k="share" term="share" className="px-2 py-2 text-right font-medium">
                    Share
                  </SortTh>
                  <SortTh sorter={sorter} k="raw" term="raw_cost_per_call" className="px-2 py-2 text-right font-medium">
                    Raw cost / call
                  </SortTh>
                  <SortTh sorter={sorter} k="adjusted" term="cache_adjusted_cost_per_call" className="px-2 py-2 text-right font-medium">
                    Cache-adjusted / call
                  </SortTh>
                  <SortTh sorter={sorter} k="cache" term="cache_hit_rate" className="px-2 py-2 text-right font-medium">
                    Cache hits
                  </SortTh>
                  <SortTh sorter={sorter} k="retry" term="retry_rate" className="px-2 py-2 text-right font-medium">
                    Retry rate
                  </SortTh>
                  <SortTh sorter={sorter} k="p95" term="latency_p95" className="px-2 py-2 text-right font-medium">
                    p50 / p95
                  </SortTh>
                  <th className="px-2 py-2 text-left font-medium">Evals</th>
                </tr>
              </thead>
              <tbody data-testid="served-options">
                {sorter.rows.map((o) => (
                  <tr key={o.model} className="border-t border-slate-100">
                    <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                      {o.model}
                      {o.model === d.cheapest && (
                        <span
                          className="ml-2 rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-medium text-emerald-800"
                          title={`The lowest cache-adjusted cost per call among the models with at least ${CHEAPEST_MIN_CALLS} calls in the period`}
                        >
                          cheapest (≥ {CHEAPEST_MIN_CALLS} calls)
                        </span>
                      )}
                    </th>
                    <td className="num px-2 text-right">{formatCount(o.calls)}</td>
                    <td className="num px-2 text-right text-slate-600">{formatPercent(o.share_of_calls)}</td>
                    <td className="num px-2 text-right">{o.raw_cost_per_call_usd ? formatUsd(o.raw_cost_per_call_usd, { precise: true }) : '—'}</td>
                    <td className="num px-2 text-right" data-cost-per-call={o.cost_per_call_usd ?? ''}>
                      {o.cost_per_call_usd ? formatUsd(o.cost_per_call_usd, { precise: true }) : '—'}
                    </td>
                    <td className="num px-2 text-right text-slate-600">{o.cache_hit_rate === null ? '—' : formatPercent(o.cache_hit_rate)}</td>
                    <td className={`num px-2 text-right ${o.retry_rate >= 0.1 ? 'text-amber-700' : 'text-slate-600'}`}>{formatPercent(o.retry_rate)}</td>
                    <td className="num whitespace-nowrap px-2 text-right text-slate-600">
                      {formatMs(o.latency_p50_ms)} / {formatMs(o.latency_p95_ms)}
                    </td>
                    <td className="px-2 text-xs text-slate-600">{evalsText(o.evals) || '—'}</td>
                  </tr>
                ))}
              </tbody>
              {d.candidates.length > 0 && (
                <tbody data-testid="eval-candidates" className="border-t-2 border-slate-200">
                  {d.candidates.map((c) => (
                    <tr key={c.model} className="border-t border-slate-100 bg-slate-50/60" data-model={c.model}>
                      <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                        {c.model}{' '}
                        <span
                          className="ml-1 rounded bg-sky-50 px-1.5 py-0.5 text-xs font-medium text-sky-800"
                          title="Has eval results for this step but served none of its calls in the period: priced from the price book with the step's average call"
                        >
                          not served (eval only)
                        </span>
                      </th>
                      <td className="num px-2 text-right text-slate-400">0</td>
                      <td className="num px-2 text-right text-slate-400">—</td>
                      <td className="num px-2 text-right">{c.priced ? formatUsd(c.priced.raw_cost_per_call_usd, { precise: true }) : 'unpriced'}</td>
                      <td className="num px-2 text-right" data-cost-per-call={c.priced?.cost_per_call_usd ?? ''}>
                        {c.priced ? formatUsd(c.priced.cost_per_call_usd, { precise: true }) : 'unpriced'}
                      </td>
                      <td className="num px-2 text-right text-slate-400">—</td>
                      <td className="num px-2 text-right text-slate-400">—</td>
                      <td className="num px-2 text-right text-slate-400">—</td>
                      <td className="px-2 text-xs text-slate-600">
                        {evalsText(c.evals)}
                        {c.priced && (
                          <span className="block text-slate-500">
                            The period&apos;s {formatCount(d.calls)} calls at its prices: {formatUsd(c.priced.cost_usd)}
                          </span>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              )}
            </table>
          </div>
        ) : (
          <Skeleton className="h-32" />
        )}
      </Card>

      <Decisions org={org} record={d} query={query} />
    </DetailPage>
  )
}
