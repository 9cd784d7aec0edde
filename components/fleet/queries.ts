'use client'
import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query'
import { apiFetch, callApi, endpointUrl } from '@/components/api'
import * as gpuApi from '@/lib/gpu/api'
import * as scenariosApi from '@/lib/scenarios/api'
import type { TBodyOf, TResponseOf } from '@/lib/http/endpoint'

export const fleetQueries = {
  all: (org: string) => ['fleet', org] as const,
  summary: (org: string, days: number) => [...fleetQueries.all(org), 'summary', days] as const,
  pools: (org: string) => [...fleetQueries.all(org), 'pools'] as const,
}

export function useFleetSummary(org: string, days: number) {
  return useQuery({ queryKey: fleetQueries.summary(org, days), queryFn: ({ signal }) => callApi(gpuApi.fleetSummary, { org, query: { days }, signal }) })
}

export function usePools(org: string) {
  return useQuery({ queryKey: fleetQueries.pools(org), queryFn: ({ signal }) => callApi(gpuApi.listPools, { org, signal }) })
}

/**
 * A pool body as the forms build it: the fields as typed (a number field that is not a number is
 * sent as its text), so the API's "field: reason" lines say what is wrong, field by field.
 */
type TPoolFormBody = Record<string, unknown>

/** Create (no id) or change a pool; everything on the page is refetched after. */
export function useSavePool(org: string) {
  const qc = useQueryClient()
  return useMutation({
    /** id: PATCH that pool; byName: PATCH the pool named in body.name; neither: create. */
    mutationFn: ({ id, body, byName }: { id: string | null; body: TPoolFormBody; byName?: boolean }) =>
      id
        ? callApi(gpuApi.updatePool, { org, params: { id }, body: body as TBodyOf<typeof gpuApi.updatePool> })
        : byName
          ? callApi(gpuApi.updatePoolByName, { org, body: body as TBodyOf<typeof gpuApi.updatePoolByName> })
          : callApi(gpuApi.createPool, { org, body: body as TBodyOf<typeof gpuApi.createPool> }),
    onSuccess: () => qc.invalidateQueries({ queryKey: fleetQueries.all(org) }),
  })
}

/** nvidia-smi CSV for one pool: a raw body, so the declared endpoint's URL and answer type with a text/csv request. */
export function useUploadCsv(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: ({ pool, text, utcOffset }: { pool: string; text: string; utcOffset: string }) =>
      apiFetch<TResponseOf<typeof gpuApi.ingestSamples>>(endpointUrl(gpuApi.ingestSamples, { org, query: { pool, utc_offset: utcOffset || undefined } }), {
        method: gpuApi.ingestSamples.method,
        body: text,
        headers: { 'content-type': 'text/csv' },
      }),
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
