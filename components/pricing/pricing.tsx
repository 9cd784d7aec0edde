'use client'
import { moneyKey } from '@/lib/table/sort'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { When } from '@/components/layout/time-zone'
import { useState } from 'react'
import { Alert, Card, Input, Skeleton } from '@/components/ui'
import { PriceForm } from '@/components/pricing/price-form'
import { tierText } from '@/lib/prices/tiers'
import { useCatalog, useDiscrepancies, useOrgPrices, useRepriceJobs, useUnpriced } from '@/components/pricing/queries'
import { formatCount, formatUsd } from '@/lib/format'

// The question here: "is every call priced, with the right price, and what
// happened when I changed one?"

const perM = (v: string | null | undefined) => (v == null ? '—' : `$${v}`)

/**
 * A price row is the focused model's: "provider/model" names one provider's model exactly; a bare model name matches
 * that model under any provider (case-insensitive).
 */
export const isFocused = (focus: string, provider: string, model: string) => {
  const f = focus.toLowerCase()
  if (f === '') return false
  return f.includes('/') ? f === `${provider}/${model}`.toLowerCase() : f === model.toLowerCase()
}

export function Pricing({ org, canWrite, focus = '' }: { org: string; canWrite: boolean; focus?: string }) {
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Pricing</h1>
        <p className="text-sm text-slate-600">
          Every call is priced with the price in force at its timestamp: your own prices first, then the default catalog. Prices are USD per million tokens.
        </p>
      </div>
      <Unpriced org={org} canWrite={canWrite} />
      <RepriceJobs org={org} />
      {focus && (
        <p className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200" data-testid="price-focus">
          Showing the prices of <strong>{focus}</strong>: your own (highlighted) and the catalog&apos;s, searched below.
        </p>
      )}
      <OrgPrices org={org} canWrite={canWrite} focus={focus} />
      <Discrepancies org={org} />
      <Catalog org={org} focus={focus} />
    </div>
  )
}

