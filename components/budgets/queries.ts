'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { callApi } from '@/components/api'
import * as alertsApi from '@/lib/alerts/api'
import * as budgetsApi from '@/lib/budgets/api'
import type { TBodyOf } from '@/lib/http/endpoint'

export const budgetQueries = {
  list: (org: string) => ['budgets', org] as const,
  history: (org: string, id: string) => ['budgets', org, id, 'history'] as const,
}

export function useBudgets(org: string) {
  return useQuery({
    queryKey: budgetQueries.list(org),
    queryFn: ({ signal }) => callApi(budgetsApi.listBudgets, { org, signal }),
    refetchInterval: 15_000,
  })
}

export function useBudgetHistory(org: string, id: string) {
  return useQuery({
    queryKey: budgetQueries.history(org, id),
    queryFn: ({ signal }) => callApi(budgetsApi.budgetHistory, { org, params: { id }, signal }),
    refetchInterval: 15_000,
  })
}

export function useCreateBudget(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: TBodyOf<typeof budgetsApi.createBudget>) => callApi(budgetsApi.createBudget, { org, body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: budgetQueries.list(org) }),
  })
}

export function useUpdateBudget(org: string, id: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (body: TBodyOf<typeof budgetsApi.updateBudget>) => callApi(budgetsApi.updateBudget, { org, params: { id }, body }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['budgets', org] }),
  })
}

export function useDeleteBudget(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => callApi(budgetsApi.deleteBudget, { org, params: { id } }),
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
