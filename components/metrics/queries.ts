'use client'
import { useMetrics, type TMetricsParams } from '@/components/overview/queries'
import type { TBreakdownFilters, TPeriod } from '@/lib/metrics/breakdown'

/** The metrics API's default row limit: a daily series that reaches it was cut short. */
const API_ROW_LIMIT = 10_000

/**
 * The three queries a breakdown page needs, grouped by `groupBy` under the same
 * filters: the current period, the previous one, and the current one per day.
 */
export function useBreakdownMetrics(org: string, groupBy: string, filters: TBreakdownFilters, periods: { current: TPeriod; previous: TPeriod }) {
  const base: TMetricsParams = { ...periods.current, environment: filters.environment, traffic_source: filters.traffic_source, group_by: groupBy }
  const current = useMetrics(org, { ...base, granularity: 'none' })
  const previous = useMetrics(org, { ...base, ...periods.previous, granularity: 'none' })
  const daily = useMetrics(org, { ...base, granularity: 'day' })
  return {
    current, previous, daily,
    error: current.error ?? previous.error ?? daily.error,
    /** the daily series hit the row limit: sparklines may miss the latest days */
    truncated: (daily.data?.rows.length ?? 0) >= API_ROW_LIMIT,
  }
}
