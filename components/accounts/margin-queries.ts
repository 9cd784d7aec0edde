'use client'
import { useQuery } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as api from '@/lib/accounts/api'

export const marginQueries = {
  all: (org: string) => ['accounts-margin', org] as const,
  range: (org: string, from: string, to: string, account?: string) => [...marginQueries.all(org), from, to, account ?? null] as const,
}

/** GET /api/v1/accounts/margin over the whole months of [from, to) (days), for one account or all. */
export function useAccountMargin(org: string, range: { from: string; to: string }, account?: string) {
  return useQuery({
    queryKey: marginQueries.range(org, range.from, range.to, account),
    queryFn: ({ signal }) => callApi(api.accountMargin, { org, query: { ...range, ...(account ? { account_id: account } : {}) }, signal }),
  })
}
