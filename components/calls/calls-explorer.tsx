'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import Link from 'next/link'
import { ErrorAlert } from '@/components/error-alert'
import { usePathname, useRouter, useSearchParams } from 'next/navigation'
import { type FormEvent, useMemo, useState } from 'react'
import { Button, Card, Input, Select, Skeleton } from '@/components/ui'
import { useCalls } from '@/components/calls/queries'
import { CallCost, OutcomeBadge } from '@/components/calls/outcome-badge'
import { DAY_PRESETS } from '@/lib/metrics/range'
import { callsApiQuery, callsUrlQuery, formatInstant, parseCallsUrl, runHref, type TCallsView } from '@/lib/calls/view'
import { ENVIRONMENTS, OUTCOMES, TRAFFIC_SOURCES } from '@/lib/domain'
import { formatCount, formatMs } from '@/lib/format'

// The question behind every figure: "which calls are these?" The filters live in the URL (a drill-down link from
// another page pre-sets them, and a filtered view can be shared); the table pages on with "Load more".

const TEXT_FILTERS = [
  { key: 'workflow_id', label: 'Workflow' },
  { key: 'step', label: 'Step' },
  { key: 'feature', label: 'Feature' },
  { key: 'account_id', label: 'Account' },
  { key: 'provider', label: 'Provider' },
  { key: 'model', label: 'Model' },
  { key: 'run_id', label: 'Run id' },
] as const
const SELECT_FILTERS = [
  { key: 'outcome', label: 'Outcome', values: OUTCOMES },
  { key: 'environment', label: 'Environment', values: ENVIRONMENTS },
  { key: 'traffic_source', label: 'Traffic source', values: TRAFFIC_SOURCES },
] as const

export function CallsExplorer({ org }: { org: string }) {
  const router = useRouter()
  const pathname = usePathname()
  const params = useSearchParams()
  const view = useMemo(() => parseCallsUrl(params), [params])
  const urlKey = callsUrlQuery(view)
  const query = useMemo(() => callsApiQuery(view), [view])
  const calls = useCalls(org, query)
  const rows = calls.data?.pages.flatMap((p) => p.calls) ?? null
  const apply = (next: Partial<TCallsView>) => router.push(`${pathname}?${callsUrlQuery(next)}`, { scroll: false })
  const filtered = Object.keys(view).some((k) => !['range', 'from', 'to'].includes(k))

  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Calls</h1>
        <p className="text-sm text-slate-600">
          Every call as it was ingested and priced, newest first: filter by any dimension, outcome or cost, and open a run to see its calls in order. Times are
          UTC.
        </p>
      </div>

      <FilterForm key={urlKey} view={view} onApply={apply} />

      {calls.error && <ErrorAlert error={calls.error} prefix="Could not load calls: " />}

      <Card
        title="Calls"
        subtitle={`${query.from.slice(0, 16).replace('T', ' ')} to ${query.to.slice(0, 16).replace('T', ' ')} UTC${rows ? ` · ${formatCount(rows.length)} shown` : ''}`}
      >
        {rows === null ? (
          calls.error ? null : (
            <Skeleton className="h-64" />
          )
        ) : rows.length === 0 ? (
          <div className="space-y-2 text-sm text-slate-700" data-testid="calls-empty">
            <p className="font-medium">No calls match{filtered ? ' these filters' : ''} in this period.</p>
            <p>
              {filtered ? 'Widen the period or clear a filter. ' : 'Choose a longer period, or '}
              {filtered ? (
                <button type="button" className="text-brand-700 underline" onClick={() => apply({ range: view.range })}>
                  Clear the filters
                </button>
              ) : (
                <>
                  send calls through the ingest API with a key from{' '}
                  <Link href={`/${org}/settings`} className="text-brand-700 underline">
                    Settings
                  </Link>{' '}
                  or through the{' '}
                  <Link href={`/${org}/settings/gateway`} className="text-brand-700 underline">
                    gateway
                  </Link>
                  : each one appears here within seconds.
                </>
              )}
            </p>
          </div>
        ) : (
          <>
            <CallsTable org={org} rows={rows} />
            <div className="mt-4 flex items-center gap-3">
              {calls.hasNextPage ? (
                <Button variant="secondary" onClick={() => calls.fetchNextPage()} disabled={calls.isFetchingNextPage}>
                  {calls.isFetchingNextPage ? 'Loading…' : 'Load more'}
                </Button>
              ) : (
                <span className="text-xs text-slate-500" data-testid="calls-end">
                  That is every call matching the filters in this period.
                </span>
              )}
            </div>
          </>
        )}
      </Card>
    </div>
  )
}

