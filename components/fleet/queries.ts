'use client'
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query'
import { apiFetch, callApi } from '@/components/api'
import * as scenariosApi from '@/lib/scenarios/api'
import type { TBodyOf } from '@/lib/http/endpoint'
import type { TFleetSummary } from '@/lib/gpu/summary'
import type { TPoolView, TSamplesAnswer } from '@/lib/gpu/schema'

export const fleetQueries = {
  all: (org: string) => ['fleet', org] as const,
  summary: (org: string, days: number) => [...fleetQueries.all(org), 'summary', days] as const,
  pools: (org: string) => [...fleetQueries.all(org), 'pools'] as const,
}

const q = (org: string) => `org=${encodeURIComponent(org)}`

export function useFleetSummary(org: string, days: number) {
  return useQuery({
    queryKey: fleetQueries.summary(org, days),
    queryFn: ({ signal }) => apiFetch<TFleetSummary>(`/api/v1/gpu/fleet?${q(org)}&days=${days}`, { signal }),
  })
}

export function usePools(org: string) {
  return useQuery({ queryKey: fleetQueries.pools(org), queryFn: ({ signal }) => apiFetch<{ pools: TPoolView[] }>(`/api/v1/gpu/pools?${q(org)}`, { signal }) })
}

/** Create (no id) or change a pool; everything on the page is refetched after. */
export function useSavePool(org: string) {
  const qc = useQueryClient()
  return useMutation({
    /** id: PATCH that pool; byName: PATCH the pool named in body.name; neither: create. */
    mutationFn: ({ id, body, byName }: { id: string | null; body: Record<string, unknown>; byName?: boolean }) =>
      apiFetch<{ pool: TPoolView }>(id ? `/api/v1/gpu/pools/${id}?${q(org)}` : `/api/v1/gpu/pools?${q(org)}`, {
        method: id || byName ? 'PATCH' : 'POST',
        body: JSON.stringify(body),
      }),
    onSuccess: () => qc.invalidateQueries({ queryKey: fleetQueries.all(org) }),
  })
}

export function useUploadCsv(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ pool, text, utcOffset }: { pool: string; text: string; utcOffset: string }) =>
      apiFetch<TSamplesAnswer>(
        `/api/v1/gpu/samples?${q(org)}&pool=${encodeURIComponent(pool)}${utcOffset ? `&utc_offset=${encodeURIComponent(utcOffset)}` : ''}`,
        {
          method: 'POST',
          body: text,
          headers: { 'content-type': 'text/csv' },
        },
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: fleetQueries.all(org) }),
  })
}

export function useScenarioCost(org: string, month: string | null) {
  return useQuery({
    queryKey: [...fleetQueries.all(org), 'scenarios', month],
    queryFn: ({ signal }) => callApi(scenariosApi.scenarioCost, { org, query: { month: month ?? undefined }, signal }),
  })
}

export function useAddLineItem(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: TBodyOf<typeof scenariosApi.createLineItem>) => callApi(scenariosApi.createLineItem, { org, body }),
    onSuccess: () => qc.invalidateQueries({ queryKey: fleetQueries.all(org) }),
  })
}

export function useDeleteLineItem(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => callApi(scenariosApi.deleteLineItem, { org, params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: fleetQueries.all(org) }),
  })
}

/** Several months of scenario cost side by side (one request per month, cached like the single month's). */
export function useScenarioCostMonths(org: string, months: string[]) {
  return useQueries({
    queries: months.map((m) => ({
      queryKey: [...fleetQueries.all(org), 'scenarios', m],
      queryFn: ({ signal }: { signal: AbortSignal }) => callApi(scenariosApi.scenarioCost, { org, query: { month: m }, signal }),
    })),
  })
}
