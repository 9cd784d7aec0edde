// How every table in the dashboard sorts (issue 21 "every table sortable by its
// columns"): one comparator, one "next state on a header press" rule. Pure and
// client-safe; components/ui/sortable-table.tsx is the React side.
import { micros } from '@/lib/domain'

/**
 * A cell's sort value: a number, an exact amount (bigint, e.g. micro-dollars: money sorts by
 * its value, never by the formatted text), text, or nothing (null / undefined: always last).
 */
export type TSortValue = number | bigint | string | null | undefined
export type TSortDir = 'asc' | 'desc'
export type TSort<K extends string = string> = { key: K; dir: TSortDir }

/** Money for sorting: a USD decimal string (or number) as integer micro-dollars; null stays null. */
export function moneyKey(usd: string | number | null | undefined): bigint | null {
  if (usd === null || usd === undefined || usd === '') return null
  return micros(usd)
}

const isNone = (v: TSortValue): v is null | undefined => v === null || v === undefined || (typeof v === 'number' && Number.isNaN(v))

/** Two present values in ascending order: numbers and bigints by value, text by locale with digits read as numbers. */
function ascending(a: Exclude<TSortValue, null | undefined>, b: Exclude<TSortValue, null | undefined>): number {
  if (typeof a === 'string' || typeof b === 'string') return String(a).localeCompare(String(b), 'en', { numeric: true, sensitivity: 'base' })
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0
  // a number against a bigint: compare as numbers (only mixed columns do this)
  const x = Number(a)
  const y = Number(b)
  return x < y ? -1 : x > y ? 1 : 0
}

/** Compares two sort values in the direction; nothing is last whichever the direction. */
export function compareSortValues(a: TSortValue, b: TSortValue, dir: TSortDir): number {
  const na = isNone(a)
  const nb = isNone(b)
  if (na || nb) return na === nb ? 0 : na ? 1 : -1
  const c = ascending(a as never, b as never)
  return dir === 'asc' ? c : -c
}

/** The rows sorted by a column's value (stable: ties keep their order); the rows as given without a value function. */
export function sortRows<R>(rows: readonly R[], value: ((r: R) => TSortValue) | undefined, dir: TSortDir): R[] {
  if (!value) return [...rows]
  const keyed = rows.map((r, i) => ({ r, i, v: value(r) }))
  keyed.sort((a, b) => compareSortValues(a.v, b.v, dir) || a.i - b.i)
  return keyed.map((k) => k.r)
}

/**
 * The sort after pressing a column's header: a new column starts in its first direction
 * (largest first for figures, A→Z for text), the same column flips.
 */
export function nextSort<K extends string>(cur: TSort<K> | null, key: K, firstDir: TSortDir = 'desc'): TSort<K> {
  if (cur?.key === key) return { key, dir: cur.dir === 'asc' ? 'desc' : 'asc' }
  return { key, dir: firstDir }
}

/** The first direction for a column: A→Z when its values are text, largest first otherwise. */
export function firstDirection<R>(rows: readonly R[], value: (r: R) => TSortValue): TSortDir {
  for (const r of rows) {
    const v = value(r)
    if (!isNone(v)) return typeof v === 'string' ? 'asc' : 'desc'
  }
  return 'desc'
}

/** aria-sort of a column header. */
export const ariaSort = (sort: TSort | null, key: string): 'ascending' | 'descending' | 'none' =>
  sort?.key === key ? (sort.dir === 'asc' ? 'ascending' : 'descending') : 'none'
