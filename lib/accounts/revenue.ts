import 'server-only'
import { parse } from 'csv-parse/sync'
import { AppError, badRequest } from '@/lib/errors'
import { inTransaction, pool } from '@/lib/db'
import { parseJsonBytes, readLimited } from '@/lib/http/body'
import { recordAudit } from '@/lib/audit'
import { micros, microsToUsd } from '@/lib/domain'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { csvRows, dedupe, jsonRows, type TRowResult } from '@/lib/accounts/rows'
import { accountMargins, type TByAccountMonth } from '@/lib/accounts/margin'
import {
  monthsBetween,
  REVENUE_MAX_REJECTED_LISTED,
  REVENUE_MAX_ROWS,
  type TMarginAnswer,
  type TRevenueQuery,
  type TRevenuePutAnswer,
  type TRevenueRow,
} from '@/lib/accounts/schema'

// Revenue per customer account and month (PUT/GET /api/v1/accounts/revenue) and the margin after AI cost
// (GET /api/v1/accounts/margin). A PUT upserts row by row: each (account, month) it names is set, the others keep
// their revenue. A file is a few thousand rows (accounts × months): read whole, within REVENUE_MAX_BYTES.

/** Kept in step with lib/accounts/api.ts (the declaration stays client-safe). */
export const REVENUE_MAX_BYTES = 8 * 1024 * 1024
const CSV_TYPE = /^(text\/csv|text\/plain)\b/i
const JSON_TYPE = /^application\/json\b/i

function csvResults(bytes: Uint8Array): TRowResult[] {
  let records: { record: string[]; info: { lines: number } }[]
  try {
    records = parse(Buffer.from(bytes), {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      max_record_size: 64 * 1024,
    }) as unknown as typeof records
  } catch (e) {
    throw badRequest(`Invalid CSV: ${(e as Error).message}`)
  }
  const read = csvRows(records.map((r) => ({ cells: r.record, line: r.info.lines })))
  if ('error' in read) throw badRequest(read.error)
  return read
}

/** The request's rows, read and checked (each kept or refused with its reason). */
async function rowsOf(req: Request): Promise<TRowResult[]> {
  const ct = req.headers.get('content-type') ?? ''
  if (!JSON_TYPE.test(ct) && !CSV_TYPE.test(ct))
    throw new AppError('unsupported_media_type', 415, 'Content-Type must be application/json ({"rows": [...]}) or text/csv (account_id,month,revenue_usd)')
  const bytes = await readLimited(req, REVENUE_MAX_BYTES)
  let rows: TRowResult[]
  if (JSON_TYPE.test(ct)) {
    const read = jsonRows(parseJsonBytes(bytes))
    if (!read) throw badRequest('Invalid revenue', { errors: ['rows: must be a list of {account_id, month, revenue_usd}'] })
    rows = read
  } else rows = csvResults(bytes)
  if (rows.length > REVENUE_MAX_ROWS) throw badRequest(`At most ${REVENUE_MAX_ROWS} rows per request (${rows.length} sent)`)
  return dedupe(rows)
}

/** PUT: upsert the good rows (each replaces that account and month's revenue), refuse the others with their reasons. */
export async function putRevenue(orgId: string, req: Request): Promise<TRevenuePutAnswer> {
  const results = await rowsOf(req)
  const kept = results.flatMap((r) => (r.ok ? [r.value] : []))
  const rejected = results.flatMap((r) => (r.ok ? [] : [r.rejected]))
  if (kept.length === 0)
    throw badRequest(rejected.length ? `No row could be read (${rejected.length} refused)` : 'The body holds no revenue rows', {
      errors: rejected.slice(0, REVENUE_MAX_REJECTED_LISTED).map((r) => `row ${r.row}${r.field ? ` ${r.field}` : ''}: ${r.reason}`),
    })
  await inTransaction(async (client) => {
    await client.query(
      `INSERT INTO account_revenue (org_id, account_id, month, revenue_micros, updated_at)
       SELECT $1::uuid, a, m, r, now() FROM unnest($2::text[], $3::date[], $4::int8[]) AS t(a, m, r)
       ON CONFLICT (org_id, account_id, month) DO UPDATE SET revenue_micros = EXCLUDED.revenue_micros, updated_at = now()`,
      [orgId, kept.map((k) => k.account_id), kept.map((k) => k.month), kept.map((k) => k.revenue_micros.toString())],
    )
    const months = [...new Set(kept.map((k) => k.month))].sort()
    await recordAudit(client, orgId, {
      action: 'account_revenue.put',
      target: { type: 'account_revenue', id: null },
      before: null,
      after: { rows: kept.length, accounts: new Set(kept.map((k) => k.account_id)).size, months },
    })
  })
  return { upserted: kept.length, rejected_count: rejected.length, rejected: rejected.slice(0, REVENUE_MAX_REJECTED_LISTED) }
}

