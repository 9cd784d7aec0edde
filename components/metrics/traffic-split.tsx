'use client'
import { Card, Skeleton } from '@/components/ui'
import { BreakdownTable } from '@/components/charts/breakdown-table'
import { useMetrics, type TMetricsParams } from '@/components/metrics/queries'
import { internalTraffic, topN } from '@/lib/metrics/prepare'
import { formatPercent, formatUsd } from '@/lib/format'

/**
 * Production vs internal traffic (eval, replay, ops) and production vs staging
 * vs development, for whatever the page is scoped to (a workflow, an account).
 */
export function TrafficSplit({ org, base, subject }: { org: string; base: TMetricsParams; subject: string }) {
  const bySource = useMetrics(org, { ...base, granularity: 'none', group_by: 'traffic_source' })
  const byEnv = useMetrics(org, { ...base, granularity: 'none', group_by: 'environment' })
  const internal = bySource.data ? internalTraffic(bySource.data.rows) : null
  return (
    <Card
      title="Traffic source and environment"
      subtitle={
        internal
          ? `Internal traffic (eval, replay, ops) is ${formatPercent(internal.share)} of ${subject}'s spend: ${formatUsd(internal.internal_usd)}.`
          : 'Where the spend comes from.'
      }
    >
      <div className="grid gap-6 md:grid-cols-2">
        {bySource.data ? (
          <BreakdownTable items={topN(bySource.data.rows, 'traffic_source').items} label="Traffic source" testId="split-traffic-source" />
        ) : (
          <Skeleton className="h-32" />
        )}
        {byEnv.data ? (
          <BreakdownTable items={topN(byEnv.data.rows, 'environment').items} label="Environment" testId="split-environment" />
        ) : (
          <Skeleton className="h-32" />
        )}
      </div>
    </Card>
  )
}
