'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { GpuHourPrice } from '@/components/ui/usd'
import { When } from '@/components/layout/time-zone'
import { useState, type FormEvent } from 'react'
import { ApiError } from '@/components/api'
import { Alert, Button, Field, Input, Select } from '@/components/ui'
import { useSavePool } from '@/components/fleet/queries'
import { emptyPoolForm, fieldErrors, formToBody, poolToForm, ROLE_LABEL, type TPoolForm } from '@/lib/gpu/view'
import type * as gpuApi from '@/lib/gpu/api'
import type { TResponseOf } from '@/lib/http/endpoint'
import { formatUsd, formatUsdPerHour } from '@/lib/format'

type TPoolView = TResponseOf<typeof gpuApi.getPool>['pool']

/**
 * Create a pool, or change one: its role, type, region and scenarios change at
 * once; a new size or price is a new version from "effective from" (now when
 * empty), so the cost of the past stays what it was.
 */
export function PoolForm({ org, pool, onDone }: { org: string; pool: TPoolView | null; onDone: () => void }) {
  const original = pool ? poolToForm(pool) : null
  const [f, setF] = useState<TPoolForm>(original ?? emptyPoolForm())
  const [localError, setLocalError] = useState<string | null>(null)
  const save = useSavePool(org)
  const err = save.error instanceof ApiError ? save.error : null
  const errors = fieldErrors(err?.lines ?? [])
  const set = (k: keyof TPoolForm) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value })
  const id = (k: string) => `pool-${k}`
  const input = (k: keyof TPoolForm, label: string, props: Record<string, unknown> = {}, hint?: string) => (
    <Field label={label} htmlFor={id(k)} error={errors[k]} hint={hint}>
      <Input id={id(k)} name={k} value={f[k]} onChange={set(k)} invalid={!!errors[k]} autoComplete="off" {...props} />
    </Field>
  )

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const { body, error } = formToBody(f, original)
    setLocalError(error)
    if (error) return
    save.mutate({ id: pool?.id ?? null, body }, { onSuccess: onDone })
  }

  const unmatched = err && Object.keys(errors).length === 0 ? err.lines.join('; ') || err.message : null
  return (
    <form onSubmit={onSubmit} aria-label={pool ? `Edit pool ${pool.name}` : 'New GPU pool'} className="space-y-4" noValidate>
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        {pool ? (
          <div className="space-y-1">
            <div className="text-sm font-medium text-slate-700">Name</div>
            <div className="py-2 font-mono text-sm">{pool.name}</div>
          </div>
        ) : (
          input('name', 'Name (the gpu_pool events carry)', { placeholder: 'prod-h100', autoFocus: true })
        )}
        <Field label="Role" htmlFor={id('role')} error={errors.role}>
          <Select id={id('role')} name="role" value={f.role} onChange={set('role')} className="block w-full py-2">
            {Object.entries(ROLE_LABEL).map(([v, l]) => (
              <option key={v} value={v}>
                {l}
              </option>
            ))}
          </Select>
        </Field>
        {input('gpu_type', 'GPU type', { placeholder: 'H100' })}
        {input('region', 'Region', { placeholder: 'us-east-1' })}
        {input('gpu_count', 'GPUs', { inputMode: 'numeric' })}
        <Field label="Pricing" htmlFor={id('pricing')} error={errors.pricing}>
          <Select id={id('pricing')} name="pricing" value={f.pricing} onChange={set('pricing')} className="block w-full py-2">
            <option value="hourly">Hourly (rented)</option>
            <option value="amortized">Amortized purchase</option>
          </Select>
        </Field>
        {f.pricing === 'hourly' ? (
          input('gpu_hour_usd', 'USD per GPU-hour', { inputMode: 'decimal', placeholder: '2.49' })
        ) : (
          <>
            {input('purchase_usd_per_gpu', 'Purchase price per GPU (USD)', { inputMode: 'decimal', placeholder: '30000' })}
            {input('amortization_months', 'Amortized over (months)', { inputMode: 'numeric' }, '730 hours a month')}
            {input('power_hosting_usd_per_gpu_hour', 'Power and hosting, USD per GPU-hour', { inputMode: 'decimal' })}
          </>
        )}
        {input(
          'effective_from',
          'Size and price effective from (UTC)',
          { type: 'datetime-local' },
          pool ? 'Empty: from now. Earlier versions keep their price.' : 'Empty: from now.',
        )}
        {input('serves', 'Serves (scenarios or workflows, comma-separated)', { placeholder: 'kb-search, support-agent' })}
        <Field label="Split of its cost between them" htmlFor={id('allocation')} error={errors.allocation}>
          <Select id={id('allocation')} name="allocation" value={f.allocation} onChange={set('allocation')} className="block w-full py-2">
            <option value="gpu_seconds">By GPU-seconds used</option>
            <option value="share">By fixed shares</option>
            <option value="even">Evenly</option>
          </Select>
        </Field>
        {f.allocation === 'share' && input('shares', 'Shares (scenario=weight, …)', { placeholder: 'kb-search=3, support-agent=1' })}
      </div>
      {pool && pool.versions.length > 0 && <VersionHistory pool={pool} />}
      {(localError || unmatched) && <Alert>{localError ?? unmatched}</Alert>}
      <div className="flex gap-2">
        <Button type="submit" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : pool ? 'Save changes' : 'Create pool'}
        </Button>
        <Button type="button" variant="secondary" onClick={onDone}>
          Cancel
        </Button>
      </div>
    </form>
  )
}

/** The pool's sizes and prices over time: what the cost of each past period was computed with. */
function VersionHistory({ pool }: { pool: TPoolView }) {
  // newest first until a header is pressed
  const sorter = useSort([...pool.versions].reverse(), {
    from: (v) => Date.parse(v.effective_from),
    gpus: (v) => v.gpu_count,
    pricing: (v) => v.pricing,
    price: (v) => moneyKey(v.effective_gpu_hour_usd),
  })
  return (
    <details className="text-sm">
      <summary className="cursor-pointer text-slate-600">
        Size and price history ({pool.versions.length} version{pool.versions.length > 1 ? 's' : ''})
      </summary>
      <table className="mt-2 w-full max-w-2xl text-sm" data-testid="pool-versions">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <SortTh sorter={sorter} k="from" className="py-1 text-left font-medium">
              From (UTC)
            </SortTh>
            <SortTh sorter={sorter} k="gpus" className="text-right font-medium">
              GPUs
            </SortTh>
            <SortTh sorter={sorter} k="pricing" className="text-left pl-4 font-medium">
              Pricing
            </SortTh>
            <SortTh sorter={sorter} k="price" className="text-right font-medium">
              $ / GPU-hour
            </SortTh>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((v) => (
            <tr key={v.effective_from} className="border-t border-slate-100">
              <td className="py-1">
                <When t={v.effective_from} />
              </td>
              <td className="num text-right">{v.gpu_count}</td>
              <td className="pl-4 text-slate-600">
                {v.pricing === 'hourly'
                  ? 'hourly'
                  : `${formatUsd(v.purchase_usd_per_gpu ?? '0')} over ${v.amortization_months} months + ${formatUsdPerHour(v.power_hosting_usd_per_gpu_hour ?? '0')} power and hosting`}
              </td>
              <td className="num text-right">
                <GpuHourPrice value={v.effective_gpu_hour_usd} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  )
}