function Unpriced({ org, canWrite }: { org: string; canWrite: boolean }) {
  const unpriced = useUnpriced(org)
  const [open, setOpen] = useState<string | null>(null)
  const sorter = useSort(unpriced.data?.models, {
    model: (m) => `${m.provider ?? ''}/${m.model ?? ''}`,
    events: (m) => m.events,
    first: (m) => m.first_seen,
    last: (m) => m.last_seen,
  })
  if (unpriced.isPending) return <Skeleton className="h-24" />
  if (unpriced.error) return <Alert>Could not load unpriced models: {unpriced.error.message}</Alert>
  const models = unpriced.data.models
  if (models.length === 0) return <Alert tone="success">Every event has a price.</Alert>
  return (
    <Card
      title={`Unpriced models (${models.length})`}
      subtitle="Calls to these models are counted but not in your spend until they have a price. Adding one re-prices them."
    >
      <table className="w-full text-left text-sm" data-testid="unpriced">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <SortTh sorter={sorter} k="model" className="py-2">
              Provider / model
            </SortTh>
            <SortTh sorter={sorter} k="events" term="unpriced" className="text-right">
              Events
            </SortTh>
            <SortTh sorter={sorter} k="first">
              First seen
            </SortTh>
            <SortTh sorter={sorter} k="last">
              Last seen
            </SortTh>
            <th />
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {sorter.rows.map((m) => {
            const key = `${m.provider ?? ''}/${m.model ?? ''}`
            return (
              <tr key={key} className="align-top">
                <td className="py-2 font-medium">
                  {m.provider ?? '(none)'}/{m.model ?? '(self-hosted, no pool price)'}
                  {open === key && canWrite && (
                    <div className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3">
                      <PriceForm
                        org={org}
                        provider={m.provider ?? ''}
                        model={m.model ?? ''}
                        idPrefix={`unpriced-${key.replace(/\W/g, '_')}`}
                        onDone={() => setOpen(null)}
                      />
                    </div>
                  )}
                </td>
                <td className="num text-right">{formatCount(m.events)}</td>
                <td>
                  <When t={m.first_seen} kind="date" />
                </td>
                <td>
                  <When t={m.last_seen} kind="date" />
                </td>
                <td className="text-right">
                  {canWrite && m.model && (
                    <button
                      type="button"
                      className="rounded-md px-2 py-1 text-sm font-medium text-brand-600 hover:bg-brand-50"
                      aria-expanded={open === key}
                      onClick={() => setOpen(open === key ? null : key)}
                    >
                      {open === key ? 'Cancel' : 'Add price'}
                    </button>
                  )}
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
    </Card>
  )
}

function RepriceJobs({ org }: { org: string }) {
  const jobs = useRepriceJobs(org)
  const list = jobs.data?.jobs ?? []
  if (jobs.error)
    return (
      <Card title="Re-pricing">
        <Alert>Could not load the re-pricing jobs: {jobs.error.message}</Alert>
      </Card>
    )
  if (list.length === 0) return null
  return (
    <Card title="Re-pricing" subtitle="After a price change, the events it covers are re-priced in the background and the rollups follow.">
      <ul className="space-y-3" data-testid="reprice-jobs">
        {list.slice(0, 5).map((j) => {
          const pct = j.total > 0 ? Math.min(100, Math.round((j.processed / j.total) * 100)) : j.status === 'done' ? 100 : 0
          return (
            <li key={j.id} className="text-sm">
              <div className="flex justify-between">
                <span className="font-medium">
                  {j.gpu_pool ? `GPU pool ${j.gpu_pool}` : `${j.provider}/${j.model}`}{' '}
                  {j.from && <span className="font-normal text-slate-500">from {j.from.slice(0, 16).replace('T', ' ')} UTC</span>}
                </span>
                <span className={j.status === 'failed' ? 'text-red-700' : 'text-slate-600'} data-status={j.status}>
                  {j.status === 'done'
                    ? `done: ${formatCount(j.changed)} of ${formatCount(j.total)} events changed`
                    : j.status === 'failed'
                      ? `failed: ${j.error}`
                      : `${j.status} ${pct}%`}
                </span>
              </div>
              <div
                className="mt-1 h-2 rounded bg-slate-100"
                role="progressbar"
                aria-valuenow={pct}
                aria-valuemin={0}
                aria-valuemax={100}
                aria-label="Re-pricing progress"
              >
                <div className={`h-2 rounded ${j.status === 'failed' ? 'bg-red-500' : 'bg-brand-500'}`} style={{ width: `${pct}%` }} />
              </div>
            </li>
          )
        })}
      </ul>
    </Card>
  )
}

function OrgPrices({ org, canWrite, focus }: { org: string; canWrite: boolean; focus: string }) {
  const prices = useOrgPrices(org)
  const [editing, setEditing] = useState<string | null>(null)
  const sorter = useSort(prices.data?.prices, {
    model: (p) => `${p.provider}/${p.model}`,
    from: (p) => p.effective_from,
    input: (p) => moneyKey(p.input_per_mtok),
    cached: (p) => moneyKey(p.cached_input_per_mtok),
    write: (p) => moneyKey(p.cache_write_per_mtok),
    output: (p) => moneyKey(p.output_per_mtok),
    request: (p) => moneyKey(p.per_request),
  })
  return (
    <Card title="Your prices" subtitle="Negotiated discounts, private or self-hosted models. They override the catalog from their effective date.">
      {prices.isPending ? (
        <Skeleton className="h-16" />
      ) : prices.error ? (
        <Alert>{prices.error.message}</Alert>
      ) : prices.data.prices.length === 0 && prices.data.gpu_pools.length === 0 ? (
        <p className="mb-4 text-sm text-slate-600">No prices of your own yet: the catalog below applies.</p>
      ) : (
        <table className="mb-4 w-full text-left text-sm" data-testid="org-prices">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <SortTh sorter={sorter} k="model" className="py-2">
                Provider / model or GPU pool
              </SortTh>
              <SortTh sorter={sorter} k="from">
                From (UTC)
              </SortTh>
              <SortTh sorter={sorter} k="input" className="text-right">
                Input
              </SortTh>
              <SortTh sorter={sorter} k="cached" className="text-right">
                Cached
              </SortTh>
              <SortTh sorter={sorter} k="write" className="text-right">
                Cache write
              </SortTh>
              <SortTh sorter={sorter} k="output" className="text-right">
                Output
              </SortTh>
              <SortTh sorter={sorter} k="request" className="text-right">
                Per request / GPU-hour
              </SortTh>
              {canWrite && <th className="sr-only">Actions</th>}
            </tr>
          </thead>
          <tbody className="num divide-y divide-slate-100">
            {sorter.rows.map((p) => {
              const key = `${p.provider}/${p.model}/${p.effective_from}`
              return (
                <tr
                  key={key}
                  className={`align-top ${isFocused(focus, p.provider, p.model) ? 'bg-amber-50' : ''}`}
                  data-price={`${p.provider}/${p.model}`}
                  data-focused={isFocused(focus, p.provider, p.model) || undefined}
                >
                  <td className="py-2 font-medium">
                    {p.provider}/{p.model}
                    {p.tiers?.length ? (
                      <div className="text-xs font-normal text-slate-500" data-testid="price-tiers">
                        Long-context tiers: {p.tiers.map(tierText).join('; ')}
                      </div>
                    ) : null}
                    {editing === key && (
                      <div className="mt-3 rounded-md border border-slate-200 bg-slate-50 p-3 font-normal">
                        <PriceForm org={org} initial={p} idPrefix={`edit-${key.replace(/\W/g, '_')}`} onDone={() => setEditing(null)} />
                      </div>
                    )}
                  </td>
                  <td>{p.effective_from.slice(0, 16).replace('T', ' ')}</td>
                  <td className="text-right">{perM(p.input_per_mtok)}</td>
                  <td className="text-right">{perM(p.cached_input_per_mtok)}</td>
                  <td className="text-right">{perM(p.cache_write_per_mtok)}</td>
                  <td className="text-right">{perM(p.output_per_mtok)}</td>
                  <td className="text-right">{perM(p.per_request)}</td>
                  {canWrite && (
                    <td className="text-right">
                      <button
                        type="button"
                        className="rounded-md px-2 py-1 text-sm font-medium text-brand-600 hover:bg-brand-50"
                        aria-expanded={editing === key}
                        onClick={() => setEditing(editing === key ? null : key)}
                      >
                        {editing === key ? 'Close' : `Edit ${p.provider}/${p.model}`}
                      </button>
                    </td>
                  )}
                </tr>
              )
            })}
            {prices.data.gpu_pools.map((g) => (
              <tr key={`${g.pool}/${g.effective_from}`}>
                <td className="py-2 font-medium">
                  GPU pool {g.pool} <span className="text-xs text-slate-500">({g.gpu_type})</span>
                </td>
                <td>{g.effective_from.slice(0, 16).replace('T', ' ')}</td>
                <td colSpan={4} />
                <td className="text-right">${g.gpu_hour_usd}/h</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {canWrite ? (
        <details className="rounded-md border border-slate-200 p-3">
          <summary className="cursor-pointer text-sm font-medium">Add or correct a price</summary>
          <div className="mt-3">
            <PriceForm org={org} idPrefix="new-price" />
          </div>
        </details>
      ) : (
        <p className="text-sm text-slate-500">Admins and engineers can add prices.</p>
      )}
    </Card>
  )
}

function Discrepancies({ org }: { org: string }) {
  const d = useDiscrepancies(org)
  const sorter = useSort(d.data?.models, {
    model: (m) => `${m.provider}/${m.model}`,
    calls: (m) => m.events,
    computed: (m) => moneyKey(m.computed_usd),
    reported: (m) => moneyKey(m.reported_usd),
    difference: (m) => moneyKey(m.difference_usd),
  })
  if (d.error)
    return (
      <Card title="Provider-reported cost differs">
        <Alert>Could not compare with the provider-reported cost: {d.error.message}</Alert>
      </Card>
    )
  if (!d.data || d.data.models.length === 0) return null
  return (
    <Card title="Provider-reported cost differs" subtitle="Calls whose provider-reported cost_usd differs from Outlay's by more than 1%, last 30 days.">
      <table className="w-full text-left text-sm" data-testid="discrepancies">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <SortTh sorter={sorter} k="model" className="py-2">
              Provider / model
            </SortTh>
            <SortTh sorter={sorter} k="calls" className="text-right">
              Calls
            </SortTh>
            <SortTh sorter={sorter} k="computed" className="text-right">
              Outlay
            </SortTh>
            <SortTh sorter={sorter} k="reported" className="text-right">
              Reported
            </SortTh>
            <SortTh sorter={sorter} k="difference" className="text-right">
              Difference
            </SortTh>
          </tr>
        </thead>
        <tbody className="num divide-y divide-slate-100">
          {sorter.rows.map((m) => (
            <tr key={`${m.provider}/${m.model}`}>
              <td className="py-2 font-medium">
                {m.provider}/{m.model}
              </td>
              <td className="text-right">{formatCount(m.events)}</td>
              <td className="text-right">{formatUsd(m.computed_usd)}</td>
              <td className="text-right">{formatUsd(m.reported_usd)}</td>
              <td className="text-right">{formatUsd(m.difference_usd)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  )
}

function Catalog({ org, focus }: { org: string; focus: string }) {
  // the focused model's bare name searches the catalog (its rows carry the provider apart)
  const [search, setSearch] = useState(() => focus.slice(focus.indexOf('/') + 1))
  const catalog = useCatalog(org, search)
  const cat = useSort(catalog.data?.models, {
    model: (m) => `${m.provider}/${m.model}`,
    input: (m) => moneyKey(m.input_per_mtok),
    cached: (m) => moneyKey(m.cached_input_per_mtok),
    write: (m) => moneyKey(m.cache_write_per_mtok),
    output: (m) => moneyKey(m.output_per_mtok),
    request: (m) => moneyKey(m.per_request),
    tiers: (m) => m.tiers?.length || null,
  })
  return (
    <Card title="Default catalog" subtitle={catalog.data ? `Source: ${catalog.data.source}` : undefined}>
      <label htmlFor="catalog-search" className="sr-only">
        Search the catalog
      </label>
      <Input
        id="catalog-search"
        type="search"
        placeholder="Search models, e.g. claude-sonnet or gpt-4o"
        value={search}
        onChange={(e) => setSearch(e.target.value)}
        className="mb-3 max-w-md"
      />
      {catalog.isPending ? (
        <Skeleton className="h-40" />
      ) : catalog.error ? (
        <Alert>{catalog.error.message}</Alert>
      ) : catalog.data.models.length === 0 ? (
        <p className="text-sm text-slate-600">No model matches “{search}”.</p>
      ) : (
        <div className="max-h-96 overflow-y-auto">
          <table className="w-full text-left text-sm" data-testid="catalog">
            <thead className="sticky top-0 bg-white text-xs uppercase text-slate-500">
              <tr>
                <SortTh sorter={cat} k="model" className="py-2">
                  Provider / model
                </SortTh>
                <SortTh sorter={cat} k="input" className="text-right">
                  Input
                </SortTh>
                <SortTh sorter={cat} k="cached" className="text-right">
                  Cached
                </SortTh>
                <SortTh sorter={cat} k="write" className="text-right">
                  Cache write
                </SortTh>
                <SortTh sorter={cat} k="output" className="text-right">
                  Output
                </SortTh>
                <SortTh sorter={cat} k="request" className="text-right">
                  Per request
                </SortTh>
                <SortTh sorter={cat} k="tiers">
                  Long context
                </SortTh>
              </tr>
            </thead>
            <tbody className="num divide-y divide-slate-100">
              {cat.rows.map((m) => (
                <tr
                  key={`${m.provider}/${m.model}`}
                  className={isFocused(focus, m.provider, m.model) ? 'bg-amber-50' : undefined}
                  data-focused={isFocused(focus, m.provider, m.model) || undefined}
                >
                  <td className="py-1.5 font-medium">
                    {m.provider}/{m.model}
                  </td>
                  <td className="text-right">{perM(m.input_per_mtok)}</td>
                  <td className="text-right">{perM(m.cached_input_per_mtok)}</td>
                  <td className="text-right">{perM(m.cache_write_per_mtok)}</td>
                  <td className="text-right">{perM(m.output_per_mtok)}</td>
                  <td className="text-right">{perM(m.per_request)}</td>
                  <td className="text-xs text-slate-600">
                    {m.tiers?.map((t) => `> ${formatCount(t.above_input_tokens)} tokens: $${t.input_per_mtok} / $${t.output_per_mtok}`).join('; ')}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}
