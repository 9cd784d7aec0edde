'use client'
import { useState, type FormEvent } from 'react'
import { ApiError } from '@/components/api'
import { Alert, Button, Field, Input } from '@/components/ui'
import { useCatalogEntry, usePutPrices } from '@/components/pricing/queries'
import { ZPricesPut, type TPricesPutBody, type TPriceView } from '@/lib/prices/schema'
import { normalizeDecimal } from '@/lib/cost/money'
import { scaleCatalogTiers, tierText, type TTier } from '@/lib/prices/tiers'
import { formatCount } from '@/lib/format'
import { issuesToLines } from '@/lib/validation'

const FIELDS = [
  { name: 'input_per_mtok', label: 'Input $/M tokens', required: true },
  { name: 'cached_input_per_mtok', label: 'Cached input $/M', hint: 'Empty: no cache discount' },
  { name: 'cache_write_per_mtok', label: 'Cache write $/M', hint: 'Empty: same as input' },
  { name: 'output_per_mtok', label: 'Output $/M tokens', required: true },
  { name: 'per_request', label: '$ per request', hint: 'Embeddings, rerank…' },
] as const
type TFieldName = (typeof FIELDS)[number]['name']

const TIER_FIELDS = [
  { name: 'above_input_tokens', label: 'above input tokens', placeholder: '200000' },
  { name: 'input_per_mtok', label: 'input $/M', placeholder: '0.00' },
  { name: 'cached_input_per_mtok', label: 'cached input $/M', placeholder: '' },
  { name: 'cache_write_per_mtok', label: 'cache write $/M', placeholder: '' },
  { name: 'output_per_mtok', label: 'output $/M', placeholder: '0.00' },
] as const
type TTierForm = Record<(typeof TIER_FIELDS)[number]['name'], string>

/** Today at 00:00 UTC as the value of a datetime-local input read as UTC. */
const todayUtc = () => new Date().toISOString().slice(0, 10) + 'T00:00'
const tierForm = (t: TTier): TTierForm => ({
  above_input_tokens: String(t.above_input_tokens),
  input_per_mtok: t.input_per_mtok,
  cached_input_per_mtok: t.cached_input_per_mtok ?? '',
  cache_write_per_mtok: t.cache_write_per_mtok ?? '',
  output_per_mtok: t.output_per_mtok,
})
const emptyTier = (): TTierForm => ({ above_input_tokens: '', input_per_mtok: '', cached_input_per_mtok: '', cache_write_per_mtok: '', output_per_mtok: '' })

/**
 * Add or correct one model price, with its long-context tiers; the server re-prices what it covers. A price without
 * tiers for a model whose catalog entry has tiers must say whether to keep the catalog's, scaled by the same discount.
 */
