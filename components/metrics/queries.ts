'use client'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as api from '@/lib/metrics/api'
import type { TQueryOf, TResponseOf } from '@/lib/http/endpoint'
import type { TMetricsRow } from '@/lib/metrics/schema'

/** GET /api/v1/metrics's query as the components send it (query-string values, from the declaration). */
export type TMetricsParams = TQueryOf<typeof api.metrics>
export type TStepMediansParams = TQueryOf<typeof api.stepMedians>

export const metricsQueries = {
  all: (org: string) => ['metrics', org] as const,
  list: (org: string, p: TMetricsParams) => [...metricsQueries.all(org), p] as const,
}

/** Empty filters are left out of the request (a page's "all environments" is ''). */
const given = <T extends object>(p: T): T => Object.fromEntries(Object.entries(p).filter(([, v]) => v != null && v !== '')) as T

/**
 * The answer's rows as the pages read them: every measure (ZMetricsRow). The wire
 * schema leaves measures optional because `measures=` narrows a row to events and
 * the measures asked for; a page reads only the measures it asks for.
 */
const everyMeasure = (a: TResponseOf<typeof api.metrics>) => a as { rows: TMetricsRow[] }

/** GET /api/v1/metrics, for a query key of the caller's own (useMetrics keys it under metricsQueries). */
export const fetchMetrics = async (org: string, p: TMetricsParams, signal?: AbortSignal) =>
  everyMeasure(await callApi(api.metrics, { org, query: given(p), signal }))

export function useMetrics(org: string, p: TMetricsParams, opts: { enabled?: boolean } = {}) {
  return useQuery({
    enabled: opts.enabled ?? true,
    queryKey: metricsQueries.list(org, p),
    queryFn: ({ signal }) => fetchMetrics(org, p, signal),
    refetchInterval: 15_000,
  })
}

/** GET /api/v1/metrics/step-medians: per workflow step, the median account's calls per run. */
export function useStepMedians(org: string, p: TStepMediansParams) {
  return useQuery({
    queryKey: [...metricsQueries.all(org), 'step-medians', p] as const,
    queryFn: ({ signal }) => callApi(api.stepMedians, { org, query: given(p), signal }),
    refetchInterval: 15_000,
  })
}

/** GET /api/v1/metrics/account-anomalies: every account × step the account page flags (the Accounts list's Flags column). */
export function useAccountAnomalies(org: string, p: TStepMediansParams) {
  return useQuery({
    queryKey: [...metricsQueries.all(org), 'account-anomalies', p] as const,
    queryFn: ({ signal }) => callApi(api.accountAnomalies, { org, query: given(p), signal }),
    refetchInterval: 15_000,
  })
}