function FilterForm({ view, onApply }: { view: TCallsView; onApply: (v: Partial<TCallsView>) => void }) {
  const [draft, setDraft] = useState<TCallsView>(view)
  const set = (k: keyof TCallsView, v: string) => setDraft((d) => ({ ...d, [k]: k === 'range' ? Number(v) : v }))
  const submit = (e: FormEvent) => {
    e.preventDefault()
    onApply(draft)
  }
  const label = 'block text-xs font-medium text-slate-600'
  return (
    <form aria-label="Filters" onSubmit={submit} className="rounded-lg border border-slate-200 bg-white p-4 shadow-sm">
      <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4 xl:grid-cols-6">
        <div>
          <label htmlFor="c-range" className={label}>
            Period
          </label>
          <Select
            id="c-range"
            className="w-full"
            value={draft.from || draft.to ? '' : draft.range}
            onChange={(e) => setDraft((d) => ({ ...d, range: Number(e.target.value) || 30, from: '', to: '' }))}
          >
            {DAY_PRESETS.map((r) => (
              <option key={r.days} value={r.days}>
                {r.label}
              </option>
            ))}
            {(draft.from || draft.to) && <option value="">Custom dates</option>}
          </Select>
        </div>
        <div>
          <label htmlFor="c-from" className={label}>
            From (UTC, optional)
          </label>
          <Input id="c-from" type="date" value={draft.from.slice(0, 10)} onChange={(e) => set('from', e.target.value)} />
        </div>
        <div>
          <label htmlFor="c-to" className={label}>
            To (UTC, exclusive)
          </label>
          <Input id="c-to" type="date" value={draft.to.slice(0, 10)} onChange={(e) => set('to', e.target.value)} />
        </div>
        {TEXT_FILTERS.map((f) => (
          <div key={f.key}>
            <label htmlFor={`c-${f.key}`} className={label}>
              {f.label}
            </label>
            <Input
              id={`c-${f.key}`}
              value={draft[f.key] ?? ''}
              placeholder="any"
              title="One value, or several separated by commas"
              onChange={(e) => set(f.key, e.target.value)}
            />
          </div>
        ))}
        {SELECT_FILTERS.map((f) => (
          <div key={f.key}>
            <label htmlFor={`c-${f.key}`} className={label}>
              {f.label}
            </label>
            <Select id={`c-${f.key}`} className="w-full" value={draft[f.key] ?? ''} onChange={(e) => set(f.key, e.target.value)}>
              <option value="">Any</option>
              {/* a comma list from a link (e.g. retry,error) stays selectable as it is */}
              {draft[f.key]?.includes(',') && <option value={draft[f.key]}>{draft[f.key]}</option>}
              {f.values.map((v) => (
                <option key={v} value={v}>
                  {v}
                </option>
              ))}
            </Select>
          </div>
        ))}
        <div>
          <label htmlFor="c-min" className={label}>
            Min cost (USD)
          </label>
          <Input id="c-min" inputMode="decimal" placeholder="0.01" value={draft.min_cost_usd ?? ''} onChange={(e) => set('min_cost_usd', e.target.value)} />
        </div>
        <div>
          <label htmlFor="c-max" className={label}>
            Max cost (USD)
          </label>
          <Input id="c-max" inputMode="decimal" placeholder="any" value={draft.max_cost_usd ?? ''} onChange={(e) => set('max_cost_usd', e.target.value)} />
        </div>
        <div>
          <label htmlFor="c-unpriced" className={label}>
            Price
          </label>
          <Select id="c-unpriced" className="w-full" value={draft.unpriced ?? ''} onChange={(e) => set('unpriced', e.target.value)}>
            <option value="">Priced or not</option>
            <option value="false">Priced only</option>
            <option value="true">Unpriced only</option>
          </Select>
        </div>
      </div>
      <div className="mt-4 flex gap-2">
        <Button type="submit">Apply filters</Button>
        <Button type="button" variant="secondary" onClick={() => onApply({ range: draft.range })}>
          Clear
        </Button>
      </div>
    </form>
  )
}

