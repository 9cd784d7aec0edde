'use client'
import { useQuery } from '@tanstack/react-query'
import { apiFetch } from '@/components/api'
import type { TMetricsRow } from '@/lib/metrics/query'
import type { TStepMedian } from '@/lib/metrics/step-medians'

export type TMetricsParams = {
  from: string
  to: string
  group_by?: string
  granularity?: 'hour' | 'day' | 'none'
  environment?: string
  traffic_source?: string
  /** comma list, e.g. "retry,error" */
  outcome?: string
  workflow_id?: string
  account_id?: string
  feature?: string
  /** 'true': p50/p95/p99 latency per row */
  latency_quantiles?: 'true'
  /** comma list: only these measures (events always); lets the read use a narrower rollup table */
  measures?: string
}

export const metricsQueries = {
  all: (org: string) => ['metrics', org] as const,
  list: (org: string, p: TMetricsParams) => [...metricsQueries.all(org), p] as const,
}

const metricsUrl = (path: string, org: string, p: Partial<TMetricsParams>) => {
  const qs = new URLSearchParams({ org })
  for (const [k, v] of Object.entries(p)) if (v) qs.set(k, v)
  return `${path}?${qs}`
}

export function useMetrics(org: string, p: TMetricsParams, opts: { enabled?: boolean } = {}) {
  return useQuery({
    enabled: opts.enabled ?? true,
    queryKey: metricsQueries.list(org, p),
    queryFn: ({ signal }) => apiFetch<{ rows: TMetricsRow[] }>(metricsUrl('/api/v1/metrics', org, p), { signal }),
    refetchInterval: 15_000,
  })
}

/** GET /api/v1/metrics/step-medians: per workflow step, the median account's calls per run. */
export function useStepMedians(org: string, p: Pick<TMetricsParams, 'from' | 'to' | 'environment' | 'traffic_source' | 'workflow_id'>) {
  return useQuery({
    queryKey: [...metricsQueries.all(org), 'step-medians', p] as const,
    queryFn: ({ signal }) => apiFetch<{ rows: TStepMedian[] }>(metricsUrl('/api/v1/metrics/step-medians', org, p), { signal }),
    refetchInterval: 15_000,
  })
}
