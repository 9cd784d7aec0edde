import { formatDate, formatMonth, formatMultiple, formatUsd } from '@/lib/format'
import type { TAuditRow } from '@/lib/reports/audit'
import type { ReactNode } from 'react'

// Pieces the printable report pages share (server components: they render once, print as they are).

/** Report months and days are UTC calendar months and days (lib/format.ts). */
export const MONTH_LABEL = { format: (d: Date | number) => formatMonth(d) }
export const DAY_LABEL = { format: (d: Date | number) => formatDate(d, 'UTC') }

/** Rows shown per section of the monthly report (the CSV has all of them); the rest are summed into one line. */
export const SHOWN = 20
/** A change with its sign: +$1.20, -$0.40. */
export const signed = (v: string) => (Number(v) > 0 ? `+${formatUsd(v)}` : formatUsd(v))

/** The quarterly audit's verdicts. */
export const AUDIT_STATUS: Record<TAuditRow['status'], { label: string; style: string }> = {
  flagged: { label: 'flagged: over 2× apart', style: 'bg-red-50 text-red-800 ring-red-200' },
  within: { label: 'within 2×', style: 'bg-emerald-50 text-emerald-800 ring-emerald-200' },
  no_eval: { label: 'no eval traffic', style: 'bg-slate-50 text-slate-600 ring-slate-200' },
  no_production: { label: 'no production traffic', style: 'bg-slate-50 text-slate-600 ring-slate-200' },
}
/** A cost per call to the sub-cent. */
export const perCall = (v: string | undefined) => (v === undefined ? '—' : formatUsd(v, { precise: true }))
/** A ratio: 2.35×. */
export const times = (r: number | null) => (r === null ? '—' : formatMultiple(r, 2))

/** A printable section: a heading, an optional note, its content; long ones may break across pages. */
export function ReportSection({
  title,
  note,
  long,
  children,
  testId,
}: {
  title: string
  note?: ReactNode
  long?: boolean
  children: ReactNode
  testId?: string
}) {
  return (
    <section
      className={`rounded-lg border border-slate-200 bg-white p-5 shadow-sm print:rounded-none print:border-0 print:border-t print:px-0 print:py-3 ${long ? 'report-long' : ''}`}
      data-testid={testId}
    >
      <h2 className="text-sm font-semibold text-slate-900">{title}</h2>
      {note && <p className="mt-0.5 text-xs text-slate-500">{note}</p>}
      <div className="mt-3">{children}</div>
    </section>
  )
}

/** A figure at the top of a report. */
export function ReportKpi({ label, value, hint, testId, warn }: { label: string; value: string; hint?: ReactNode; testId?: string; warn?: boolean }) {
  return (
    <div className={`kpi rounded-lg border bg-white p-4 shadow-sm print:p-2 print:shadow-none ${warn ? 'border-amber-300' : 'border-slate-200'}`}>
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</div>
      <div className="num mt-1 text-xl font-semibold" data-testid={testId}>
        {value}
      </div>
      {hint && <div className={`mt-1 text-xs ${warn ? 'text-amber-700' : 'text-slate-500'}`}>{hint}</div>}
    </div>
  )
}

/** While a report is read (it renders on the server, streamed into the page). */
export function ReportSkeleton({ title }: { title: string }) {
  return (
    <div className="space-y-6" aria-busy="true">
      <div>
        <h1 className="text-2xl font-semibold">{title}</h1>
        <p className="text-sm text-slate-600">Reading the figures…</p>
      </div>
      <div className="grid grid-cols-2 gap-4 lg:grid-cols-5">
        {[0, 1, 2, 3, 4].map((i) => (
          <div key={i} aria-hidden className="h-24 animate-pulse rounded-lg bg-slate-200" />
        ))}
      </div>
      <div aria-hidden className="h-64 animate-pulse rounded-lg bg-slate-200" />
    </div>
  )
}
