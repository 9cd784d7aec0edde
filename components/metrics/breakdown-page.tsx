'use client'
import { ZoneNote } from '@/components/layout/time-zone'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { Alert, Card } from '@/components/ui'
import { FilterBar, PeriodsNote, type useUrlFilters } from '@/components/metrics/filters'
import { NoMatch } from '@/components/metrics/breakdown'

type TUrlFilters = ReturnType<typeof useUrlFilters>

/**
 * The frame every breakdown page (accounts, workflows, features) shares:
 * heading and URL filters, the periods compared, load errors, the empty states
 * (no data at all, or nothing for these filters) and the "no <dimension> on
 * the spend" notice. The page's own tiles and table are its children.
 */
export function BreakdownPage(p: {
  org: string
  title: string
  subtitle: ReactNode
  url: TUrlFilters
  error: Error | null
  table: { rows: unknown[]; active: number } | null
  truncated: boolean
  /** plural noun of the rows: "accounts", "workflows", "features" */
  noun: string
  /** the event field the page splits by */
  field: string
  emptyTitle: string
  emptyIntro: ReactNode
  /** steps after "Create an API key" */
  emptySteps: ReactNode[]
  /** what the spend cannot be split by when no event carries the field */
  unsplitReason: string
  truncatedAlso?: string
  children: ReactNode
}) {
  const { filters, update, periods, filtered } = p.url
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">{p.title}</h1>
          <p className="text-sm text-slate-600">
            {p.subtitle} <ZoneNote />
          </p>
        </div>
        <FilterBar filters={filters} update={update} />
      </div>

      <PeriodsNote periods={periods} range={filters.range} compare={filters.compare} />

      {p.error && <Alert>Could not load metrics: {p.error.message}</Alert>}

      {p.table && p.table.rows.length === 0 ? (
        filtered ? (
          <NoMatch environment={filters.environment} trafficSource={filters.traffic_source} onClear={() => update({ environment: '', traffic_source: '' })} />
        ) : (
          <Card title={p.emptyTitle}>
            <div className="space-y-3 text-sm text-slate-700">
              <p>{p.emptyIntro}</p>
              <ol className="list-decimal space-y-1 pl-5">
                <li>
                  <Link className="font-medium text-brand-600 hover:underline" href={`/${p.org}/settings`}>
                    Create an API key
                  </Link>{' '}
                  with the <code>ingest</code> scope.
                </li>
                {p.emptySteps.map((s, i) => (
                  <li key={i}>{s}</li>
                ))}
              </ol>
            </div>
          </Card>
        )
      ) : (
        <>
          {p.table && p.table.active === 0 && (
            <Alert tone="info">
              None of the spend in this period carries {/^[aeiou]/.test(p.field) ? 'an' : 'a'} <code>{p.field}</code>, so it cannot be split by{' '}
              {p.unsplitReason}. Add <code>{p.field}</code> to the events your services send to <code>POST /api/v1/events</code>.
            </Alert>
          )}
          {p.truncated && (
            <Alert tone="warning">
              Too many {p.noun} × days for the daily trend: the sparklines{p.truncatedAlso ?? ''} may miss the latest days. Pick a shorter range.
            </Alert>
          )}
          {p.children}
        </>
      )}
    </div>
  )
}
