'use client'
import { useQuery } from '@tanstack/react-query'
import { apiFetch } from '@/components/api'
import type { TMetricsParams, TMetricsRow } from '@/lib/metrics/query'
import type { TStepMedian, TStepMediansParams } from '@/lib/metrics/step-medians'

export const metricsQueries = {
  all: (org: string) => ['metrics', org] as const,
  list: (org: string, p: TMetricsParams) => [...metricsQueries.all(org), p] as const,
}

const metricsUrl = (path: string, org: string, p: TMetricsParams | TStepMediansParams) => {
  const qs = new URLSearchParams({ org })
  for (const [k, v] of Object.entries(p)) if (v != null && v !== '') qs.set(k, String(v))
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
export function useStepMedians(org: string, p: TStepMediansParams) {
  return useQuery({
    queryKey: [...metricsQueries.all(org), 'step-medians', p] as const,
    queryFn: ({ signal }) => apiFetch<{ rows: TStepMedian[] }>(metricsUrl('/api/v1/metrics/step-medians', org, p), { signal }),
    refetchInterval: 15_000,
  })
}
