'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { callApi, uploadFile } from '@/components/api'
import * as billsApi from '@/lib/bills/api'
import type { TQueryOf, TResponseOf } from '@/lib/http/endpoint'

export const billQueries = {
  all: (org: string) => ['bills', org] as const,
  imports: (org: string) => [...billQueries.all(org), 'imports'] as const,
  reconciliation: (org: string, q: TQueryOf<typeof billsApi.reconciliation>) => [...billQueries.all(org), 'reconciliation', q] as const,
}

export function useBillImports(org: string) {
  return useQuery({ queryKey: billQueries.imports(org), queryFn: ({ signal }) => callApi(billsApi.listBills, { org, signal }) })
}

export function useReconciliation(org: string, q: TQueryOf<typeof billsApi.reconciliation>) {
  return useQuery({ queryKey: billQueries.reconciliation(org, q), queryFn: ({ signal }) => callApi(billsApi.reconciliation, { org, query: q, signal }) })
}

export function useDeleteBill(org: string) {
  const qc = useQueryClient()
  return useMutation({
    mutationFn: (id: string) => callApi(billsApi.deleteBill, { org, params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: billQueries.all(org) }),
  })
}

export type TImportAnswer = TResponseOf<typeof billsApi.importBill>

/**
 * Upload a bill file as the request body. XMLHttpRequest, not fetch: only it reports upload progress
 * (a FOCUS export runs to hundreds of megabytes). onProgress gets the share sent, 0–1.
 */
export function uploadBill(org: string, file: File, source: string, onProgress: (share: number) => void): Promise<TImportAnswer> {
  const isJson = file.type === 'application/json' || /\.json$/i.test(file.name)
  return uploadFile(billsApi.importBill, { org, query: { source } }, file, isJson ? 'application/json' : 'text/csv', onProgress)
}
