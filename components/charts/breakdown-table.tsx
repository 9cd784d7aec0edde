'use client'
import { SortTh, useSort } from '@/components/ui/sortable-table'
import { moneyKey } from '@/lib/table/sort'
import Link from 'next/link'
import type { TBreakdownItem } from '@/lib/metrics/prepare'
import { formatCount, formatPercent } from '@/lib/format'
import { Usd } from '@/components/ui/usd'

/** A ranked list with a share bar per row: reads like a table, compares like a chart. With `colorOf`, each bar has its row's series colour (theme.ts listColors). */
export function BreakdownTable({
  items,
  label,
  testId,
  href,
  otherHref,
  colorOf,
}: {
  items: TBreakdownItem[]
  label: string
  testId?: string
  /** the page that explains a row, when there is one ("Other" and "(none)" have none) */
  href?: (name: string) => string | null
  /** where the "Other" row leads: e.g. the calls of the names it sums */
  otherHref?: (members: string[]) => string | null
  /** the row's series colour; without it, every bar is the brand colour */
  colorOf?: (name: string) => string
}) {
  // "Other" sums the rest: it stays the last row whichever column sorts the others
  const ranked = items.filter((it) => it.name !== 'Other')
  const other = items.filter((it) => it.name === 'Other')
  const sorter = useSort(ranked, {
    name: (it) => it.name,
    cost: (it) => moneyKey(it.cost_usd),
    share: (it) => it.share,
    events: (it) => it.events,
  })
  return (
    <table className="w-full table-fixed text-sm" data-testid={testId}>
      <thead className="text-xs uppercase text-slate-500">
        <tr>
          <SortTh sorter={sorter} k="name" className="py-1.5 text-left font-medium">
            {label}
          </SortTh>
          <SortTh sorter={sorter} k="cost" className="w-24 text-right font-medium">
            Spend
          </SortTh>
          <SortTh sorter={sorter} k="share" className="w-16 text-right font-medium">
            Share
          </SortTh>
          <SortTh sorter={sorter} k="events" className="w-20 text-right font-medium">
            Events
          </SortTh>
        </tr>
      </thead>
      <tbody>
        {[...sorter.rows, ...other].map((it) => (
          <tr key={it.name} className="border-t border-slate-100" data-key={it.name} data-series-color={colorOf?.(it.name)}>
            <td className="py-1.5 pr-2">
              <div className="truncate font-medium" title={it.name}>
                {href && it.name !== 'Other' && it.name !== '(none)' && href(it.name) ? (
                  <Link href={href(it.name)!} className="text-brand-700 hover:underline">
                    {it.name}
                  </Link>
                ) : it.members?.length && otherHref?.(it.members) ? (
                  <Link href={otherHref(it.members)!} className="text-brand-700 hover:underline" title={`The calls of the ${it.members.length} others`}>
                    {it.name}
                  </Link>
                ) : (
                  it.name
                )}
              </div>
              <div className="mt-1 h-1.5 rounded bg-slate-100">
                <div
                  className={`h-1.5 rounded ${colorOf ? '' : 'bg-brand-500'}`}
                  style={{ width: `${Math.max(1, it.share * 100)}%`, background: colorOf?.(it.name) }}
                />
              </div>
            </td>
            <td className="num text-right" data-cost={it.cost_usd}>
              <Usd value={it.cost_usd} unpriced={it.unpriced_events} />
            </td>
            <td className="num text-right text-slate-600">{formatPercent(it.share)}</td>
            <td className="num text-right text-slate-600">{formatCount(it.events)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}
