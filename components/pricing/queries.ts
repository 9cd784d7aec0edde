'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { useEffect, useRef } from 'react'
import { callApi } from '@/components/api'
import * as api from '@/lib/prices/api'
import type { TBodyOf } from '@/lib/http/endpoint'
import type { TRepriceJobView } from '@/lib/prices/schema'

export const pricingQueries = {
  all: (org: string) => ['pricing', org] as const,
  prices: (org: string) => [...pricingQueries.all(org), 'prices'] as const,
  unpriced: (org: string) => [...pricingQueries.all(org), 'unpriced'] as const,
  jobs: (org: string) => [...pricingQueries.all(org), 'jobs'] as const,
  discrepancies: (org: string) => [...pricingQueries.all(org), 'discrepancies'] as const,
  catalog: (org: string, q: string) => [...pricingQueries.all(org), 'catalog', q] as const,
}

export function useOrgPrices(org: string) {
  return useQuery({ queryKey: pricingQueries.prices(org), queryFn: ({ signal }) => callApi(api.listPrices, { org, signal }) })
}
export function useUnpriced(org: string) {
  return useQuery({ queryKey: pricingQueries.unpriced(org), queryFn: ({ signal }) => callApi(api.listUnpriced, { org, signal }) })
}
export function useRepriceJobs(org: string) {
  const qc = useQueryClient()
  const wasActive = useRef(false)
  const q = useQuery({
    queryKey: pricingQueries.jobs(org),
    queryFn: ({ signal }) => callApi(api.listRepriceJobs, { org, signal }),
    // Poll while something is re-pricing, so progress moves on screen.
    refetchInterval: (query) => (isActive(query.state.data?.jobs) ? 1000 : false),
  })
  // When re-pricing finishes, what it changed (unpriced list, spend) is stale: refetch it.
  const active = isActive(q.data?.jobs)
  useEffect(() => {
    if (wasActive.current && !active) {
      void qc.invalidateQueries({ queryKey: pricingQueries.unpriced(org) })
      void qc.invalidateQueries({ queryKey: pricingQueries.discrepancies(org) })
      void qc.invalidateQueries({ queryKey: ['metrics', org] })
    }
    wasActive.current = active
  }, [active, org, qc])
  return q
}

const isActive = (jobs: TRepriceJobView[] | undefined) => !!jobs?.some((j) => j.status === 'queued' || j.status === 'running')
export function useDiscrepancies(org: string) {
  return useQuery({ queryKey: pricingQueries.discrepancies(org), queryFn: ({ signal }) => callApi(api.listDiscrepancies, { org, signal }) })
}
export function useCatalog(org: string, search: string) {
  return useQuery({
    queryKey: pricingQueries.catalog(org, search),
    queryFn: ({ signal }) => callApi(api.searchCatalog, { query: { q: search }, org, signal }),
    placeholderData: (prev) => prev,
  })
}

export function usePutPrices(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: TBodyOf<typeof api.putPrices>) => callApi(api.putPrices, { body, org }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: pricingQueries.all(org) })
      void qc.invalidateQueries({ queryKey: ['metrics', org] })
    },
  })
}

/** The catalog's entry for exactly this provider and model (the form asks about its long-context tiers), if any. */
export function useCatalogEntry(org: string, provider: string, model: string) {
  const p = provider.trim().toLowerCase()
  const m = model.trim().toLowerCase()
  const q = useQuery({
    queryKey: pricingQueries.catalog(org, `${p} ${m}`),
    queryFn: ({ signal }) => callApi(api.searchCatalog, { query: { q: `${p} ${m}` }, org, signal }),
    enabled: !!p && !!m,
    staleTime: 60_000,
  })
  return q.data?.models.find((e) => e.provider === p && e.model === m) ?? null
}
