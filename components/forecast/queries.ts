'use client'
import { useQuery } from '@tanstack/react-query'
import { ApiError, callApi } from '@/components/api'
import * as api from '@/lib/forecast/api'
import type { TQueryOf } from '@/lib/http/endpoint'

/** The what-if parameters of GET /api/v1/forecast, as kept in the page's URL (text, validated by the server). */
export type TWhatIfParams = Partial<Record<Extract<keyof TQueryOf<typeof api.forecast>, 'growth_pct' | 'move_workflow_id' | 'move_step' | 'move_to'>, string>>

/** The forecast of a scope; with `whatIf`, the scenario too (disabled when it has no parameter). */
export function useForecast(org: string, scope: Pick<TQueryOf<typeof api.forecast>, 'workflow_id' | 'account_id'>, whatIf?: TWhatIfParams) {
  const active = !whatIf || Object.values(whatIf).some(Boolean)
  return useQuery({
    queryKey: ['forecast', org, scope, whatIf ?? null],
    enabled: active,
    retry: (n, e) => !(e instanceof ApiError && e.status < 500) && n < 2,
    queryFn: ({ signal }) => {
      // empty fields of the form are left out
      const query = Object.fromEntries(Object.entries({ ...scope, ...whatIf }).filter(([, v]) => v)) as TQueryOf<typeof api.forecast>
      return callApi(api.forecast, { org, query, signal })
    },
  })
}

export function useForecastSummary(org: string) {
  return useQuery({
    queryKey: ['forecast-summary', org],
    queryFn: ({ signal }) => callApi(api.forecastSummary, { org, signal }),
  })
}

export function useBudgetOutlook(org: string) {
  return useQuery({
    queryKey: ['forecast-budgets', org],
    queryFn: ({ signal }) => callApi(api.forecastBudgets, { org, signal }),
  })
}
