'use client'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { SortTh, TermTh, useSort, type TSortColumns } from '@/components/ui/sortable-table'
import { moneyKey, type TSort, type TSortValue } from '@/lib/table/sort'
import type { TMetricTerm } from '@/lib/metrics/definitions'
import { Sparkline } from '@/components/charts/sparkline'
import { listColors } from '@/components/charts/theme'
import { Button, Card, Skeleton } from '@/components/ui'
import { Usd } from '@/components/ui/usd'
import { formatPercent, formatUsd } from '@/lib/format'
import type { TBreakdownRow } from '@/lib/metrics/breakdown'

// Table scaffolding shared by the "spend by <dimension>" pages: the columns
// every one of them has (key, spend, share, change, daily spend), KPI tiles,
// top movers, the "nothing matches these filters" card, and the CSV download.

export type TExtraColumn<R> = {
  header: string
  title?: string
  cell: (r: R) => ReactNode
  /** the column's sort value (money: moneyKey; null: always last); without it the column does not sort */
  sortValue?: (r: R) => TSortValue
  /** the measure's glossary entry: an info icon with its definition in the header */
  term?: TMetricTerm
}

export function BreakdownTable<R extends TBreakdownRow>({
  rows,
  days,
  keyHeader,
  none,
  noneTitle,
  caption,
  testId,
  columns,
  href,
  compare = true,
  initialSort = null,
  orgNames,
}: {
  rows: R[]
  days: string[]
  keyHeader: string
  none: string
  noneTitle: string
  caption: string
  testId: string
  columns: TExtraColumn<R>[]
  /** the page that explains a row (its detail page), when there is one */
  href?: (r: R) => string | null
  /** "compare with the previous period" (the range picker): off hides the Change columns */
  compare?: boolean
  /** the order before a header is pressed (default: the rows as given) */
  initialSort?: TSort | null
  /** the organization's names of the dimension (org-colors.ts useOrgNames): each row's colour is its colour on every page */
  orgNames?: readonly string[]
}) {
  const th = 'px-2 py-2 font-medium'
  const sortColumns: TSortColumns<R, string> = {
    key: (r) => r.key,
    cost: (r) => moneyKey(r.cost_usd),
    share: (r) => r.share,
    change: (r) => moneyKey(r.change_usd),
    change_pct: (r) => r.change_ratio,
    ...Object.fromEntries(columns.flatMap((c) => (c.sortValue ? [[c.header, c.sortValue]] : []))),
  }
  const sorter = useSort(rows, sortColumns, initialSort)
  // a sort by a hidden column (Change with compare off) falls back to the table's own order
  const shown = !compare && sorter.sort && (sorter.sort.key === 'change' || sorter.sort.key === 'change_pct') ? rows : sorter.rows
  // each row in its series colour: the colours of the keys with spend in the period, as the overview and the charts colour them
  const colorOf = listColors(
    rows.filter((r) => r.events > 0).map((r) => r.key),
    [none],
    orgNames,
  )
  return (
    <div className="overflow-x-auto">
      <table className="w-full text-sm" data-testid={testId}>
        <caption className="sr-only">{caption}</caption>
        <thead className="text-xs uppercase text-slate-500">
          <tr className="border-b border-slate-200">
            <SortTh sorter={sorter} k="key" className={`${th} pl-0 text-left`}>
              {keyHeader}
            </SortTh>
            <SortTh sorter={sorter} k="cost" term="spend" className={`${th} text-right`}>
              Spend
            </SortTh>
            <SortTh sorter={sorter} k="share" term="share" className={`${th} text-right`}>
              Share
            </SortTh>
            {compare && (
              <SortTh sorter={sorter} k="change" term="change" className={`${th} text-right`}>
                Change
              </SortTh>
            )}
            {compare && (
              <SortTh sorter={sorter} k="change_pct" className={`${th} text-right`} title="Change ÷ spend in the previous period">
                Change %
              </SortTh>
            )}
            <th scope="col" className={`${th} text-left`} title={days.length ? `One point per UTC day, ${days[0]} to ${days[days.length - 1]}` : undefined}>
              Daily spend
            </th>
            {columns.map((c, i) =>
              c.sortValue ? (
                <SortTh
                  key={c.header}
                  sorter={sorter}
                  k={c.header}
                  term={c.term}
                  title={c.title}
                  className={`${th} text-right ${i === columns.length - 1 ? 'pr-0' : ''}`}
                >
                  {c.header}
                </SortTh>
              ) : c.term ? (
                <TermTh key={c.header} term={c.term} title={c.title} className={`${th} text-right ${i === columns.length - 1 ? 'pr-0' : ''}`}>
                  {c.header}
                </TermTh>
              ) : (
                <th key={c.header} scope="col" className={`${th} text-right ${i === columns.length - 1 ? 'pr-0' : ''}`} title={c.title}>
                  {c.header}
                </th>
              ),
            )}
          </tr>
        </thead>
        <tbody>
          {shown.map((r) => (
            <tr key={r.key} className="border-t border-slate-100" data-key={r.key} data-series-color={colorOf(r.key)}>
              <th
                scope="row"
                className={`py-1.5 pr-2 text-left font-medium ${r.key === none ? 'italic text-slate-500' : ''}`}
                title={r.key === none ? noneTitle : r.key}
              >
                <div className="flex max-w-56 items-center gap-1.5">
                  <span aria-hidden="true" className="inline-block h-2.5 w-2.5 shrink-0 rounded-sm" style={{ background: colorOf(r.key) }} />
                  <span className="truncate">
                    {href?.(r) ? (
                      <Link href={href(r)!} className="text-brand-700 hover:underline">
                        {r.key}
                      </Link>
                    ) : (
                      r.key
                    )}
                  </span>
                </div>
              </th>
              <td className="num px-2 text-right" data-cost={r.cost_usd}>
                <Usd value={r.cost_usd} unpriced={r.unpriced_events} />
              </td>
              <td className="num px-2 text-right text-slate-600">{formatPercent(r.share)}</td>
              {compare && (
                <td
                  className={`num px-2 text-right ${changeTone(r.change_usd)}`}
                  data-change={r.change_usd}
                  title={`${formatUsd(r.previous_cost_usd, { precise: true })} → ${formatUsd(r.cost_usd, { precise: true })}`}
                >
                  {r.change_usd === '0.000000' ? '—' : signedCents(r.change_usd)}
                </td>
              )}
              {compare && (
                <td className={`num px-2 text-right ${changeTone(r.change_usd)}`}>
                  {r.is_new ? <NewBadge /> : r.change_ratio === null ? '—' : signedPercent(r.change_ratio)}
                </td>
              )}
              <td className="px-2 py-1">
                {r.daily ? (
                  <Sparkline values={r.daily} label={sparkLabel(r.key, r.daily, days)} color={colorOf(r.key)} />
                ) : (
                  <span className="text-xs text-slate-400" title="Daily trends are drawn for the largest by spend only">
                    —
                  </span>
                )}
              </td>
              {columns.map((c, i) => (
                <td key={c.header} className={`num text-right ${i === columns.length - 1 ? 'pl-2' : 'px-2'}`}>
                  {c.cell(r)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

export function TopMovers({
  movers,
  subtitle,
  empty,
  href,
}: {
  movers: TBreakdownRow[] | null
  subtitle: string
  empty: string
  /** where a mover leads (its page, or its calls) */
  href?: (r: TBreakdownRow) => string | null
}) {
  return (
    <Card title="Top movers" subtitle={subtitle}>
      {movers ? (
        movers.length ? (
          <ol className="divide-y divide-slate-100 text-sm" data-testid="top-movers">
            {movers.map((r, i) => (
              <li key={r.key} className="flex flex-wrap items-baseline gap-x-3 py-1.5">
                <span className="num w-4 text-slate-400">{i + 1}</span>
                <span className="min-w-0 flex-1 truncate font-medium" title={r.key}>
                  {href?.(r) ? (
                    <Link href={href(r)!} className="text-brand-700 hover:underline">
                      {r.key}
                    </Link>
                  ) : (
                    r.key
                  )}
                </span>
                <span className="num font-semibold text-amber-700">{signedCents(r.change_usd)}</span>
                <span className="num w-16 text-right text-slate-600">{r.is_new ? <NewBadge /> : signedPercent(r.change_ratio ?? 0)}</span>
                <span className="num w-48 text-right text-xs text-slate-500">
                  {formatUsd(r.previous_cost_usd)} → {formatUsd(r.cost_usd)}
                </span>
              </li>
            ))}
          </ol>
        ) : (
          <p className="text-sm text-slate-600">{empty}</p>
        )
      ) : (
        <Skeleton className="h-36" />
      )}
    </Card>
  )
}

/** Shown when the filters leave nothing, in this period or the one before. */
export function NoMatch({ environment, trafficSource, onClear }: { environment: string; trafficSource: string; onClear: () => void }) {
  return (
    <Card title="No spend for these filters">
      <div className="space-y-3 text-sm text-slate-700">
        <p>
          No events match {[environment && `environment ${environment}`, trafficSource && `traffic source ${trafficSource}`].filter(Boolean).join(' and ')} in
          this period or the one before.
        </p>
        <Button variant="secondary" onClick={onClear}>
          Clear filters
        </Button>
      </div>
    </Card>
  )
}

export function NewBadge() {
  return (
    <span className="rounded bg-sky-50 px-1.5 py-0.5 text-xs font-medium text-sky-800" title="No spend in the previous period">
      new
    </span>
  )
}

const changeTone = (change: string) => (change.startsWith('-') ? 'text-emerald-700' : change === '0.000000' ? 'text-slate-500' : 'text-amber-700')

/** A signed change in money as every figure is shown (lib/format.ts formatUsd: small changes keep three significant digits). */
export function signedCents(v: string): string {
  const n = Number(v)
  return `${n < 0 ? '-' : '+'}${formatUsd(Math.abs(n))}`
}
export const signedPercent = (r: number) => (r > 0 ? `+${formatPercent(r)}` : formatPercent(r))

/** The change KPI's value and hint for a table's totals. */
export function changeKpi(t: { change_usd: string; change_ratio: number | null }): { value: string; hint: string } {
  return {
    value: t.change_usd === '0.000000' ? '$0.00' : signedCents(t.change_usd),
    hint: t.change_ratio === null ? 'No spend in the previous period' : signedPercent(t.change_ratio),
  }
}

function sparkLabel(key: string, daily: number[], days: string[]): string {
  let peak = 0
  for (let i = 1; i < daily.length; i++) if (daily[i] > daily[peak]) peak = i
  if (!days.length || daily[peak] === 0) return `Daily spend of ${key}: none in this period`
  return `Daily spend of ${key}, ${days[0]} to ${days[days.length - 1]}: highest ${formatUsd(daily[peak])} on ${days[peak]}, last day ${formatUsd(daily[daily.length - 1])}`
}

export function downloadCsv(filename: string, text: string, type = 'text/csv') {
  const url = URL.createObjectURL(new Blob([text], { type: `${type};charset=utf-8` }))
  const a = document.createElement('a')
  a.href = url
  a.download = filename
  document.body.appendChild(a)
  a.click()
  a.remove()
  // Revoked a moment later: some browsers read the blob after click() returns.
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