function CallsTable({ org, rows }: { org: string; rows: import('@/lib/calls/schema').TCall[] }) {
  const th = 'px-2 py-2 font-medium'
  const td = 'num whitespace-nowrap px-2 py-1.5 text-right'
  // newest first as loaded (keyset pages); a header sorts the calls loaded so far
  const sorter = useSort(rows, {
    time: (c) => Date.parse(c.timestamp),
    step: (c) => `${c.workflow_id} / ${c.step}`,
    account: (c) => c.account_id,
    model: (c) => (c.model ? `${c.provider ?? '?'}/${c.model}` : null),
    outcome: (c) => c.outcome,
    tokens: (c) => c.tokens_in + c.tokens_out,
    latency: (c) => c.latency_ms,
    cost: (c) => moneyKey(c.cost_usd),
    run: (c) => c.run_id,
  })
  return (
    <div className="overflow-x-auto">
      {sorter.sort && (
        <p className="mb-2 text-xs text-slate-500" data-testid="calls-sorted-note">
          Sorted among the {formatCount(rows.length)} calls loaded; &ldquo;Load more&rdquo; adds older ones.
        </p>
      )}
      <table className="w-full text-sm" data-testid="calls-table">
        <caption className="sr-only">{sorter.sort ? 'Calls loaded, sorted by the pressed column' : 'Calls, newest first'}</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <SortTh sorter={sorter} k="time" className={`${th} pl-0 text-left`}>
              Time (UTC)
            </SortTh>
            <SortTh sorter={sorter} k="step" className={`${th} text-left`}>
              Workflow / step
            </SortTh>
            <SortTh sorter={sorter} k="account" className={`${th} text-left`}>
              Account
            </SortTh>
            <SortTh sorter={sorter} k="model" className={`${th} text-left`}>
              Provider / model
            </SortTh>
            <SortTh sorter={sorter} k="outcome" className={`${th} text-left`}>
              Outcome
            </SortTh>
            <SortTh sorter={sorter} k="tokens" className={`${th} text-right`} title="Input tokens / output tokens">
              Tokens in / out
            </SortTh>
            <SortTh sorter={sorter} k="latency" className={`${th} text-right`}>
              Latency
            </SortTh>
            <SortTh sorter={sorter} k="cost" className={`${th} text-right`}>
              Cost
            </SortTh>
            <SortTh sorter={sorter} k="run" className={`${th} pr-0 text-left`}>
              Run
            </SortTh>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((c) => (
            <tr key={c.id} className="border-t border-slate-100" data-testid="call-row" data-id={c.id}>
              <td className="num whitespace-nowrap py-1.5 pr-2 text-slate-600" title={`event ${c.id}`}>
                {formatInstant(c.timestamp).replace(' UTC', '')}
              </td>
              <td className="px-2">
                <div className="max-w-44 truncate" title={`${c.workflow_id} / ${c.step}`}>
                  <span className="font-medium">{c.workflow_id}</span> <span className="text-slate-500">/ {c.step}</span>
                </div>
              </td>
              <td className="px-2 text-slate-600">
                <div className="max-w-28 truncate">{c.account_id ?? '—'}</div>
              </td>
              <td className="px-2 text-slate-600">
                <div className="max-w-44 truncate" title={c.model ? `${c.provider ?? '?'}/${c.model}` : undefined}>
                  {c.model ? `${c.provider ?? '?'}/${c.model}` : '—'}
                </div>
              </td>
              <td className="px-2">
                <OutcomeBadge outcome={c.outcome} attempt={c.attempt} />
              </td>
              <td className={td}>
                {formatCount(c.tokens_in)} / {formatCount(c.tokens_out)}
              </td>
              <td className={td}>{formatMs(c.latency_ms)}</td>
              <td className={td}>
                <CallCost cost={c.cost_usd} />
              </td>
              <td className="whitespace-nowrap py-1.5 pl-2">
                {c.run_id ? (
                  <Link href={runHref(org, c.run_id)} className="font-mono text-xs text-brand-700 hover:underline" title="Open the run's calls in order">
                    {c.run_id.length > 14 ? `${c.run_id.slice(0, 13)}…` : c.run_id}
                  </Link>
                ) : (
                  <span className="text-slate-400">—</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}
