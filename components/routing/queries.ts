'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { apiFetch } from '@/components/api'
import type { TEvidence, TPolicyDetail, TPolicyView, TVersionStatus } from '@/lib/routing/policies'
import type { TSimulation } from '@/lib/routing/simulate'
import type { TMetricsRow } from '@/lib/metrics/query'
import type { TRoutingDefaults } from '@/lib/routing/schema'

const q = (org: string) => `org=${encodeURIComponent(org)}`

export const routingQueries = {
  all: (org: string) => ['routing', org] as const,
  list: (org: string) => ['routing', org, 'list'] as const,
  one: (org: string, id: string) => ['routing', org, 'policy', id] as const,
  simulate: (org: string, id: string, days: number) => ['routing', org, 'policy', id, 'simulate', days] as const,
  live: (org: string, id: string) => ['routing', org, 'policy', id, 'live'] as const,
  defaults: (org: string) => ['routing', org, 'defaults'] as const,
}

export function useRoutingDefaults(org: string) {
  return useQuery({ queryKey: routingQueries.defaults(org), queryFn: ({ signal }) => apiFetch<TRoutingDefaults>(`/api/v1/routing-defaults?${q(org)}`, { signal }) })
}
export const useSaveRoutingDefaults = (org: string) =>
  useRoutingMutation(org, (body: TRoutingDefaults) => apiFetch<TRoutingDefaults>(`/api/v1/routing-defaults?${q(org)}`, { method: 'PUT', body: JSON.stringify(body) }))

export function usePolicies(org: string) {
  return useQuery({ queryKey: routingQueries.list(org), queryFn: ({ signal }) => apiFetch<{ policies: TPolicyView[] }>(`/api/v1/policies?${q(org)}`, { signal }) })
}

export function usePolicy(org: string, id: string) {
  return useQuery({ queryKey: routingQueries.one(org, id), queryFn: ({ signal }) => apiFetch<{ policy: TPolicyDetail }>(`/api/v1/policies/${id}?${q(org)}`, { signal }) })
}

export type TSimulateAnswer = { version: number; status: TVersionStatus; evidence: TEvidence; simulation: TSimulation }

/** The draft's evidence and simulation; `enabled` false until asked (it reads the rollups). */
export function useSimulation(org: string, id: string, days: number, enabled: boolean) {
  return useQuery({
    queryKey: routingQueries.simulate(org, id, days),
    queryFn: ({ signal }) => apiFetch<TSimulateAnswer>(`/api/v1/policies/${id}/simulate?${q(org)}&days=${days}`, { signal }),
    enabled,
  })
}

export function useStepTraffic(org: string, id: string, workflowId: string, step: string, from: string, to: string) {
  const params = new URLSearchParams({ org, from, to, granularity: 'day', group_by: 'provider,model,outcome', workflow_id: workflowId, step, traffic_source: 'production' })
  return useQuery({ queryKey: [...routingQueries.live(org, id), from, to], queryFn: ({ signal }) => apiFetch<{ rows: TMetricsRow[] }>(`/api/v1/metrics?${params}`, { signal }) })
}

function useRoutingMutation<B, R>(org: string, fn: (body: B) => Promise<R>) {
  const qc = useQueryClient()
  return useMutation({ mutationFn: fn, onSuccess: () => void qc.invalidateQueries({ queryKey: routingQueries.all(org) }) })
}

export const useCreatePolicy = (org: string) =>
  useRoutingMutation(org, (body: Record<string, unknown>) => apiFetch<{ policy: TPolicyDetail }>(`/api/v1/policies?${q(org)}`, { method: 'POST', body: JSON.stringify(body) }))
export const useSaveDraft = (org: string, id: string) =>
  useRoutingMutation(org, (body: Record<string, unknown>) => apiFetch<{ policy: TPolicyDetail }>(`/api/v1/policies/${id}?${q(org)}`, { method: 'PATCH', body: JSON.stringify(body) }))
export const usePublish = (org: string, id: string) =>
  useRoutingMutation(org, (note: string) => apiFetch<{ policy: TPolicyDetail }>(`/api/v1/policies/${id}/publish?${q(org)}`, { method: 'POST', body: JSON.stringify({ note }) }))
export const useRollback = (org: string, id: string) =>
  useRoutingMutation(org, (b: { version: number; note: string }) => apiFetch<{ policy: TPolicyDetail }>(`/api/v1/policies/${id}/rollback?${q(org)}`, { method: 'POST', body: JSON.stringify(b) }))
export const useImportEvals = (org: string) =>
  useRoutingMutation(org, (evals: Record<string, unknown>[]) => apiFetch<{ imported: number; cost_events: { accepted: number } }>(`/api/v1/evals?${q(org)}`, { method: 'POST', body: JSON.stringify({ evals }) }))
