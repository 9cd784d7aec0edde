'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as api from '@/lib/slos/api'
import type { TBodyOf } from '@/lib/http/endpoint'

export const sloQueries = {
  all: (org: string) => ['feature-slos', org] as const,
  list: (org: string) => [...sloQueries.all(org), 'list'] as const,
}

export function useFeatureSlos(org: string) {
  return useQuery({ queryKey: sloQueries.list(org), queryFn: ({ signal }) => callApi(api.listFeatureSlos, { org, signal }) })
}

/** PUT one or more targets; the answer is the full list, written straight into the cache. */
export function usePutFeatureSlos(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: TBodyOf<typeof api.putFeatureSlos>) => callApi(api.putFeatureSlos, { org, body }),
    onSuccess: (data) => qc.setQueryData(sloQueries.list(org), data),
  })
}

export function useDeleteFeatureSlo(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (feature: string) => callApi(api.deleteFeatureSlo, { org, query: { feature } }),
    onSuccess: (data) => qc.setQueryData(sloQueries.list(org), data),
  })
}
