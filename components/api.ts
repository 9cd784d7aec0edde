'use client'
import type { TErrorBody } from '@/lib/errors'

export class ApiError extends Error {
  constructor(public status: number, message: string, public lines: string[] = []) {
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
