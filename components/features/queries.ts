'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { apiFetch } from '@/components/api'
import type { TFeatureSlosPut, TFeatureSlosResponse } from '@/lib/slos/schema'

export const sloQueries = {
  all: (org: string) => ['feature-slos', org] as const,
  list: (org: string) => [...sloQueries.all(org), 'list'] as const,
}

const path = (org: string, extra = '') => `/api/v1/feature-slos?org=${encodeURIComponent(org)}${extra}`

export function useFeatureSlos(org: string) {
  return useQuery({ queryKey: sloQueries.list(org), queryFn: ({ signal }) => apiFetch<TFeatureSlosResponse>(path(org), { signal }) })
}

/** PUT one or more targets; the answer is the full list, written straight into the cache. */
export function usePutFeatureSlos(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: TFeatureSlosPut) => apiFetch<TFeatureSlosResponse>(path(org), { method: 'PUT', body: JSON.stringify(body) }),
    onSuccess: (data) => qc.setQueryData(sloQueries.list(org), data),
  })
}

export function useDeleteFeatureSlo(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (feature: string) => apiFetch<TFeatureSlosResponse>(path(org, `&feature=${encodeURIComponent(feature)}`), { method: 'DELETE' }),
    onSuccess: (data) => qc.setQueryData(sloQueries.list(org), data),
  })
}
