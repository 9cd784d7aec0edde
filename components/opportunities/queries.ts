'use client'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as api from '@/lib/opportunities/api'
import type { TQueryOf } from '@/lib/http/endpoint'

export const opportunitiesQueries = {
  all: (org: string) => ['opportunities', org] as const,
  list: (org: string, query: TQueryOf<typeof api.opportunities>) => [...opportunitiesQueries.all(org), query] as const,
}

/** GET /api/v1/opportunities for a range (and a workflow). */
export function useOpportunities(org: string, query: TQueryOf<typeof api.opportunities>) {
  return useQuery({
    queryKey: opportunitiesQueries.list(org, query),
    queryFn: ({ signal }) => callApi(api.opportunities, { org, query, signal }),
  })
}
