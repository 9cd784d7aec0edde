'use client'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as api from '@/lib/changes/api'
import { changesApiQuery, type TChangesView } from '@/lib/changes/view'

export const changesQueries = {
  all: (org: string) => ['changes', org] as const,
  compare: (org: string, apiQuery: ReturnType<typeof changesApiQuery>) => [...changesQueries.all(org), apiQuery] as const,
}

/** GET /api/v1/changes for the view's periods, scope and filters. */
export function useChanges(org: string, view: TChangesView) {
  const query = changesApiQuery(view)
  return useQuery({
    queryKey: changesQueries.compare(org, query),
    queryFn: ({ signal }) => callApi(api.changes, { org, query, signal }),
  })
}
