'use client'
import { Alert } from '@/components/ui'
import { ApiError } from '@/components/api'

/** An API error as an alert: the server's message, then its "field: reason" lines (the first 20). */
export function ErrorAlert({ error, prefix }: { error: Error; prefix?: string }) {
  const lines = error instanceof ApiError ? error.lines : []
  return (
    <Alert>
      {prefix}
      {error.message}
      {lines.length > 0 && (
        <ul className="mt-1 list-disc pl-5 text-xs">
          {lines.slice(0, 20).map((l) => (
            <li key={l}>{l}</li>
          ))}
        </ul>
      )}
    </Alert>
  )
}
