'use client'
import { useState, type FormEvent } from 'react'
import { ApiError } from '@/components/api'
import { Alert, Button, Field, Input } from '@/components/ui'
import { usePutPrices } from '@/components/pricing/queries'
import { ZPricesPut, type TPricesPutBody } from '@/lib/prices/schema'
import { issuesToLines } from '@/lib/validation'

const FIELDS = [
  { name: 'input_per_mtok', label: 'Input $/M tokens', required: true },
  { name: 'cached_input_per_mtok', label: 'Cached input $/M', hint: 'Empty: no cache discount' },
  { name: 'cache_write_per_mtok', label: 'Cache write $/M', hint: 'Empty: same as input' },
  { name: 'output_per_mtok', label: 'Output $/M tokens', required: true },
  { name: 'per_request', label: '$ per request', hint: 'Embeddings, rerank…' },
] as const

/** Today at 00:00 UTC as the value of a datetime-local input read as UTC. */
const todayUtc = () => new Date().toISOString().slice(0, 10) + 'T00:00'

/** Add or correct one model price; the server re-prices what it covers. */
export function PriceForm({
  org,
  provider = '',
  model = '',
  onDone,
  idPrefix,
}: {
  org: string
  provider?: string
  model?: string
  onDone?: () => void
  idPrefix: string
}) {
  const put = usePutPrices(org)
  const [saved, setSaved] = useState<string | null>(null)
  const [localErrors, setLocalErrors] = useState<string[]>([])

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const price: Record<string, string> = {
      provider: String(f.get('provider') ?? ''),
      model: String(f.get('model') ?? ''),
      effective_from: `${String(f.get('effective_from') ?? '')}:00Z`,
    }
    for (const fld of FIELDS) {
      const v = String(f.get(fld.name) ?? '').trim()
      if (v !== '') price[fld.name] = v
    }
    setSaved(null)
    // The server checks the same schema; checking here first answers without a round trip.
    const local = ZPricesPut.safeParse({ prices: [price] }, { reportInput: true })
    setLocalErrors(local.success ? [] : issuesToLines(local.error.issues))
    if (!local.success) return
    const body = { prices: [price] } as unknown as TPricesPutBody // the fields as typed, checked against the schema just above
    put.mutate(body, {
      onSuccess: () => {
        setSaved(`${price.provider}/${price.model}`)
        onDone?.()
      },
    })
  }

  const err = put.error instanceof ApiError ? put.error : null
  const lines = localErrors.length ? localErrors : (err?.lines ?? [])
  const fieldErr = (name: string) => lines.find((l) => l.startsWith(`prices.0.${name}:`))?.slice(`prices.0.${name}: `.length)
  const id = (n: string) => `${idPrefix}-${n}`

  return (
    <form onSubmit={onSubmit} className="space-y-3" aria-label={model ? `Price for ${provider}/${model}` : 'Add or correct a price'}>
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Provider" htmlFor={id('provider')} error={fieldErr('provider')}>
          <Input id={id('provider')} name="provider" defaultValue={provider} required invalid={!!fieldErr('provider')} />
        </Field>
        <Field label="Model" htmlFor={id('model')} error={fieldErr('model')} hint="Dated snapshots of it are covered too">
          <Input id={id('model')} name="model" defaultValue={model} required invalid={!!fieldErr('model')} />
        </Field>
        <Field label="Effective from (UTC)" htmlFor={id('effective_from')} error={fieldErr('effective_from')}>
          <Input
            id={id('effective_from')}
            name="effective_from"
            type="datetime-local"
            defaultValue={todayUtc()}
            required
            invalid={!!fieldErr('effective_from')}
          />
        </Field>
      </div>
      <div className="grid gap-3 sm:grid-cols-5">
        {FIELDS.map((fld) => (
          <Field key={fld.name} label={fld.label} htmlFor={id(fld.name)} error={fieldErr(fld.name)} hint={'hint' in fld ? fld.hint : undefined}>
            <Input
              id={id(fld.name)}
              name={fld.name}
              inputMode="decimal"
              placeholder={'required' in fld ? '0.00' : ''}
              required={'required' in fld}
              invalid={!!fieldErr(fld.name)}
            />
          </Field>
        ))}
      </div>
      <div className="flex items-center gap-3">
        <Button type="submit" disabled={put.isPending}>
          {put.isPending ? 'Saving…' : 'Save price and re-price events'}
        </Button>
        {saved && (
          <span role="status" className="text-sm text-emerald-700">
            Saved {saved}. Re-pricing the events it covers…
          </span>
        )}
      </div>
      {put.error && !err?.lines.length && !localErrors.length && <Alert>{put.error.message}</Alert>}
      {lines.some((l) => !FIELDS.some((f) => l.startsWith(`prices.0.${f.name}:`)) && !/^prices\.0\.(provider|model|effective_from):/.test(l)) && (
        <Alert>{lines.join('; ')}</Alert>
      )}
    </form>
  )
}
