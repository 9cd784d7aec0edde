import Link from 'next/link'
import type { TExtraColumn } from '@/components/metrics/breakdown'
import type { TBreakdownFilters } from '@/lib/metrics/breakdown'
import { callsHref, callsPeriod } from '@/lib/calls/view'

// Drill-down into the Calls explorer from the pages' rows: the page's period and scope filters plus the row's own.

/** A page's filters (range, environment, traffic source) as the explorer's. */
export const scopeOf = (f: TBreakdownFilters) => ({ ...callsPeriod(f.range), environment: f.environment, traffic_source: f.traffic_source })

export function CallsLink({ href, label = 'Calls', title }: { href: string; label?: string; title?: string }) {
  return (
    <Link href={href} className="text-xs font-medium text-brand-700 hover:underline" title={title ?? 'The individual calls behind this figure'}>
      {label}
    </Link>
  )
}

/** The "Calls" column of a breakdown table: a link per row with a key the explorer can filter on. */
export function callsColumn<R extends { key: string }>(
  org: string,
  filters: TBreakdownFilters,
  field: 'workflow_id' | 'feature' | 'account_id',
  none: string,
): TExtraColumn<R> {
  return {
    header: 'Calls',
    title: 'Open the individual calls in the Calls explorer',
    cell: (r) => (r.key === none ? null : <CallsLink href={callsHref(org, { ...scopeOf(filters), [field]: r.key })} title={`The calls of ${r.key}`} />),
  }
}
