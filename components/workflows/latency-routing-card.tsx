'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { useMemo } from 'react'
import { Card, Skeleton } from '@/components/ui'
import { LatencyRoutingChart } from '@/components/charts/latency-routing-chart'
import { bucketLabel, latencyRoutingSeries, latencyRoutingStory, MIN_CALLS, pct, type TGranularity } from '@/lib/metrics/views/latency-routing'
import type { TPeriod } from '@/lib/metrics/breakdown'
import type { TMetricsRow } from '@/lib/metrics/schema'
import { formatCount, formatMs } from '@/lib/format'

// The on-call engineer's question: "when this workflow's latency spiked, was
// it a fallback or escalation storm, or something else?" Latency p50/p95 and
// the share of calls that fell back or were escalated share one time axis,
// and a sentence computed from the same points answers it in words.

export function LatencyRoutingCard({
  workflow,
  period,
  granularity,
  latency,
  outcomes,
}: {
  workflow: string
  period: TPeriod
  granularity: TGranularity
  /** the workflow per bucket with latency quantiles; undefined while loading */
  latency: TMetricsRow[] | undefined
  /** the workflow per bucket and outcome; undefined while loading */
  outcomes: TMetricsRow[] | undefined
}) {
  const points = useMemo(
    () => (latency && outcomes ? latencyRoutingSeries(latency, outcomes, period, granularity) : null),
    [latency, outcomes, period, granularity],
  )
  const story = useMemo(() => (points ? latencyRoutingStory(points, granularity) : null), [points, granularity])
  const unit = granularity === 'hour' ? 'hour' : 'UTC day'
  const withLatency = points?.some((p) => p.p95_ms !== null) ?? false
  const sorter = useSort(
    useMemo(() => points?.filter((p) => p.calls > 0), [points]),
    {
      bucket: (p) => Date.parse(p.bucket),
      calls: (p) => p.calls,
      p95: (p) => p.p95_ms,
      fallback: (p) => p.fallback_rate ?? 0,
      escalation: (p) => p.escalation_rate ?? 0,
    },
  )
  return (
    <Card
      title="Latency beside fallbacks and escalations"
      subtitle={
        `Latency p50 and p95 (left axis) and the share of calls that fell back to another model or were escalated to a bigger one (right axis), per ${unit}: ` +
        `did latency move with rerouted calls, or with something else? ${granularity === 'hour' ? 'Hours' : 'Days'} with fewer than ${MIN_CALLS} calls are faint.` +
        (granularity === 'day' ? ' A storm of an hour is averaged away in a day: choose the last 7 days to see hours.' : '')
      }
    >
      {!points ? (
        <Skeleton className="h-72" />
      ) : !withLatency ? (
        <p className="text-sm text-slate-600" data-testid="latency-routing-empty">
          No calls of {workflow} with a latency in this period. Send <code>latency_ms</code> with each event to <code>POST /api/v1/events</code> (the gateway
          records it for you), or choose a longer range.
        </p>
      ) : (
        <>
          <LatencyRoutingChart
            points={points}
            granularity={granularity}
            label={`Latency p50 and p95 of ${workflow} per ${unit}, beside its fallback and escalation rates`}
          />
          {story ? (
            <p className="mt-3 text-sm text-slate-800" data-testid="latency-routing-story" data-kind={story.kind} data-peak={story.peak}>
              {story.text}
            </p>
          ) : (
            <p className="mt-3 text-sm text-slate-600" data-testid="latency-routing-story">
              Too few {granularity === 'hour' ? 'hours' : 'days'} with {MIN_CALLS} calls or more to compare: choose a longer range.
            </p>
          )}
          <details className="mt-3 text-sm">
            <summary className="cursor-pointer text-slate-600">Figures per {unit}</summary>
            <div className="mt-2 max-h-72 overflow-auto">
              <table className="w-full text-sm" data-testid="latency-routing-table">
                <caption className="sr-only">
                  Calls, latency p50 and p95, fallbacks and escalations of {workflow} per {unit}
                </caption>
                <thead className="text-xs uppercase text-slate-500">
                  <tr className="border-b border-slate-200">
                    <SortTh sorter={sorter} k="bucket" className="py-2 pr-2 text-left font-medium">
                      {granularity === 'hour' ? 'Hour' : 'Day'}
                    </SortTh>
                    <SortTh sorter={sorter} k="calls" className={th}>
                      Calls
                    </SortTh>
                    <SortTh sorter={sorter} k="p95" className={th}>
                      p50 / p95
                    </SortTh>
                    <SortTh sorter={sorter} k="fallback" className={th}>
                      Fell back
                    </SortTh>
                    <SortTh sorter={sorter} k="escalation" className={th}>
                      Escalated
                    </SortTh>
                  </tr>
                </thead>
                <tbody>
                  {sorter.rows.map((p) => (
                    <tr
                      key={p.bucket}
                      className="border-t border-slate-100"
                      data-bucket={p.bucket}
                      data-calls={p.calls}
                      data-fallbacks={p.fallbacks}
                      data-escalations={p.escalations}
                      data-p50={p.p50_ms ?? ''}
                      data-p95={p.p95_ms ?? ''}
                    >
                      <th scope="row" className="py-1 pr-2 text-left font-normal">
                        {bucketLabel(p.bucket, granularity)}
                      </th>
                      <td className={td}>{formatCount(p.calls)}</td>
                      <td className={td}>
                        {formatMs(p.p50_ms)} / {formatMs(p.p95_ms)}
                      </td>
                      <td className={td}>
                        {pct(p.fallback_rate ?? 0)} ({formatCount(p.fallbacks)})
                      </td>
                      <td className={td}>
                        {pct(p.escalation_rate ?? 0)} ({formatCount(p.escalations)})
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </Card>
  )
}

const th = 'px-2 py-2 font-medium text-right'
const td = 'num whitespace-nowrap px-2 text-right'
