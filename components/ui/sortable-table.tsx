'use client'
import { useState, type ReactNode } from 'react'
import { ariaSort, firstDirection, nextSort, sortRows, type TSort, type TSortValue } from '@/lib/table/sort'
import { InfoTip } from '@/components/ui/info-tip'
import type { TMetricTerm } from '@/lib/metrics/definitions'

// The one way a table sorts by its columns (issue 21): useSort holds the sort and sorts the rows with
// lib/table/sort.ts (money by its exact value, nulls last, ties in the given order); SortTh is a column
// header whose button sorts, with aria-sort and a visible arrow.

export type TSortColumns<R, K extends string> = Record<K, (r: R) => TSortValue>

export type TSorter<K extends string> = {
  sort: TSort<K> | null
  onSort: (key: K) => void
}

/** The rows sorted by the pressed column (the given order until one is pressed, or by `initial`). */
export function useSort<R, K extends string>(
  rows: readonly R[] | null | undefined,
  columns: TSortColumns<R, K>,
  initial: TSort<K> | null = null,
): TSorter<K> & { rows: R[]; set: (s: TSort<K> | null) => void } {
  const [sort, setSort] = useState<TSort<K> | null>(initial)
  const list = rows ?? []
  const sorted = sort ? sortRows(list, columns[sort.key], sort.dir) : [...list]
  return {
    sort,
    rows: sorted,
    set: setSort,
    onSort: (key) => setSort((cur) => nextSort(cur, key, firstDirection(list, columns[key]))),
  }
}

/** A column header that sorts its table: press (click, Enter or Space) for the column's first direction, again to flip. */
export function SortTh<K extends string>({
  sorter,
  k,
  children,
  className = '',
  title,
  term,
  align,
}: {
  sorter: TSorter<K>
  k: K
  children: ReactNode
  className?: string
  title?: string
  /** the measure's glossary entry: an info icon with its definition */
  term?: TMetricTerm
  align?: 'left' | 'right'
}) {
  const state = ariaSort(sorter.sort, k)
  const right = align === 'right' || /\btext-right\b/.test(className)
  return (
    <th scope="col" className={className} title={title} aria-sort={state} data-sort-key={k}>
      <span className={`inline-flex items-center ${right ? 'flex-row-reverse' : ''}`}>
        <button
          type="button"
          className="inline-flex items-center gap-0.5 uppercase hover:text-slate-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-brand-500"
          onClick={() => sorter.onSort(k)}
        >
          {children}
          <span aria-hidden="true" className={state === 'none' ? 'text-slate-300' : 'text-slate-700'}>
            {state === 'ascending' ? '▲' : state === 'descending' ? '▼' : '↕'}
          </span>
        </button>
        {term && <InfoTip term={term} align={right ? 'right' : 'left'} />}
      </span>
    </th>
  )
}

/** A plain column header with the measure's info icon (a column that does not sort, or a KPI's label). */
export function TermTh({ children, term, className = '', title }: { children: ReactNode; term: TMetricTerm; className?: string; title?: string }) {
  const right = /\btext-right\b/.test(className)
  return (
    <th scope="col" className={className} title={title}>
      <span className={`inline-flex items-center ${right ? 'flex-row-reverse' : ''}`}>
        {children}
        <InfoTip term={term} align={right ? 'right' : 'left'} />
      </span>
    </th>
  )
}

/**
 * The same sort for a list that is not a table (budgets, alerts): a "Sort by" select over the list's columns, each in
 * its first direction or the other way; the first option keeps the list's own order.
 */
export function SortSelect<K extends string>({
  sorter,
  options,
  defaultLabel,
  id,
}: {
  sorter: TSorter<K> & { set: (s: TSort<K> | null) => void }
  options: { key: K; label: string; asc: string; desc: string }[]
  defaultLabel: string
  id: string
}) {
  const value = sorter.sort ? `${sorter.sort.key}:${sorter.sort.dir}` : ''
  return (
    <label htmlFor={id} className="inline-flex items-center gap-2 text-xs font-medium text-slate-600">
      Sort by
      <select
        id={id}
        value={value}
        className="rounded-md border border-slate-300 bg-white px-2 py-1 text-xs shadow-sm"
        onChange={(e) => {
          const [key, dir] = e.target.value.split(':') as [K, 'asc' | 'desc']
          sorter.set(e.target.value ? { key, dir } : null)
        }}
      >
        <option value="">{defaultLabel}</option>
        {options.flatMap((o) => [
          <option key={`${o.key}:desc`} value={`${o.key}:desc`}>
            {o.label}: {o.desc}
          </option>,
          <option key={`${o.key}:asc`} value={`${o.key}:asc`}>
            {o.label}: {o.asc}
          </option>,
        ])}
      </select>
    </label>
  )
}
