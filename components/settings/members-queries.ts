'use client'
import { useQuery } from '@tanstack/react-query'
import { callApi, ApiError } from '@/components/api'
import * as api from '@/lib/members/api'

export const memberQueries = {
  members: (org: string) => ['members', org] as const,
  invitations: (org: string) => ['invitations', org] as const,
}

export function useMembers(org: string) {
  return useQuery({
    queryKey: memberQueries.members(org),
    queryFn: ({ signal }) => callApi(api.listMembers, { org, signal }),
  })
}

export function useInvitations(org: string, enabled: boolean) {
  return useQuery({
    queryKey: memberQueries.invitations(org),
    queryFn: ({ signal }) => callApi(api.listInvitations, { org, signal }),
    enabled,
  })
}

/** "field: reason" lines of an API error, by field. */
export function fieldError(error: unknown): (field: string) => string | undefined {
  const err = error instanceof ApiError ? error : null
  return (f) => err?.lines.find((l) => l.startsWith(`${f}:`))?.slice(f.length + 2)
}

export const roleLabel = (r: string) => r.replace('_', ' ')
export const ROLE_HINTS: Record<string, string> = {
  admin: 'everything, members and keys included',
  engineer: 'routing, prices, pools, budgets, keys',
  finance: 'budgets, forecasts, exports; reads everything',
  customer_success: 'accounts and workflows',
  viewer: 'reads',
}
