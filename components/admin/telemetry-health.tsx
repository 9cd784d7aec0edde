'use client'
import { Fragment, useState } from 'react'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as api from '@/lib/telemetry/api'
import { Alert, Card, Kpi, Select, Skeleton } from '@/components/ui'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { Usd } from '@/components/ui/usd'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import { moneyKey } from '@/lib/table/sort'
import { HEALTH_FIELDS, type THealthField, type THealthSource, type TMissing } from '@/lib/telemetry/schema'

// The question here: "which of our senders leave out the labels that attribute spend, and where?"
// (seed 003's checklist). The last 24 hours or 7 days, per source: an API key, an OpenTelemetry service, the gateway.
// (It reads raw events: 7 days of a 10M-event organization take about a second, 24 hours a seventh of that.)

const FIELD_LABEL: Record<THealthField, string> = {
  workflow_id: 'Workflow',
  step: 'Step',
  account_id: 'Account',
  outcome: 'Outcome',
  scenario_id: 'Scenario',
  owner: 'Owner',
}

type TKey = 'source' | 'calls' | 'spend' | 'any' | THealthField
const COLUMNS: Record<TKey, (s: THealthSource) => string | number | bigint | null> = {
  source: (s) => s.label,
  calls: (s) => s.calls,
  spend: (s) => moneyKey(s.cost_usd),
  any: (s) => s.missing_any.share_of_spend,
  ...(Object.fromEntries(HEALTH_FIELDS.map((f) => [f, (s: THealthSource) => s.missing[f].share_of_spend])) as Record<
    THealthField,
    (s: THealthSource) => number | null
  >),
}

/** A share lacking a field: the spend's, with the calls' on hover; amber when any is missing. */
function Share({ m, testId }: { m: TMissing; testId?: string }) {
  const spend = m.share_of_spend
  return (
    <td
      className={`py-2 pr-3 text-right ${m.calls > 0 ? 'text-amber-700' : 'text-slate-400'}`}
      title={`${formatCount(m.calls)} calls (${m.share_of_calls === null ? '—' : formatPercent(m.share_of_calls)} of calls), ${formatUsd(m.cost_usd)}`}
      data-testid={testId}
    >
      {spend === null ? '—' : formatPercent(spend)}
    </td>
  )
}

export function TelemetryHealth({ org }: { org: string }) {
  const [hours, setHours] = useState<24 | 168>(24)
  const windowLabel = hours === 24 ? 'last 24 hours' : 'last 7 days'
  const q = useQuery({
    queryKey: ['admin', org, 'telemetry-health', hours],
    queryFn: ({ signal }) => {
      // the window ends at the next whole minute, so the query key stays the same for a minute
      const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000)
      return callApi(api.telemetryHealth, { org, query: { from: new Date(to.getTime() - hours * 3_600_000).toISOString(), to: to.toISOString() }, signal })
    },
  })
  const sorter = useSort(q.data?.sources, COLUMNS)
  return (
    <Card
      title="Telemetry health"
      subtitle="Per source of events: the share of spend whose calls lack each label that attributes it (hover a figure for the calls). Workflow, step and outcome count as missing when Outlay filled them in."
    >
      <div className="mb-3 flex items-center gap-2 text-sm">
        <label htmlFor="health-window" className="text-slate-600">
          Window
        </label>
        <Select id="health-window" value={hours} onChange={(e) => setHours(Number(e.target.value) === 168 ? 168 : 24)} className="w-auto">
          <option value={24}>Last 24 hours</option>
          <option value={168}>Last 7 days</option>
        </Select>
      </div>
      {q.isPending ? (
        <Skeleton className="h-32" />
      ) : q.error ? (
        <Alert>Could not load telemetry health: {q.error.message}</Alert>
      ) : q.data.calls === 0 ? (
        <p className="text-sm text-slate-600" data-testid="telemetry-health-empty">
          No calls in the {windowLabel}. Send events with an ingest key (POST /api/v1/events), OpenTelemetry spans, or calls through the gateway: each source
          shows here with the labels it leaves out.
        </p>
      ) : (
        <div className="space-y-4">
          <div className="grid gap-4 sm:grid-cols-3" role="group" aria-label="Telemetry health">
            <Kpi label={`Calls, ${windowLabel}`} value={formatCount(q.data.calls)} />
            <Kpi
              label="Spend lacking a label"
              value={q.data.missing_any.share_of_spend === null ? '—' : formatPercent(q.data.missing_any.share_of_spend)}
              warn={(q.data.missing_any.share_of_spend ?? 0) > 0.1}
              testId="health-missing-any"
            />
            <Kpi label="Gateway calls without workflow or step" value={formatCount(q.data.unlabeled_gateway.calls)} warn={q.data.unlabeled_gateway.calls > 0} />
          </div>
          <div className="overflow-x-auto">
            <table className="num w-full text-left text-sm" data-testid="telemetry-health">
              <thead className="text-xs uppercase tracking-wide text-slate-500">
                <tr>
                  <SortTh sorter={sorter} k="source" className="py-2 pr-3 font-medium">
                    Source
                  </SortTh>
                  <SortTh sorter={sorter} k="calls" className="py-2 pr-3 text-right font-medium">
                    Calls
                  </SortTh>
                  <SortTh sorter={sorter} k="spend" className="py-2 pr-3 text-right font-medium">
                    Spend
                  </SortTh>
                  <SortTh sorter={sorter} k="any" className="py-2 pr-3 text-right font-medium" title="share of spend lacking at least one label">
                    Any label
                  </SortTh>
                  {HEALTH_FIELDS.map((f) => (
                    <SortTh key={f} sorter={sorter} k={f} className="py-2 pr-3 text-right font-medium" title={`share of spend without ${f}`}>
                      {FIELD_LABEL[f]}
                    </SortTh>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {sorter.rows.map((s) => (
                  <Fragment key={s.source ?? ''}>
                    <tr data-testid="health-source" data-source={s.source ?? ''}>
                      <td className="py-2 pr-3 font-medium">{s.label}</td>
                      <td className="py-2 pr-3 text-right">{formatCount(s.calls)}</td>
                      <td className="py-2 pr-3 text-right">
                        <Usd value={s.cost_usd} unpriced={s.unpriced_calls} />
                      </td>
                      <Share m={s.missing_any} testId="health-any" />
                      {HEALTH_FIELDS.map((f) => (
                        <Share key={f} m={s.missing[f]} testId={`health-${f}`} />
                      ))}
                    </tr>
                    {s.routes.length > 0 && (
                      <tr>
                        <td colSpan={4 + HEALTH_FIELDS.length} className="pb-3 pl-4">
                          <details>
                            <summary className="cursor-pointer text-xs text-slate-600">
                              {s.routes.length === 1 ? 'The route' : `The ${s.routes.length} routes`} that lack labels, most spend first
                            </summary>
                            <ul className="mt-1 space-y-0.5 text-xs text-slate-700" data-testid="health-routes">
                              {s.routes.map((r) => (
                                <li key={`${r.workflow_id}\u0000${r.step}`}>
                                  <span className="font-medium">
                                    {r.workflow_id} / {r.step}
                                  </span>
                                  : {formatCount(r.missing_calls)} of {formatCount(r.calls)} calls ({formatUsd(r.missing_cost_usd)}) lack{' '}
                                  {r.lacks.map((f) => FIELD_LABEL[f].toLowerCase()).join(', ')}
                                </li>
                              ))}
                            </ul>
                          </details>
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        </div>
      )}
    </Card>
  )
}
