'use client'
import { useQuery } from '@tanstack/react-query'
import { apiFetch } from '@/components/api'
import { changesApiQuery, type TChangesView } from '@/lib/changes/view'
import type { TChangesResponse } from '@/lib/changes/query'

export const changesQueries = {
  all: (org: string) => ['changes', org] as const,
  compare: (org: string, apiQuery: string) => [...changesQueries.all(org), apiQuery] as const,
}

/** GET /api/v1/changes for the view's periods, scope and filters. */
export function useChanges(org: string, view: TChangesView) {
  const q = changesApiQuery(view)
  return useQuery({
    queryKey: changesQueries.compare(org, q),
    queryFn: ({ signal }) => apiFetch<TChangesResponse>(`/api/v1/changes?org=${encodeURIComponent(org)}&${q}`, { signal }),
  })
}
