'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { apiFetch, callApi } from '@/components/api'
import * as alertsApi from '@/lib/alerts/api'
import type { TBudgetHistory, TBudgetView } from '@/lib/budgets'

export const budgetQueries = {
  list: (org: string) => ['budgets', org] as const,
  history: (org: string, id: string) => ['budgets', org, id, 'history'] as const,
}

export function useBudgets(org: string) {
  return useQuery({
    queryKey: budgetQueries.list(org),
    queryFn: ({ signal }) => apiFetch<{ budgets: TBudgetView[] }>(`/api/v1/budgets?org=${encodeURIComponent(org)}`, { signal }),
    refetchInterval: 15_000,
  })
}

export function useBudgetHistory(org: string, id: string) {
  return useQuery({
    queryKey: budgetQueries.history(org, id),
    queryFn: ({ signal }) => apiFetch<TBudgetHistory>(`/api/v1/budgets/${encodeURIComponent(id)}/history?org=${encodeURIComponent(org)}`, { signal }),
    refetchInterval: 15_000,
  })
}

export function useCreateBudget(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      apiFetch<{ budget: TBudgetView }>(`/api/v1/budgets?org=${encodeURIComponent(org)}`, { method: 'POST', body: JSON.stringify(body) }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: budgetQueries.list(org) }),
  })
}

export function useUpdateBudget(org: string, id: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      apiFetch<{ budget: TBudgetView }>(`/api/v1/budgets/${id}?org=${encodeURIComponent(org)}`, { method: 'PATCH', body: JSON.stringify(body) }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['budgets', org] }),
  })
}

export function useDeleteBudget(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/v1/budgets/${id}?org=${encodeURIComponent(org)}`, { method: 'DELETE' }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: budgetQueries.list(org) }),
  })
}

export const alertQueries = { list: (org: string) => ['alerts', org] as const }

export function useAlerts(org: string) {
  return useQuery({
    queryKey: alertQueries.list(org),
    queryFn: ({ signal }) => callApi(alertsApi.listAlerts, { org, query: { kind: 'budget' }, signal }),
    refetchInterval: 15_000,
  })
}

export function useAckAlert(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => callApi(alertsApi.acknowledgeAlert, { org, params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: alertQueries.list(org) }),
  })
}
