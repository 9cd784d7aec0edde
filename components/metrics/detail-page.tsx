'use client'
import { ZoneNote } from '@/components/layout/time-zone'
import { scopeOf } from '@/components/calls/links'
import { callsHref } from '@/lib/calls/view'
import { micros, microsToUsd } from '@/lib/domain'
import Link from 'next/link'
import type { ReactNode } from 'react'
import { Alert, Card } from '@/components/ui'
import { FilterBar, PeriodsNote, type useUrlFilters } from '@/components/metrics/filters'
import { changeKpi } from '@/components/metrics/breakdown'
import { filtersQuery } from '@/lib/metrics/breakdown'
import { changesQuery } from '@/lib/changes/view'

type TUrlFilters = ReturnType<typeof useUrlFilters>

/**
 * The frame of a detail page (one workflow, one account): breadcrumb back to
 * its list with the same filters, heading, URL filters, the periods compared,
 * load errors, and the empty state when the item has no spend in view.
 */
export function DetailPage(p: {
  org: string
  url: TUrlFilters
  /** the list page: "workflows", "accounts" */
  list: { path: string; label: string }
  /** the item's name as its events carry it */
  name: string
  /** a level between the list and the item (a step's workflow) */
  parent?: { href: string; label: string }
  title: string
  subtitle: ReactNode
  error: Error | null
  /** no spend in this period nor the previous one */
  empty: boolean
  /** the event field the item is: workflow_id, account_id */
  field: string
  /** "What changed" for this item: the scope's query (e.g. { workflow_id }) */
  changes?: { workflow_id?: string; account_id?: string }
  /** the item's calls in the Calls explorer: its filters there (e.g. { workflow_id, step }) */
  calls?: { workflow_id?: string; step?: string; account_id?: string }
  children: ReactNode
}) {
  const { filters, update, periods } = p.url
  const listHref = `/${p.org}/${p.list.path}?${filtersQuery(filters)}`
  return (
    <div className="space-y-6">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href={listHref} className="text-brand-600 hover:underline">
          {p.list.label}
        </Link>{' '}
        <span aria-hidden>/</span>{' '}
        {p.parent && (
          <>
            <Link href={p.parent.href} className="text-brand-600 hover:underline">
              {p.parent.label}
            </Link>{' '}
            <span aria-hidden>/</span>{' '}
          </>
        )}
        <span className="font-medium text-slate-800">{p.name}</span>
      </nav>
      <div className="flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">{p.title}</h1>
          <p className="text-sm text-slate-600">
            {p.subtitle} <ZoneNote />
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-3">
          {p.changes && (
            <Link
              className="text-sm font-medium text-brand-600 hover:underline"
              href={`/${p.org}/changes?${changesQuery({ ...p.changes, environment: filters.environment, traffic_source: filters.traffic_source })}`}
            >
              What changed this week?
            </Link>
          )}
          {p.calls && (
            <Link className="text-sm font-medium text-brand-600 hover:underline" href={callsHref(p.org, { ...scopeOf(filters), ...p.calls })}>
              See the calls
            </Link>
          )}
          <FilterBar filters={filters} update={update} />
        </div>
      </div>
      <PeriodsNote periods={periods} range={filters.range} compare={filters.compare} />

      {p.error && <Alert>Could not load metrics: {p.error.message}</Alert>}

      {p.empty ? (
        <Card title={`No spend for ${p.name} in this period`}>
          <div className="space-y-3 text-sm text-slate-700">
            <p>
              No events with <code>{p.field}</code> “{p.name}” match this range and these filters, in this period or the one before.
            </p>
            <p>
              Pick a longer range or clear the filters, or go back to{' '}
              <Link className="font-medium text-brand-600 hover:underline" href={listHref}>
                all {p.list.label.toLowerCase()}
              </Link>
              .
            </p>
          </div>
        </Card>
      ) : (
        p.children
      )}
    </div>
  )
}

/** The spend KPI's hint: the change against the previous period, in dollars and percent. */
export function spendChangeHint(nowUsd: string, beforeUsd: string): string {
  const d = micros(nowUsd) - micros(beforeUsd)
  const r = micros(beforeUsd) === 0n ? null : Number(d) / Number(micros(beforeUsd))
  const kpi = changeKpi({ change_usd: microsToUsd(d), change_ratio: r })
  return r === null ? kpi.hint : `${kpi.value} (${kpi.hint}) vs the previous period`
}
