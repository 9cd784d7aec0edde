'use client'
import { useState, type FormEvent } from 'react'
import { ApiError } from '@/components/api'
import { Button, Input } from '@/components/ui'
import { useDeleteFeatureSlo, usePutFeatureSlos } from '@/components/features/queries'

/**
 * Set, change or remove one feature's target (USD per run), inline in its row.
 * Enter saves; the API checks the value and its message is shown under the field.
 */
export function SloForm({ org, feature, target, idPrefix }: { org: string; feature: string; target: string | null; idPrefix: string }) {
  const put = usePutFeatureSlos(org)
  const del = useDeleteFeatureSlo(org)
  const [value, setValue] = useState(target ?? '')
  const [seen, setSeen] = useState(target)
  // Follow the saved value when it changes (another row's save refetches the list).
  if (seen !== target) {
    setSeen(target)
    setValue(target ?? '')
  }
  const id = `${idPrefix}-target`
  const err = put.error instanceof ApiError ? put.error : null
  const fieldError = err?.lines.find((l) => l.startsWith('slos.0.target_usd_per_action:'))?.replace(/^slos\.0\.target_usd_per_action: /, '')
  const otherError = put.error && !fieldError ? err?.lines.join('; ') || put.error.message : del.error?.message

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    del.reset()
    put.mutate({ slos: [{ feature, target_usd_per_action: value.trim() }] })
  }

  return (
    <form onSubmit={onSubmit} className="flex flex-col items-end gap-1" aria-label={`Cost SLO for ${feature}`} noValidate>
      <div className="flex items-center justify-end gap-1">
        <label htmlFor={id} className="sr-only">
          Target USD per run for {feature}
        </label>
        <span aria-hidden className="text-slate-400">
          $
        </span>
        <div className="w-28">
          <Input
            id={id}
            name="target_usd_per_action"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            inputMode="decimal"
            placeholder="per run"
            className="px-2 py-1 text-right"
            invalid={!!fieldError}
            autoComplete="off"
          />
        </div>
        <Button type="submit" variant="secondary" className="px-2 py-1" disabled={put.isPending}>
          {put.isPending ? 'Saving…' : target ? 'Save' : 'Set'}
        </Button>
        {target && (
          <Button
            type="button"
            variant="secondary"
            className="px-2 py-1"
            disabled={del.isPending}
            onClick={() => {
              put.reset()
              del.mutate(feature)
            }}
            aria-label={`Remove the SLO of ${feature}`}
            title="Remove the SLO"
          >
            ×
          </Button>
        )}
      </div>
      {fieldError && (
        <p id={`${id}-error`} role="alert" className="max-w-64 text-left text-xs text-red-700">
          {fieldError}
        </p>
      )}
      {otherError && (
        <p role="alert" className="max-w-64 text-left text-xs text-red-700">
          {otherError}
        </p>
      )}
    </form>
  )
}
