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
): TSorter<K> & { rows: R[] } {
  const [sort, setSort] = useState<TSort<K> | null>(initial)
  const list = rows ?? []
  const sorted = sort ? sortRows(list, columns[sort.key], sort.dir) : [...list]
  return {
    sort,
    rows: sorted,
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
