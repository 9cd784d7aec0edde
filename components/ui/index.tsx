import { InfoTip } from '@/components/ui/info-tip'
import type { TMetricTerm } from '@/lib/metrics/definitions'
import type { ButtonHTMLAttributes, InputHTMLAttributes, ReactNode, SelectHTMLAttributes } from 'react'

const cx = (...c: (string | false | null | undefined)[]) => c.filter(Boolean).join(' ')

export function Button({ variant = 'primary', className, ...p }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: 'primary' | 'secondary' | 'danger' }) {
  return (
    <button
      {...p}
      className={cx(
        'inline-flex items-center justify-center gap-2 rounded-md px-3.5 py-2 text-sm font-medium transition disabled:cursor-not-allowed disabled:opacity-60',
        variant === 'primary' && 'bg-brand-600 text-white hover:bg-brand-700',
        variant === 'secondary' && 'border border-slate-300 bg-white text-slate-800 hover:bg-slate-50',
        variant === 'danger' && 'border border-red-200 bg-white text-red-700 hover:bg-red-50',
        className,
      )}
    />
  )
}

/**
 * The second step of a destructive action in a table row: what happens, the danger button (focused) and Cancel;
 * Escape cancels. The caller shows it in place of the row's first button and restores focus on cancel.
 */
export function InlineConfirm({
  label,
  note,
  action,
  pendingText,
  pending,
  onConfirm,
  onCancel,
}: {
  label: string
  note?: ReactNode
  action: string
  pendingText: string
  pending: boolean
  onConfirm: () => void
  onCancel: () => void
}) {
  return (
    <span className="inline-flex items-center gap-2" role="group" aria-label={label} onKeyDown={(e) => e.key === 'Escape' && onCancel()}>
      {note && <span className="text-xs text-slate-700">{note}</span>}
      <Button type="button" variant="danger" className="px-2 py-1 text-xs" autoFocus disabled={pending} onClick={onConfirm}>
        {pending ? pendingText : action}
      </Button>
      <Button type="button" variant="secondary" className="px-2 py-1 text-xs" onClick={onCancel}>
        Cancel
      </Button>
    </span>
  )
}

export function Field({ label, error, hint, children, htmlFor }: { label: string; error?: string; hint?: string; children: ReactNode; htmlFor: string }) {
  return (
    <div className="space-y-1">
      <label htmlFor={htmlFor} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      {hint && !error && <p className="text-xs text-slate-500">{hint}</p>}
      {error && (
        <p className="text-xs text-red-700" role="alert" id={`${htmlFor}-error`}>
          {error}
        </p>
      )}
    </div>
  )
}

export function Input({ className, invalid, ...p }: InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }) {
  return (
    <input
      {...p}
      aria-invalid={invalid || undefined}
      aria-describedby={invalid && p.id ? `${p.id}-error` : undefined}
      className={cx('block w-full rounded-md border bg-white px-3 py-2 text-sm shadow-sm', invalid ? 'border-red-400' : 'border-slate-300', className)}
    />
  )
}

export function Select({ className, ...p }: SelectHTMLAttributes<HTMLSelectElement>) {
  return <select {...p} className={cx('rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm shadow-sm', className)} />
}

export function Card({
  title,
  subtitle,
  children,
  className,
  actions,
}: {
  title?: string
  subtitle?: string
  children: ReactNode
  className?: string
  actions?: ReactNode
}) {
  return (
    <section className={cx('rounded-lg border border-slate-200 bg-white p-5 shadow-sm', className)}>
      {(title || actions) && (
        <header className="mb-4 flex items-start justify-between gap-4">
          <div>
            {title && <h2 className="text-sm font-semibold text-slate-900">{title}</h2>}
            {subtitle && <p className="mt-0.5 text-xs text-slate-500">{subtitle}</p>}
          </div>
          {actions}
        </header>
      )}
      {children}
    </section>
  )
}

export function Skeleton({ className }: { className?: string }) {
  return <div aria-hidden className={cx('animate-pulse rounded bg-slate-200', className)} />
}

export function Alert({ tone = 'error', children }: { tone?: 'error' | 'warning' | 'info' | 'success'; children: ReactNode }) {
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className={cx(
        'rounded-md border px-3 py-2 text-sm',
        tone === 'error' && 'border-red-200 bg-red-50 text-red-800',
        tone === 'warning' && 'border-amber-200 bg-amber-50 text-amber-900',
        tone === 'info' && 'border-sky-200 bg-sky-50 text-sky-900',
        tone === 'success' && 'border-emerald-200 bg-emerald-50 text-emerald-900',
      )}
    >
      {children}
    </div>
  )
}

/** A headline number with its label and a hint; a skeleton while value is null; `term`: the measure's definition on an info icon. */
export function Kpi({
  label,
  value,
  hint,
  testId,
  warn,
  term,
}: {
  label: string
  value: string | null
  hint?: string
  testId?: string
  warn?: boolean
  term?: TMetricTerm
}) {
  return (
    <div className={`rounded-lg border bg-white p-4 shadow-sm ${warn ? 'border-amber-300' : 'border-slate-200'}`}>
      <div className="text-xs font-medium uppercase tracking-wide text-slate-500">
        {label}
        {term && <InfoTip term={term} />}
      </div>
      {value === null ? (
        <Skeleton className="mt-2 h-7 w-24" />
      ) : (
        <div className="num mt-1 text-xl font-semibold xl:text-2xl" data-testid={testId}>
          {value}
        </div>
      )}
      {hint && <div className={`mt-1 text-xs ${warn ? 'text-amber-700' : 'text-slate-500'}`}>{hint}</div>}
    </div>
  )
}