export function PriceForm({
  org,
  provider = '',
  model = '',
  initial,
  onDone,
  idPrefix,
}: {
  org: string
  provider?: string
  model?: string
  /** an existing price to correct: its fields and tiers fill the form */
  initial?: TPriceView
  onDone?: () => void
  idPrefix: string
}) {
  const put = usePutPrices(org)
  const [saved, setSaved] = useState<{ name: string; warnings: string[] } | null>(null)
  const [localErrors, setLocalErrors] = useState<string[]>([])
  const [names, setNames] = useState({ provider: initial?.provider ?? provider, model: initial?.model ?? model })
  const [base, setBase] = useState<Record<TFieldName, string>>({
    input_per_mtok: initial?.input_per_mtok ?? '',
    cached_input_per_mtok: initial?.cached_input_per_mtok ?? '',
    cache_write_per_mtok: initial?.cache_write_per_mtok ?? '',
    output_per_mtok: initial?.output_per_mtok ?? '',
    per_request: initial?.per_request ?? '',
  })
  const [tiers, setTiers] = useState<TTierForm[]>((initial?.tiers ?? []).map(tierForm))
  const [keep, setKeep] = useState<'keep' | 'none' | null>(null)
  const catalog = useCatalogEntry(org, names.provider, names.model)
  const catalogTiers = catalog?.tiers ?? []
  const asks = tiers.length === 0 && catalogTiers.length > 0
  // the catalog's tiers as they would be kept, once the base rates read as numbers
  const readable = (v: string) => (v.trim() === '' ? null : normalizeDecimal(v, 9))
  const scaled =
    catalog && readable(base.input_per_mtok) && readable(base.output_per_mtok)
      ? scaleCatalogTiers(
          {
            input_per_mtok: readable(base.input_per_mtok)!,
            output_per_mtok: readable(base.output_per_mtok)!,
            cached_input_per_mtok: readable(base.cached_input_per_mtok),
            cache_write_per_mtok: readable(base.cache_write_per_mtok),
          },
          catalog,
        )
      : null

  function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault()
    const f = new FormData(e.currentTarget)
    const price: Record<string, unknown> = {
      provider: names.provider,
      model: names.model,
      effective_from: `${String(f.get('effective_from') ?? '')}:00Z`,
    }
    for (const fld of FIELDS) {
      const v = base[fld.name].trim()
      if (v !== '') price[fld.name] = v
    }
    if (tiers.length) {
      price.tiers = tiers.map((t) => ({
        above_input_tokens: t.above_input_tokens.trim() === '' ? t.above_input_tokens : Number(t.above_input_tokens),
        input_per_mtok: t.input_per_mtok.trim(),
        ...(t.cached_input_per_mtok.trim() ? { cached_input_per_mtok: t.cached_input_per_mtok.trim() } : {}),
        ...(t.cache_write_per_mtok.trim() ? { cache_write_per_mtok: t.cache_write_per_mtok.trim() } : {}),
        output_per_mtok: t.output_per_mtok.trim(),
      }))
    } else if (asks && keep === 'keep') price.keep_catalog_tiers = true
    setSaved(null)
    if (asks && keep === null) {
      setLocalErrors(["tiers: choose whether calls above the catalog's threshold keep its long-context tiers"])
      return
    }
    // The server checks the same schema; checking here first answers without a round trip.
    const local = ZPricesPut.safeParse({ prices: [price] }, { reportInput: true })
    setLocalErrors(local.success ? [] : issuesToLines(local.error.issues))
    if (!local.success) return
    const body = { prices: [price] } as unknown as TPricesPutBody // the fields as typed, checked against the schema just above
    put.mutate(body, {
      onSuccess: (answer) => {
        setSaved({ name: `${names.provider}/${names.model}`, warnings: answer.warnings })
        onDone?.()
      },
    })
  }

  const err = put.error instanceof ApiError ? put.error : null
  const lines = localErrors.length ? localErrors : (err?.lines ?? [])
  const fieldErr = (name: string) => lines.find((l) => l.startsWith(`prices.0.${name}:`))?.slice(`prices.0.${name}: `.length)
  const tierErrors = lines.filter((l) => /^(prices\.0\.(tiers|keep_catalog_tiers)|tiers)\b/.test(l))
  const id = (n: string) => `${idPrefix}-${n}`
  const setTier = (i: number, name: keyof TTierForm, v: string) => setTiers((ts) => ts.map((t, k) => (k === i ? { ...t, [name]: v } : t)))

  return (
    <form
      onSubmit={onSubmit}
      className="space-y-3"
      aria-label={model ? `Price for ${provider}/${model}` : initial ? `Correct ${initial.provider}/${initial.model}` : 'Add or correct a price'}
    >
      <div className="grid gap-3 sm:grid-cols-3">
        <Field label="Provider" htmlFor={id('provider')} error={fieldErr('provider')}>
          <Input
            id={id('provider')}
            name="provider"
            value={names.provider}
            onChange={(e) => setNames((n) => ({ ...n, provider: e.target.value }))}
            required
            invalid={!!fieldErr('provider')}
          />
        </Field>
        <Field label="Model" htmlFor={id('model')} error={fieldErr('model')} hint="Dated snapshots of it are covered too">
          <Input
            id={id('model')}
            name="model"
            value={names.model}
            onChange={(e) => setNames((n) => ({ ...n, model: e.target.value }))}
            required
            invalid={!!fieldErr('model')}
          />
        </Field>
        <Field label="Effective from (UTC)" htmlFor={id('effective_from')} error={fieldErr('effective_from')}>
          <Input
            id={id('effective_from')}
            name="effective_from"
            type="datetime-local"
            defaultValue={initial ? initial.effective_from.slice(0, 16) : todayUtc()}
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
              value={base[fld.name]}
              onChange={(e) => setBase((b) => ({ ...b, [fld.name]: e.target.value }))}
              invalid={!!fieldErr(fld.name)}
            />
          </Field>
        ))}
      </div>

      <fieldset className="rounded-md border border-slate-200 p-3" data-testid={`${idPrefix}-tiers`}>
        <legend className="px-1 text-sm font-medium text-slate-700">Long-context tiers</legend>
        <p className="mb-2 text-xs text-slate-500">
          A call whose input is above a tier&apos;s threshold is priced at the tier&apos;s rates for every token (USD per million tokens).
          {catalogTiers.length > 0 && <> The catalog&apos;s: {catalogTiers.map(tierText).join('; ')}.</>}
        </p>
        {tiers.map((t, i) => (
          <div key={i} className="mb-2 grid items-end gap-2 sm:grid-cols-6" data-testid="tier-row">
            {TIER_FIELDS.map((tf) => (
              <div key={tf.name}>
                <label htmlFor={id(`tier-${i}-${tf.name}`)} className="block text-xs text-slate-600">
                  Tier {i + 1} {tf.label}
                </label>
                <Input
                  id={id(`tier-${i}-${tf.name}`)}
                  inputMode={tf.name === 'above_input_tokens' ? 'numeric' : 'decimal'}
                  placeholder={tf.placeholder}
                  value={t[tf.name]}
                  onChange={(e) => setTier(i, tf.name, e.target.value)}
                />
              </div>
            ))}
            <Button type="button" variant="secondary" onClick={() => setTiers((ts) => ts.filter((_, k) => k !== i))}>
              Remove tier {i + 1}
            </Button>
          </div>
        ))}
        <div className="flex flex-wrap gap-2">
          <Button type="button" variant="secondary" onClick={() => setTiers((ts) => [...ts, emptyTier()])} disabled={tiers.length >= 10}>
            Add tier
          </Button>
          {catalogTiers.length > 0 && scaled && (
            <Button type="button" variant="secondary" onClick={() => setTiers(scaled.map(tierForm))}>
              Fill in the catalog&apos;s tiers, scaled
            </Button>
          )}
        </div>
        {asks && (
          <div role="radiogroup" aria-labelledby={id('keep-question')} className="mt-3 space-y-1 rounded-md bg-amber-50 p-2 text-sm">
            <p id={id('keep-question')} className="font-medium text-amber-900">
              The catalog prices {names.provider}/{names.model} higher above {formatCount(Math.min(...catalogTiers.map((t) => t.above_input_tokens)))} input
              tokens. This price has no tiers: what applies to those calls?
            </p>
            <label className="flex items-start gap-2">
              <input type="radio" name={id('keep')} checked={keep === 'keep'} onChange={() => setKeep('keep')} className="mt-1" />
              <span>
                Keep the catalog&apos;s tiers, scaled by the same discount
                {scaled && <span className="block text-xs text-slate-600">{scaled.map(tierText).join('; ')}</span>}
              </span>
            </label>
            <label className="flex items-start gap-2">
              <input type="radio" name={id('keep')} checked={keep === 'none'} onChange={() => setKeep('none')} className="mt-1" />
              <span>No tiers: this price for every call, whatever its size</span>
            </label>
          </div>
        )}
        {tierErrors.length > 0 && (
          <p className="mt-2 text-sm text-red-700" role="alert">
            {tierErrors.join('; ')}
          </p>
        )}
      </fieldset>

      <div className="flex items-center gap-3">
        <Button type="submit" disabled={put.isPending}>
          {put.isPending ? 'Saving…' : 'Save price and re-price events'}
        </Button>
        {saved && (
          <span role="status" className="text-sm text-emerald-700">
            Saved {saved.name}. Re-pricing the events it covers…
          </span>
        )}
      </div>
      {saved?.warnings.map((w) => (
        <Alert key={w} tone="warning">
          {w}
        </Alert>
      ))}
      {put.error && !err?.lines.length && !localErrors.length && <Alert>{put.error.message}</Alert>}
      {lines.some(
        (l) =>
          !FIELDS.some((f) => l.startsWith(`prices.0.${f.name}:`)) &&
          !/^prices\.0\.(provider|model|effective_from):/.test(l) &&
          !/^(prices\.0\.(tiers|keep_catalog_tiers)|tiers)\b/.test(l),
      ) && <Alert>{lines.join('; ')}</Alert>}
    </form>
  )
}
