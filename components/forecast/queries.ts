'use client'
import { useQuery } from '@tanstack/react-query'
import { ApiError, apiFetch } from '@/components/api'
import type { TBudgetOutlook, TForecast, TForecastSummaryRow } from '@/lib/forecast'

/** The what-if parameters of GET /api/v1/forecast, as kept in the page's URL. */
export type TWhatIfParams = { growth_pct?: string; move_workflow_id?: string; move_step?: string; move_to?: string }

/** The forecast of a scope; with `whatIf`, the scenario too (disabled when it has no parameter). */
export function useForecast(org: string, scope: { workflow_id?: string; account_id?: string }, whatIf?: TWhatIfParams) {
  const active = !whatIf || Object.values(whatIf).some(Boolean)
  return useQuery({
    queryKey: ['forecast', org, scope, whatIf ?? null],
    enabled: active,
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
    queryFn: ({ signal }) => {
      const qs = new URLSearchParams({ org })
      for (const [k, v] of Object.entries({ ...scope, ...whatIf })) if (v) qs.set(k, v)
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
