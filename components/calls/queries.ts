'use client'
import { useInfiniteQuery, useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as api from '@/lib/calls/api'
import type { TQueryOf } from '@/lib/http/endpoint'

export const callsQueries = {
  all: (org: string) => ['calls', org] as const,
  list: (org: string, query: Record<string, string>) => [...callsQueries.all(org), 'list', query] as const,
  run: (org: string, runId: string) => [...callsQueries.all(org), 'run', runId] as const,
}

/** GET /api/v1/calls a page at a time: "load more" fetches the page after the last one's next_cursor. */
export function useCalls(org: string, query: Record<string, string>) {
  return useInfiniteQuery({
    queryKey: callsQueries.list(org, query),
    initialPageParam: null as string | null,
    queryFn: ({ pageParam, signal }) =>
      callApi(api.listCalls, { org, signal, query: { ...query, ...(pageParam ? { cursor: pageParam } : {}) } as TQueryOf<typeof api.listCalls> }),
    getNextPageParam: (last) => last.next_cursor,
  })
}

export function useRun(org: string, runId: string) {
  return useQuery({ queryKey: callsQueries.run(org, runId), queryFn: ({ signal }) => callApi(api.getRun, { org, signal, params: { run_id: runId } }) })
}
