'use client'
import { useQuery } from '@tanstack/react-query'
import { fetchMetrics, metricsQueries } from '@/components/metrics/queries'
import { orgSeriesColors } from '@/components/charts/theme'
import { DAY_MS, HOUR_MS } from '@/lib/domain'
import { modelName } from '@/lib/metrics/views/workflow-detail'

// A workflow (a model, a feature, an account) has one colour on every page (issue 21): its colour is chosen among
// the organization's whole set of names of that dimension, not among the names a chart happens to draw.

/** The dimensions whose names colour series: a model is named "provider/model" (modelName). */
export type TColorDimension = 'workflow_id' | 'model' | 'feature' | 'account_id'

/** How far back the names are read: longer than any range the picker offers. */
const NAMES_DAYS = 400

/** The organization's names of a dimension (those with calls in the last 400 days), read once and kept for 10 minutes. */
export function useOrgNames(org: string, dimension: TColorDimension): string[] | undefined {
  const q = useQuery({
    queryKey: [...metricsQueries.all(org), 'names', dimension] as const,
    queryFn: async ({ signal }) => {
      const from = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS - NAMES_DAYS * DAY_MS).toISOString()
      const group_by = dimension === 'model' ? 'provider,model' : dimension
      const { rows } = await fetchMetrics(org, { from, granularity: 'none', group_by, measures: 'cost_usd' }, signal)
      const names = rows.filter((r) => r.events > 0).map((r) => (dimension === 'model' ? (r.model ? modelName(r) : null) : r[dimension]))
      return [...new Set(names.filter((n): n is string => n != null))].sort()
    },
    staleTime: 10 * 60_000,
  })
  return q.data
}

/** The colours of a chart's series keyed by names of a dimension: the same for a name on every page (theme.ts orgSeriesColors). */
export function useSeriesColors(org: string, dimension: TColorDimension, keys: readonly string[]): Record<string, string> {
  return orgSeriesColors(useOrgNames(org, dimension), keys)
}
