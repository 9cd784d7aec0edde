'use client'
import { type FormEvent, useState } from 'react'
import { ErrorAlert } from '@/components/error-alert'
import { useQueryClient } from '@tanstack/react-query'
import { Alert, Button, Card, Field } from '@/components/ui'
import { ApiError, uploadFile } from '@/components/api'
import { marginQueries } from '@/components/accounts/margin-queries'
import * as accountsApi from '@/lib/accounts/api'
import type { TRevenuePutAnswer } from '@/lib/accounts/schema'
import { formatCount } from '@/lib/format'

// Record revenue per account and month (finance, admin): a CSV file or pasted rows, sent to
// PUT /api/v1/accounts/revenue as they are. Each row sent replaces that account and month; refused rows come
// back with their line, field and reason, and the others are kept.

const EXAMPLE = 'account_id,month,revenue_usd\nacme,2026-11,12500.00\nglobex,2026-11,4200'

export function RevenueUpload({ org }: { org: string }) {
  const qc = useQueryClient()
  const [file, setFile] = useState<File | null>(null)
  const [text, setText] = useState('')
  const [busy, setBusy] = useState(false)
  const [result, setResult] = useState<TRevenuePutAnswer | null>(null)
  const [error, setError] = useState<ApiError | null>(null)

  async function submit(e: FormEvent) {
    e.preventDefault()
    const body = file ?? (text.trim() ? new Blob([text], { type: 'text/csv' }) : null)
    if (!body) return
    setBusy(true)
    setError(null)
    setResult(null)
    try {
      setResult(await uploadFile(accountsApi.putRevenue, { org }, body, 'text/csv'))
      await qc.invalidateQueries({ queryKey: marginQueries.all(org) })
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)))
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card
      title="Record revenue"
      subtitle="What each customer account paid per month, for AI cost as a share of revenue and the gross margin after AI cost. A row replaces that account and month; others keep theirs."
    >
      <form onSubmit={submit} className="grid gap-4 md:grid-cols-[1fr_1fr_auto] md:items-end" data-testid="revenue-upload">
        <Field label="CSV file" htmlFor="revenue-file" hint="Header account_id,month,revenue_usd; month as YYYY-MM.">
          <input id="revenue-file" type="file" accept=".csv,text/csv" className="block w-full text-sm" onChange={(e) => setFile(e.target.files?.[0] ?? null)} />
        </Field>
        <Field label="Or paste the rows" htmlFor="revenue-text">
          <textarea
            id="revenue-text"
            value={text}
            onChange={(e) => setText(e.target.value)}
            rows={3}
            placeholder={EXAMPLE}
            disabled={!!file}
            className="block w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-xs focus:border-brand-600 focus:outline-none focus:ring-1 focus:ring-brand-600 disabled:bg-slate-50"
          />
        </Field>
        <Button type="submit" disabled={busy || (!file && !text.trim())}>
          {busy ? 'Saving…' : 'Save revenue'}
        </Button>
      </form>
      {error && (
        <div className="mt-4">
          <ErrorAlert error={error} />
        </div>
      )}
      {result && (
        <div className="mt-4 space-y-2" data-testid="revenue-result">
          <Alert tone={result.rejected_count ? 'warning' : 'success'}>
            Saved {formatCount(result.upserted)} row{result.upserted === 1 ? '' : 's'}
            {result.rejected_count ? `; ${formatCount(result.rejected_count)} refused (below)` : ''}.
          </Alert>
          {result.rejected.length > 0 && (
            <table className="w-full text-left text-xs" data-testid="revenue-rejected">
              <caption className="sr-only">Refused rows</caption>
              <thead className="text-slate-500">
                <tr>
                  <th className="py-1 pr-4 font-medium">Line</th>
                  <th className="py-1 pr-4 font-medium">Field</th>
                  <th className="py-1 font-medium">Reason</th>
                </tr>
              </thead>
              <tbody>
                {result.rejected.map((r) => (
                  <tr key={`${r.row}-${r.field}`} className="border-t border-slate-100">
                    <td className="py-1 pr-4 tabular-nums">{r.row}</td>
                    <td className="py-1 pr-4">{r.field ?? '—'}</td>
                    <td className="py-1">{r.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </div>
      )}
    </Card>
  )
}
