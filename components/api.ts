'use client'
import type { TErrorBody } from '@/lib/errors'
import { fillPath, type TBodyOf, type TEndpointSpec, type TParamsOf, type TQueryOf, type TResponseOf } from '@/lib/http/endpoint'

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    public lines: string[] = [],
  ) {
    super(message)
  }
}

/** fetch for our JSON API: throws ApiError with the server's message and "field: reason" lines. */
export async function apiFetch<T>(path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(path, { ...init, headers: { ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers } })
  if (res.status === 204) return undefined as T
  const data = (await res.json().catch(() => null)) as (T & Partial<TErrorBody>) | null
  if (!res.ok) {
    const details = data?.error?.details as { errors?: string[] } | undefined
    throw new ApiError(res.status, data?.error?.message ?? `Request failed (${res.status})`, details?.errors ?? [])
  }
  return data as T
}

/** The URL of a declared endpoint: its path filled with `params`, then `query` (undefined values left out) and the organization. */
export function endpointUrl<E extends TEndpointSpec>(ep: E, input: { params?: TParamsOf<E>; query?: TQueryOf<E>; org?: string }): string {
  const qs = new URLSearchParams()
  if (input.org) qs.set('org', input.org)
  for (const [k, v] of Object.entries((input.query ?? {}) as Record<string, unknown>)) {
    if (v === undefined || v === null) continue
    qs.set(k, Array.isArray(v) ? v.join(',') : v instanceof Date ? v.toISOString() : String(v))
  }
  const path = fillPath(ep.path, (input.params ?? {}) as Record<string, string>)
  const s = qs.toString()
  return s ? `${path}?${s}` : path
}

/**
 * Call a declared endpoint (lib/<capability>/api.ts) from a component: the
 * request and the answer are typed from the same schemas the server validates
 * with, so no request or answer type is written twice.
 */
export function callApi<E extends TEndpointSpec>(
  ep: E,
  input: { params?: TParamsOf<E>; query?: TQueryOf<E>; body?: TBodyOf<E>; org?: string; signal?: AbortSignal },
): Promise<TResponseOf<E>> {
  return apiFetch<TResponseOf<E>>(endpointUrl(ep, input), {
    method: ep.method,
    signal: input.signal,
    ...(input.body !== undefined ? { body: JSON.stringify(input.body) } : {}),
  })
}

/**
 * Send a file as the body of a declared endpoint. XMLHttpRequest, not fetch: only it reports upload progress
 * (a FOCUS export runs to hundreds of megabytes). onProgress gets the share sent, 0–1. Errors as apiFetch's.
 */
export function uploadFile<E extends TEndpointSpec>(
  ep: E,
  input: { params?: TParamsOf<E>; query?: TQueryOf<E>; org?: string },
  file: Blob,
  contentType: string,
  onProgress: (share: number) => void = () => {},
): Promise<TResponseOf<E>> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open(ep.method, endpointUrl(ep, input))
    xhr.setRequestHeader('content-type', contentType)
    xhr.responseType = 'json'
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total)
    xhr.onload = () => {
      const body = xhr.response as (TResponseOf<E> & Partial<TErrorBody>) | null
      if (xhr.status >= 200 && xhr.status < 300 && body) return resolve(body)
      const details = body?.error?.details as { errors?: string[] } | undefined
      reject(new ApiError(xhr.status, body?.error?.message ?? `Upload failed (${xhr.status})`, details?.errors ?? []))
    }
    xhr.onerror = () => reject(new ApiError(0, 'The upload failed: the connection was lost'))
    xhr.send(file)
  })
}