const nextMonth = (month: string) => new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 1)).toISOString().slice(0, 10)

/** The months a query covers: from's month to the month before to (default: the current month). */
export function monthsOf(q: Pick<TRevenueQuery, 'from' | 'to'>, now = new Date()): string[] {
  // default: the current month, or with a `to` alone the month of the day before it (that month alone)
  const firstOf = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)).toISOString().slice(0, 10)
  const first = q.from ?? firstOf(q.to ? new Date(Date.parse(`${q.to}T00:00:00Z`) - 1) : now)
  // default: to the end of the current month (a `from` in a later month: that month alone)
  const thisMonthEnd = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString().slice(0, 10)
  const to = q.to ?? (thisMonthEnd > first ? thisMonthEnd : nextMonth(first))
  return monthsBetween(first, to)
}

async function revenueByAccount(orgId: string, months: string[], accountId?: string): Promise<TByAccountMonth> {
  const r = await pool().query<{ account_id: string; month: string; micros: string }>(
    `SELECT account_id, month::text AS month, revenue_micros::text AS micros FROM account_revenue
     WHERE org_id = $1 AND month >= $2::date AND month <= $3::date AND ($4::text IS NULL OR account_id = $4) ORDER BY month, account_id`,
    [orgId, months[0], months[months.length - 1], accountId ?? null],
  )
  const out: TByAccountMonth = new Map()
  for (const x of r.rows) {
    if (!out.has(x.account_id)) out.set(x.account_id, new Map())
    out.get(x.account_id)!.set(x.month, BigInt(x.micros))
  }
  return out
}

export async function listRevenue(orgId: string, q: TRevenueQuery): Promise<TRevenueRow[]> {
  const months = monthsOf(q)
  const byAccount = await revenueByAccount(orgId, months, q.account_id)
  return months.flatMap((month) =>
    [...byAccount]
      .filter(([, m]) => m.has(month))
      .map(([account_id, m]) => ({ account_id, month, revenue_usd: microsToUsd(m.get(month)!) }))
      .sort((a, b) => a.account_id.localeCompare(b.account_id)),
  )
}

/**
 * AI cost per account and month: production traffic (environment and traffic source production: what serving the
 * customer cost, not evals or staging), read as the metrics API reads it (the rollups), one read per month.
 */
async function costByAccount(orgId: string, months: string[], accountId?: string): Promise<TByAccountMonth> {
  const out: TByAccountMonth = new Map()
  const answers = await Promise.all(
    months.map((month) =>
      queryMetrics(
        orgId,
        ZMetricsQuery.parse({
          from: month,
          to: nextMonth(month),
          group_by: 'account_id',
          environment: 'production',
          traffic_source: 'production',
          measures: 'cost_usd',
          limit: '100000',
          ...(accountId ? { account_id: accountId } : {}),
        }),
      ),
    ),
  )
  answers.forEach((a, i) => {
    for (const row of a.rows) {
      if (!row.account_id) continue // events without an account_id: no customer to hold them against
      if (!out.has(row.account_id)) out.set(row.account_id, new Map())
      out.get(row.account_id)!.set(months[i], micros(row.cost_usd))
    }
  })
  return out
}

/** GET /api/v1/accounts/margin: revenue, AI cost, its share of revenue and the margin per account over the months. */
export async function marginOf(orgId: string, q: TRevenueQuery, now = new Date()): Promise<TMarginAnswer> {
  const months = monthsOf(q, now)
  const [revenue, cost] = await Promise.all([revenueByAccount(orgId, months, q.account_id), costByAccount(orgId, months, q.account_id)])
  return accountMargins(months, revenue, cost)
}
