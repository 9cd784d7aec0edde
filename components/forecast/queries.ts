'use client'
import { useQuery } from '@tanstack/react-query'
import { apiFetch } from '@/components/api'
import type { TBudgetOutlook, TForecast, TForecastSummaryRow } from '@/lib/forecast'

export function useForecast(org: string, scope: { workflow_id?: string; account_id?: string }) {
  return useQuery({
    queryKey: ['forecast', org, scope],
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ org })
      if (scope.workflow_id) qs.set('workflow_id', scope.workflow_id)
      if (scope.account_id) qs.set('account_id', scope.account_id)
      return apiFetch<TForecast>(`/api/v1/forecast?${qs}`, { signal })
    },
  })
}

export function useForecastSummary(org: string) {
  return useQuery({
    queryKey: ['forecast-summary', org],
    queryFn: ({ signal }) => apiFetch<{ rows: TForecastSummaryRow[] }>(`/api/v1/forecast/summary?org=${encodeURIComponent(org)}`, { signal }),
  })
}

export function useBudgetOutlook(org: string) {
  return useQuery({
    queryKey: ['forecast-budgets', org],
    queryFn: ({ signal }) => apiFetch<{ budgets: TBudgetOutlook[] }>(`/api/v1/forecast/budgets?org=${encodeURIComponent(org)}`, { signal }),
  })
}
