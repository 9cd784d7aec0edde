'use client'
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query'
import { ApiError, callApi, endpointUrl } from '@/components/api'
import * as billsApi from '@/lib/bills/api'
import type { TQueryOf, TResponseOf } from '@/lib/http/endpoint'
import type { TErrorBody } from '@/lib/errors'

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
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', endpointUrl(billsApi.importBill, { org, query: { source } }))
    xhr.setRequestHeader('content-type', isJson ? 'application/json' : 'text/csv')
    xhr.responseType = 'json'
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onload = () => {
      const body = xhr.response as (TImportAnswer & Partial<TErrorBody>) | null
      if (xhr.status >= 200 && xhr.status < 300 && body) return resolve(body)
      const details = body?.error?.details as { errors?: string[] } | undefined
      reject(new ApiError(xhr.status, body?.error?.message ?? `Upload failed (${xhr.status})`, details?.errors ?? []))
    }
    xhr.onerror = () => reject(new ApiError(0, 'The upload failed: the connection was lost'))
    xhr.send(file)
  })
}
