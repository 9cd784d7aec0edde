'use client'
import { useMemo } from 'react'
import { useMetrics, type TMetricsParams } from '@/components/metrics/queries'
import type { TBreakdownFilters, TPeriod } from '@/lib/metrics/breakdown'

/** The metrics API's default row limit: a daily series that reaches it was cut short. */
const API_ROW_LIMIT = 10_000

/**
 * The three queries a breakdown page needs, grouped by `groupBy` under the same
 * filters: the current period, the previous one, and the current one per day.
 */
export function useBreakdownMetrics(
  org: string,
  groupBy: 'workflow_id' | 'feature' | 'account_id',
  filters: TBreakdownFilters,
  periods: { current: TPeriod; previous: TPeriod },
  /** past this many keys, the daily series (sparklines) is fetched for the top ones by spend only (a page of 200 accounts × 90 days passed the API's row limit) */
  sparklineLimit?: number,
) {
  const base: TMetricsParams = { ...periods.current, environment: filters.environment, traffic_source: filters.traffic_source, group_by: groupBy }
  const current = useMetrics(org, { ...base, granularity: 'none' })
  // the previous period and the daily series feed the change and the sparklines: spend (and runs and unpriced calls
  // per day, for the features' cost per action) only, which spares them the outcomes read and most sums
  const previous = useMetrics(org, { ...base, ...periods.previous, granularity: 'none', measures: 'cost_usd' })
  // rows come largest spend first; a key that can't go in a comma list (none, or with a comma) gets no sparkline when limited
  const dailyKeys = useMemo(() => {
    const keys = current.data?.rows.map((r) => r[groupBy]) ?? null
    return sparklineLimit && keys && keys.length > sparklineLimit ? keys.filter((k): k is string => !!k && !k.includes(',')).slice(0, sparklineLimit) : null
  }, [current.data, groupBy, sparklineLimit])
  // the features' SLO compliance leaves out a day none of whose calls had a price (lib/metrics/views/features.ts)
  const measures = groupBy === 'feature' ? 'cost_usd,runs,unpriced_events' : 'cost_usd,runs'
  const daily = useMetrics(
    org,
    { ...base, granularity: 'day', measures, ...(dailyKeys ? { [groupBy]: dailyKeys.join(',') } : {}) },
    { enabled: !sparklineLimit || !!current.data },
  )
  return {
    current,
    previous,
    daily,
    dailyKeys,
    error: current.error ?? previous.error ?? daily.error,
    /** the daily series hit the row limit: sparklines may miss the latest days */
    truncated: (daily.data?.rows.length ?? 0) >= API_ROW_LIMIT,
  }
}
