'use client'
import Link from 'next/link'
import { type FormEvent, useState } from 'react'
import { Alert, Button, Card, Field, Input, Kpi, Select, Skeleton } from '@/components/ui'
import { useReconciliation } from '@/components/bills/queries'
import { SortTh, type TSortColumns, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import { formatCount, formatPercent, formatUsd } from '@/lib/format'
import type { TReconciliationAnswer } from '@/lib/bills/schema'
import { useCan } from '@/components/layout/role-context'

// The Reconciliation page: do Outlay's numbers match the invoice, and where not, why? The totals first (billed,
// computed, the difference, the billed spend no event explains), then every provider × model × day with the
// difference in dollars and as a share of the bill, flagged past 1% (docs/finance.md).

type TQuery = { from?: string; to?: string; granularity: 'day' | 'month' }

const signedUsd = (usd: string) => (Number(usd) > 0 ? `+${formatUsd(usd, { precise: true })}` : formatUsd(usd, { precise: true }))
const signedPct = (r: number | null) => (r === null ? '—' : `${r > 0 ? '+' : ''}${formatPercent(r, 2)}`)

export function Reconciliation({ org, initial }: { org: string; initial: TQuery }) {
  const canExport = useCan('exports.read')
  const [q, setQ] = useState<TQuery>(initial)
  const [draft, setDraft] = useState<TQuery>(initial)
  const rec = useReconciliation(org, q)

  function apply(e: FormEvent) {
    e.preventDefault()
    setQ({ from: draft.from || undefined, to: draft.to || undefined, granularity: draft.granularity })
    const u = new URL(window.location.href)
    for (const k of ['from', 'to', 'granularity'] as const) {
      const v = draft[k]
      if (v) u.searchParams.set(k, v)
      else u.searchParams.delete(k)
    }
    window.history.replaceState(null, '', u)
  }

  return (
    <div className="space-y-6">
      <form onSubmit={apply} className="flex flex-wrap items-end gap-3">
        <Field label="From" htmlFor="rec-from">
          <Input id="rec-from" type="date" value={draft.from ?? rec.data?.from ?? ''} onChange={(e) => setDraft({ ...draft, from: e.target.value })} />
        </Field>
        <Field label="To (exclusive)" htmlFor="rec-to">
          <Input id="rec-to" type="date" value={draft.to ?? rec.data?.to ?? ''} onChange={(e) => setDraft({ ...draft, to: e.target.value })} />
        </Field>
        <Field label="Rows per" htmlFor="rec-granularity">
          <Select id="rec-granularity" value={draft.granularity} onChange={(e) => setDraft({ ...draft, granularity: e.target.value as TQuery['granularity'] })}>
            <option value="day">day</option>
            <option value="month">month</option>
          </Select>
        </Field>
        <Button type="submit" variant="secondary">
          Show
        </Button>
        {rec.data && canExport && (
          // the page's range as Outlay's priced usage in FOCUS (docs/finance.md "FOCUS export"): for a role that may export (exports.read)
          <a
            href={`/api/v1/exports/focus?org=${encodeURIComponent(org)}&from=${rec.data.from}&to=${rec.data.to}`}
            download
            data-testid="export-focus"
            className="inline-flex items-center rounded-md border border-slate-300 bg-white px-3.5 py-2 text-sm font-medium text-slate-800 hover:bg-slate-50"
          >
            Export FOCUS CSV
          </a>
        )}
      </form>
      {rec.isError ? (
        <Alert>{rec.error.message}</Alert>
      ) : (
        <>
          <Totals d={rec.data ?? null} />
          {rec.data && rec.data.totals.after_period.length > 0 && (
            <Alert tone="info">
              {rec.data.totals.after_period.map((a) => (
                <p key={a.provider} data-testid="after-period">
                  {a.provider}: {formatUsd(a.computed_usd, { precise: true })} of events after the bills’ last day ({a.last_billed_day}) in the same month: the
                  bill’s period ended first (exported before the month closed?). Not compared; re-import the bill when the month is closed.
                </p>
              ))}
            </Alert>
          )}
          <Card
            title="Computed against billed"
            subtitle="Per provider × model × day of the providers the bills cover, over their bills’ days. Difference = billed − computed; ratio = difference ÷ billed; flagged past 1%."
          >
            {rec.isPending ? <Skeleton className="h-40 w-full" /> : <Rows org={org} d={rec.data} />}
          </Card>
        </>
      )}
    </div>
  )
}

function Totals({ d }: { d: TReconciliationAnswer | null }) {
  const t = d?.totals
  const off = t ? t.flagged_rows > 0 : false
  return (
    <div className="grid grid-cols-2 gap-4 lg:grid-cols-5" data-testid="reconciliation-totals">
      <Kpi
        label="Billed"
        value={t ? formatUsd(t.billed_usd, { precise: true }) : null}
        hint={t ? `${t.providers.join(', ') || 'no bill'} in the range` : undefined}
        testId="total-billed"
      />
      <Kpi
        label="Computed by Outlay"
        value={t ? formatUsd(t.computed_usd, { precise: true }) : null}
        hint="from the events, for the billed providers and days"
        testId="total-computed"
      />
      <Kpi
        label="Difference"
        value={t ? signedUsd(t.difference_usd) : null}
        hint={t ? `${signedPct(t.difference_ratio)} of the bill · ${formatCount(t.flagged_rows)} row${t.flagged_rows === 1 ? '' : 's'} flagged` : undefined}
        warn={off}
        testId="total-difference"
      />
      <Kpi
        label="Unexplained"
        value={t ? formatUsd(t.unexplained_usd, { precise: true }) : null}
        hint={t ? `${t.unexplained_share === null ? '—' : formatPercent(t.unexplained_share, 2)} of billed spend no event explains` : undefined}
        warn={t ? Number(t.unexplained_usd) > 0 : false}
        testId="total-unexplained"
      />
      <Kpi
        label="Computed, not billed"
        value={t ? formatUsd(t.unbilled_computed_usd, { precise: true }) : null}
        hint="providers or days no imported bill covers"
        testId="total-unbilled"
      />
    </div>
  )
}

type TRow = TReconciliationAnswer['rows'][number]
const ROW_SORT: TSortColumns<TRow, 'day' | 'provider' | 'model' | 'computed' | 'billed' | 'difference' | 'ratio'> = {
  day: (r) => r.day,
  provider: (r) => r.provider,
  model: (r) => r.model,
  computed: (r) => moneyKey(r.computed_usd),
  billed: (r) => moneyKey(r.billed_usd),
  difference: (r) => moneyKey(r.difference_usd),
  ratio: (r) => r.difference_ratio,
}

function Rows({ org, d }: { org: string; d: TReconciliationAnswer }) {
  const sorter = useSort(d.rows, ROW_SORT)
  if (d.rows.length === 0)
    return (
      <p className="text-sm text-slate-600">
        No bill covers {d.from} – {d.to}.{' '}
        <Link className="text-brand-600 hover:underline" href={`/${org}/reports/bills`}>
          Import one
        </Link>
        .
      </p>
    )
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-left text-sm" data-testid="reconciliation-rows">
        <thead className="text-xs uppercase tracking-wide text-slate-500">
          <tr>
            <SortTh sorter={sorter} k="day" className="py-2 pr-4 font-medium">
              {d.granularity === 'month' ? 'Month' : 'Day'}
            </SortTh>
            <SortTh sorter={sorter} k="provider" className="py-2 pr-4 font-medium">
              Provider
            </SortTh>
            <SortTh sorter={sorter} k="model" className="py-2 pr-4 font-medium">
              Model
            </SortTh>
            <SortTh sorter={sorter} k="computed" className="py-2 pr-4 text-right font-medium">
              Computed
            </SortTh>
            <SortTh sorter={sorter} k="billed" className="py-2 pr-4 text-right font-medium">
              Billed
            </SortTh>
            <SortTh sorter={sorter} k="difference" className="py-2 pr-4 text-right font-medium">
              Difference
            </SortTh>
            <SortTh sorter={sorter} k="ratio" className="py-2 pr-4 text-right font-medium">
              Ratio
            </SortTh>
            <th scope="col" className="py-2 pr-4 font-medium">
              Likely cause
            </th>
          </tr>
        </thead>
        <tbody>
          {sorter.rows.map((r) => (
            <tr
              key={`${r.day} ${r.provider} ${r.model}`}
              className={`border-t border-slate-100 ${r.flagged ? 'bg-amber-50' : ''}`}
              data-testid="reconciliation-row"
              data-day={r.day}
              data-provider={r.provider}
              data-model={r.model ?? ''}
              data-flagged={r.flagged ? 'true' : 'false'}
            >
              <td className="py-2 pr-4 whitespace-nowrap">{d.granularity === 'month' ? r.day.slice(0, 7) : r.day}</td>
              <td className="py-2 pr-4">{r.provider}</td>
              <td className="py-2 pr-4">{r.model ?? <span className="text-slate-500">no model (tools, tax, credits)</span>}</td>
              <td className="num py-2 pr-4 text-right" data-testid="row-computed" data-usd={r.computed_usd}>
                {formatUsd(r.computed_usd, { precise: true })}
              </td>
              <td className="num py-2 pr-4 text-right" data-testid="row-billed" data-usd={r.billed_usd}>
                {formatUsd(r.billed_usd, { precise: true })}
              </td>
              <td
                className={`num py-2 pr-4 text-right ${r.flagged ? 'font-medium text-amber-800' : ''}`}
                data-testid="row-difference"
                data-usd={r.difference_usd}
              >
                {signedUsd(r.difference_usd)}
              </td>
              <td className="num py-2 pr-4 text-right">{signedPct(r.difference_ratio)}</td>
              <td className="py-2 pr-4 text-xs text-slate-600">{r.flagged ? <Cause org={org} row={r} /> : null}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

/** The row's likely causes, read from the data by the server (lib/bills/causes.ts); the pricing page holds the model's price. */
function Cause({ org, row }: { org: string; row: TReconciliationAnswer['rows'][number] }) {
  return (
    <span>
      {row.causes.length > 0 && (
        <ul className="space-y-0.5" data-testid="row-causes">
          {row.causes.map((c) => (
            <li key={c.kind} data-kind={c.kind}>
              {c.message}
            </li>
          ))}
        </ul>
      )}
      {row.model && (
        <Link className="text-brand-600 hover:underline" href={`/${org}/pricing?model=${encodeURIComponent(`${row.provider}/${row.model}`)}`}>
          {row.model}’s price
        </Link>
      )}
    </span>
  )
}
