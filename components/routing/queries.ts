'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import { fetchMetrics } from '@/components/metrics/queries'
import * as api from '@/lib/routing/api'
import type { TBodyOf, TResponseOf } from '@/lib/http/endpoint'
import type { TRoutingDefaults } from '@/lib/routing/schema'

export const routingQueries = {
  all: (org: string) => ['routing', org] as const,
  list: (org: string) => ['routing', org, 'list'] as const,
  one: (org: string, id: string) => ['routing', org, 'policy', id] as const,
  simulate: (org: string, id: string, days: number, candidate?: string) => ['routing', org, 'policy', id, 'simulate', days, candidate ?? null] as const,
  live: (org: string, id: string) => ['routing', org, 'policy', id, 'live'] as const,
  defaults: (org: string) => ['routing', org, 'defaults'] as const,
}

export function useRoutingDefaults(org: string) {
  return useQuery({ queryKey: routingQueries.defaults(org), queryFn: ({ signal }) => callApi(api.listRoutingDefaults, { org, signal }) })
}
export const useSaveRoutingDefaults = (org: string) => useRoutingMutation(org, (body: TRoutingDefaults) => callApi(api.putRoutingDefaults, { org, body }))

export function usePolicies(org: string) {
  return useQuery({ queryKey: routingQueries.list(org), queryFn: ({ signal }) => callApi(api.listPolicies, { org, signal }) })
}

export function usePolicy(org: string, id: string) {
  return useQuery({ queryKey: routingQueries.one(org, id), queryFn: ({ signal }) => callApi(api.getPolicy, { params: { id }, org, signal }) })
}

export type TSimulateAnswer = TResponseOf<typeof api.simulatePolicy>

/** The draft's evidence and simulation; `enabled` false until asked (it reads the rollups). `candidate`: a what-if model added to its candidates, unsaved. */
export function useSimulation(org: string, id: string, days: number, enabled: boolean, candidate?: string) {
  return useQuery({
    queryKey: routingQueries.simulate(org, id, days, candidate),
    queryFn: ({ signal }) => callApi(api.simulatePolicy, { params: { id }, query: { days, ...(candidate ? { candidate } : {}) }, org, signal }),
    enabled,
  })
}

/** The workflow steps the organization's data has (the last 90 days, every traffic source), most calls first: the editor's pickers. */
export function useSeenSteps(org: string) {
  return useQuery({
    queryKey: [...routingQueries.all(org), 'seen-steps'] as const,
    queryFn: async ({ signal }) => {
      const from = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 90 * 86_400_000).toISOString()
      const { rows } = await fetchMetrics(org, { from, granularity: 'none', group_by: 'workflow_id,step', measures: 'cost_usd' }, signal)
      return rows
        .filter((r) => r.workflow_id && r.step)
        .map((r) => ({ workflow_id: r.workflow_id!, step: r.step!, events: r.events }))
        .sort((a, b) => b.events - a.events || a.workflow_id.localeCompare(b.workflow_id) || a.step.localeCompare(b.step))
    },
    staleTime: 60_000,
  })
}

export function useStepTraffic(org: string, id: string, workflowId: string, step: string, from: string, to: string) {
  const p = { from, to, granularity: 'day', group_by: 'provider,model,outcome', workflow_id: workflowId, step, traffic_source: 'production' } as const
  return useQuery({
    // under the policy's key: publishing or rolling back refreshes it
    queryKey: [...routingQueries.live(org, id), from, to],
    queryFn: ({ signal }) => fetchMetrics(org, p, signal),
  })
}

function useRoutingMutation<B, R>(org: string, fn: (body: B) => Promise<R>) {
  const qc = useQueryClient()
  return useMutation({ mutationFn: fn, onSuccess: () => void qc.invalidateQueries({ queryKey: routingQueries.all(org) }) })
}

export const useCreatePolicy = (org: string) => useRoutingMutation(org, (body: TBodyOf<typeof api.createPolicy>) => callApi(api.createPolicy, { body, org }))
export const useSaveDraft = (org: string, id: string) =>
  useRoutingMutation(org, (body: TBodyOf<typeof api.editPolicy>) => callApi(api.editPolicy, { params: { id }, body, org }))
export const usePublish = (org: string, id: string) =>
  useRoutingMutation(org, (note: string) => callApi(api.publishPolicy, { params: { id }, body: { note }, org }))
export const useRollback = (org: string, id: string) =>
  useRoutingMutation(org, (body: TBodyOf<typeof api.rollbackPolicy>) => callApi(api.rollbackPolicy, { params: { id }, body, org }))
export const useWithdraw = (org: string, id: string) =>
  useRoutingMutation(org, (body: TBodyOf<typeof api.withdrawPolicy>) => callApi(api.withdrawPolicy, { params: { id }, body, org }))
export const useImportEvals = (org: string) =>
  // rows of an uploaded CSV as they are: the server validates them and says "evals.3.scores: …"
  useRoutingMutation(org, (evals: Record<string, unknown>[]) => callApi(api.importEvals, { body: { evals } as TBodyOf<typeof api.importEvals>, org }))
