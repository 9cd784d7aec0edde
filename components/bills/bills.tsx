'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { When } from '@/components/layout/time-zone'
import { ErrorAlert } from '@/components/error-alert'
import { type FormEvent, useRef, useState } from 'react'
import { useQueryClient } from '@tanstack/react-query'
import { Alert, Button, Card, Field, Input, InlineConfirm, Skeleton } from '@/components/ui'
import { ApiError } from '@/components/api'
import { billQueries, type TImportAnswer, uploadBill, useBillImports, useDeleteBill } from '@/components/bills/queries'
import { formatCount, formatUsd } from '@/lib/format'

// The Bills page: upload what a provider or cloud billed (simple CSV, FOCUS CSV, OpenAI or Anthropic cost
// report JSON), see every import with its totals, delete one. Reconciliation reads them.

const FORMAT_LABEL: Record<string, string> = { simple: 'Simple CSV', focus: 'FOCUS CSV', openai: 'OpenAI cost report', anthropic: 'Anthropic cost report' }

/** A source name from the file's name: "openai-costs-2026-11.csv" → "openai-costs-2026-11". */
const sourceOf = (fileName: string) =>
  fileName
    .replace(/\.[a-z0-9]+$/i, '')
    .trim()
    .slice(0, 100)

export function Bills({ org, canWrite }: { org: string; canWrite: boolean }) {
  const imports = useBillImports(org)
  return (
    <div className="space-y-6">
      {canWrite && <Upload org={org} />}
      <Card title="Imported bills" subtitle="One import per source; importing a source again replaces it.">
        {imports.isPending ? (
          <Skeleton className="h-24 w-full" />
        ) : imports.isError ? (
          <Alert>{imports.error.message}</Alert>
        ) : imports.data.imports.length === 0 ? (
          <p className="text-sm text-slate-600">No bill imported yet.</p>
        ) : (
          <ImportsTable org={org} rows={imports.data.imports} canWrite={canWrite} />
        )}
      </Card>
    </div>
  )
}

