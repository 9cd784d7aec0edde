import { normalizeDecimal } from '@/lib/cost/money'
import { micros } from '@/lib/domain'
import type { TRejectedRow } from '@/lib/accounts/schema'

// Reading revenue rows (PUT /api/v1/accounts/revenue), one at a time, from JSON objects or CSV cells. Pure: a row
// that cannot be read is refused with its field and reason; the others are kept (lib/accounts/revenue.ts writes them).

export type TRevenueInput = { row: number; account_id: string; month: string; revenue_micros: bigint }
export type TRowResult = { ok: true; value: TRevenueInput } | { ok: false; rejected: TRejectedRow }

const MAX_ACCOUNT = 200
/** bigint micro-dollars hold up to 9.2e12 USD: a trillion is plenty for a month of one customer. */
const MAX_INTEGER_DIGITS = 12
const MONTH = /^(\d{4})-(\d{2})(?:-01)?$/

const reject = (row: number, field: string | null, reason: string): TRowResult => ({ ok: false, rejected: { row, field, reason } })

/** "2026-11" or "2026-11-01" → "2026-11-01"; null otherwise. */
export function monthOf(text: string): string | null {
  const m = MONTH.exec(text.trim())
  if (!m) return null
  const [y, mo] = [Number(m[1]), Number(m[2])]
  if (y < 2000 || y > 2099 || mo < 1 || mo > 12) return null
  return `${m[1]}-${m[2]}-01`
}

/** One row from its three values as sent (JSON values or CSV cells). */
export function readRevenueRow(row: number, account: unknown, month: unknown, revenue: unknown): TRowResult {
  if (typeof account !== 'string' || !account.trim()) return reject(row, 'account_id', 'is required (a string)')
  const accountId = account.trim()
  if (accountId.length > MAX_ACCOUNT) return reject(row, 'account_id', `at most ${MAX_ACCOUNT} characters`)
  const m = typeof month === 'string' ? monthOf(month) : null
  if (!m) return reject(row, 'month', 'must be a month: YYYY-MM or its first day YYYY-MM-01')
  const d = typeof revenue === 'string' || typeof revenue === 'number' ? normalizeDecimal(revenue, 6) : null
  if (d === null) return reject(row, 'revenue_usd', 'must be a USD amount of at least 0 with at most 6 decimal places, e.g. 1250 or 1250.50')
  if (d.split('.')[0].length > MAX_INTEGER_DIGITS) return reject(row, 'revenue_usd', `at most ${MAX_INTEGER_DIGITS} digits before the point`)
  return { ok: true, value: { row, account_id: accountId, month: m, revenue_micros: micros(d) } }
}

const CSV_COLUMNS = ['account_id', 'month', 'revenue_usd'] as const

/** The JSON body's rows ({"rows": [...]}); a body of another shape is a single refusal (null: not that shape). */
export function jsonRows(body: unknown): TRowResult[] | null {
  if (typeof body !== 'object' || body === null || !Array.isArray((body as { rows?: unknown }).rows)) return null
  return ((body as { rows: unknown[] }).rows as unknown[]).map((r, i) =>
    typeof r === 'object' && r !== null && !Array.isArray(r)
      ? readRevenueRow(i + 1, (r as Record<string, unknown>).account_id, (r as Record<string, unknown>).month, (r as Record<string, unknown>).revenue_usd)
      : reject(i + 1, null, 'must be an object {account_id, month, revenue_usd}'),
  )
}

/** CSV records (the first is the header account_id,month,revenue_usd, columns by name) with their line numbers. */
export function csvRows(records: { cells: string[]; line: number }[]): TRowResult[] | { error: string } {
  const [head, ...rest] = records
  if (!head) return { error: 'The file is empty' }
  const names = head.cells.map((c) => c.trim().toLowerCase())
  const missing = CSV_COLUMNS.filter((c) => !names.includes(c))
  if (missing.length) return { error: `the header lacks ${missing.join(', ')} (expected account_id,month,revenue_usd)` }
  const [a, m, r] = CSV_COLUMNS.map((c) => names.indexOf(c))
  return rest.map(({ cells, line }) =>
    cells.length < names.length
      ? reject(line, null, `expected ${names.length} fields (as the header); the line has ${cells.length}`)
      : readRevenueRow(line, cells[a], cells[m], cells[r]),
  )
}

/** Refuse the second and later rows for an (account, month) already given: a PUT sets each once. */
export function dedupe(rows: TRowResult[]): TRowResult[] {
  const seen = new Map<string, number>()
  return rows.map((r) => {
    if (!r.ok) return r
    const key = `${r.value.account_id}\u0000${r.value.month}`
    const first = seen.get(key)
    if (first !== undefined) return reject(r.value.row, null, `the same account_id and month as row ${first}`)
    seen.set(key, r.value.row)
    return r
  })
}
