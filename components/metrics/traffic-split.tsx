'use client'
import { Alert, Card, Skeleton } from '@/components/ui'
import { BreakdownTable } from '@/components/charts/breakdown-table'
import { useMetrics, type TMetricsParams } from '@/components/metrics/queries'
import { internalTraffic, topN } from '@/lib/metrics/prepare'
import { formatPercent, formatUsd } from '@/lib/format'

/**
 * Production vs internal traffic (eval, replay, ops) and production vs staging
 * vs development, for whatever the page is scoped to (a workflow, an account).
 * One read by both dimensions: topN and internalTraffic sum its rows per
 * traffic source and per environment (a request fewer on a page that sends
 * nine at once).
 */
export function TrafficSplit({ org, base, subject }: { org: string; base: TMetricsParams; subject: string }) {
  const split = useMetrics(org, { ...base, granularity: 'none', group_by: 'traffic_source,environment', measures: 'cost_usd,unpriced_events' })
  const rows = split.data?.rows
  const internal = rows ? internalTraffic(rows) : null
  return (
    <Card
      title="Traffic source and environment"
      subtitle={
        internal
          ? `Internal traffic (eval, replay, ops) is ${formatPercent(internal.share)} of ${subject}'s spend: ${formatUsd(internal.internal_usd)}.`
          : 'Where the spend comes from.'
      }
    >
      {split.error ? (
        <Alert>Could not load the split: {split.error.message}</Alert>
      ) : (
        <div className="grid gap-6 md:grid-cols-2">
          {rows ? (
            <BreakdownTable items={topN(rows, 'traffic_source').items} label="Traffic source" testId="split-traffic-source" />
          ) : (
            <Skeleton className="h-32" />
          )}
          {rows ? <BreakdownTable items={topN(rows, 'environment').items} label="Environment" testId="split-environment" /> : <Skeleton className="h-32" />}
        </div>
      )}
    </Card>
  )
}