function Upload({ org }: { org: string }) {
  const qc = useQueryClient()
  const fileRef = useRef<HTMLInputElement>(null)
  const [file, setFile] = useState<File | null>(null)
  const [source, setSource] = useState('')
  const [progress, setProgress] = useState<number | null>(null)
  const [result, setResult] = useState<TImportAnswer | null>(null)
  const [error, setError] = useState<ApiError | null>(null)

  async function submit(e: FormEvent) {
    e.preventDefault()
    if (!file || !source.trim()) return
    setError(null)
    setResult(null)
    setProgress(0)
    try {
      setResult(await uploadBill(org, file, source.trim(), setProgress))
      await qc.invalidateQueries({ queryKey: billQueries.all(org) })
    } catch (err) {
      setError(err instanceof ApiError ? err : new ApiError(0, String(err)))
    } finally {
      setProgress(null)
    }
  }

  return (
    <Card
      title="Import a bill"
      subtitle="Simple CSV (date,provider,model,cost_usd[,description]), a FOCUS CSV export, or OpenAI’s or Anthropic’s cost report JSON. Amounts in USD."
    >
      <form onSubmit={submit} className="grid gap-4 md:grid-cols-[1fr_1fr_auto] md:items-end">
        <Field label="File" htmlFor="bill-file">
          <input
            ref={fileRef}
            id="bill-file"
            type="file"
            accept=".csv,.json,text/csv,application/json"
            className="block w-full text-sm"
            onChange={(e) => {
              const f = e.target.files?.[0] ?? null
              setFile(f)
              if (f && !source) setSource(sourceOf(f.name))
            }}
          />
        </Field>
        <Field label="Source" htmlFor="bill-source" hint="The bill’s name; importing the same name again replaces it.">
          <Input id="bill-source" value={source} maxLength={100} onChange={(e) => setSource(e.target.value)} placeholder="openai-2026-11" />
        </Field>
        <Button type="submit" disabled={!file || !source.trim() || progress !== null}>
          {progress !== null ? 'Importing…' : 'Import'}
        </Button>
      </form>
      {progress !== null && (
        <div className="mt-4" data-testid="upload-progress">
          <div
            className="h-2 w-full overflow-hidden rounded bg-slate-100"
            role="progressbar"
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={Math.round(progress * 100)}
          >
            <div className="h-2 bg-brand-600 transition-all" style={{ width: `${Math.round(progress * 100)}%` }} />
          </div>
          <p className="mt-1 text-xs text-slate-600">{progress < 1 ? `Sending… ${Math.round(progress * 100)}%` : 'Sent; reading the lines…'}</p>
        </div>
      )}
      {error && (
        <div className="mt-4">
          <ErrorAlert error={error} />
        </div>
      )}
      {result && (
        <div className="mt-4 space-y-2" data-testid="import-result">
          <Alert tone={result.import.rejected ? 'warning' : 'success'}>
            {result.replaced ? 'Replaced' : 'Imported'} “{result.import.source}” ({FORMAT_LABEL[result.import.format]}): {formatCount(result.import.lines)} line
            {result.import.lines === 1 ? '' : 's'} totalling {formatUsd(result.import.total_usd, { precise: true })}
            {result.import.rejected ? `; ${formatCount(result.import.rejected)} refused` : ''}.
          </Alert>
          {result.rejected.length > 0 && (
            <details open={result.rejected.length <= 10}>
              <summary className="cursor-pointer text-sm text-slate-700">Refused lines</summary>
              <table className="mt-2 w-full text-left text-xs">
                <thead className="text-slate-500">
                  <tr>
                    <th className="py-1 pr-4 font-medium">Line</th>
                    <th className="py-1 font-medium">Reason</th>
                  </tr>
                </thead>
                <tbody>
                  {result.rejected.map((r) => (
                    <tr key={r.line} className="border-t border-slate-100">
                      <td className="num py-1 pr-4">{r.line}</td>
                      <td className="py-1">{r.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {result.import.rejected > result.rejected.length && (
                <p className="mt-1 text-xs text-slate-500">
                  The first {formatCount(result.rejected.length)} of {formatCount(result.import.rejected)}.
                </p>
              )}
            </details>
          )}
        </div>
      )}
    </Card>
  )
}

function ImportsTable({ org, rows, canWrite }: { org: string; rows: NonNullable<ReturnType<typeof useBillImports>['data']>['imports']; canWrite: boolean }) {
  const del = useDeleteBill(org)
  const [confirming, setConfirming] = useState<string | null>(null)
  const sorter = useSort(rows, {
    source: (r) => r.source,
    format: (r) => FORMAT_LABEL[r.format],
    period: (r) => r.first_day,
    lines: (r) => r.lines,
    refused: (r) => r.rejected,
    total: (r) => moneyKey(r.total_usd),
    imported: (r) => Date.parse(r.imported_at),
  })
  return (
    <div className="overflow-x-auto">
      {del.isError && <Alert>{del.error.message}</Alert>}
      <table className="w-full text-left text-sm" data-testid="bill-imports">
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <SortTh sorter={sorter} k="source" className="py-2 pr-4 font-medium">
              Source
            </SortTh>
            <SortTh sorter={sorter} k="format" className="py-2 pr-4 font-medium">
              Format
            </SortTh>
            <SortTh sorter={sorter} k="period" className="py-2 pr-4 font-medium">
              Period
            </SortTh>
            <SortTh sorter={sorter} k="lines" className="py-2 pr-4 text-right font-medium">
              Lines
            </SortTh>
            <SortTh sorter={sorter} k="refused" className="py-2 pr-4 text-right font-medium">
              Refused
            </SortTh>
            <SortTh sorter={sorter} k="total" className="py-2 pr-4 text-right font-medium">
              Total
            </SortTh>
            <SortTh sorter={sorter} k="imported" className="py-2 pr-4 font-medium">
              Imported
            </SortTh>
            {canWrite && <th className="py-2 font-medium" />}
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((r) => (
            <tr key={r.id} className="border-t border-slate-100" data-testid={`bill-${r.source}`}>
              <td className="py-2 pr-4 font-medium">{r.source}</td>
              <td className="py-2 pr-4">{FORMAT_LABEL[r.format]}</td>
              <td className="py-2 pr-4 whitespace-nowrap">{r.first_day === r.last_day ? r.first_day : `${r.first_day} – ${r.last_day}`}</td>
              <td className="num py-2 pr-4 text-right">{formatCount(r.lines)}</td>
              <td className={`num py-2 pr-4 text-right ${r.rejected ? 'text-amber-700' : ''}`}>{formatCount(r.rejected)}</td>
              <td className="num py-2 pr-4 text-right" data-testid="bill-total" data-usd={r.total_usd}>
                {formatUsd(r.total_usd, { precise: true })}
              </td>
              <td className="py-2 pr-4 whitespace-nowrap text-slate-600">
                <When t={r.imported_at} />
              </td>
              {canWrite && (
                <td className="py-2 text-right">
                  {confirming === r.id ? (
                    <InlineConfirm
                      label={`Delete ${r.source}`}
                      note="Delete this bill and its lines?"
                      action="Delete"
                      pendingText="Deleting…"
                      pending={del.isPending}
                      onConfirm={() => del.mutate(r.id, { onSettled: () => setConfirming(null) })}
                      onCancel={() => setConfirming(null)}
                    />
                  ) : (
                    <Button type="button" variant="secondary" className="px-2 py-1 text-xs" onClick={() => setConfirming(r.id)}>
                      Delete
                    </Button>
                  )}
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
