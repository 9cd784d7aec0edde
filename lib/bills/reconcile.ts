import 'server-only'
import { pool } from '@/lib/db'
import { DAY_MS, micros, microsToUsd } from '@/lib/domain'
import { normalizeProvider } from '@/lib/cost/catalog'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { catalogModelPrice } from '@/lib/cost/catalog'
import { rateShape, rowCauses, type TDayCell, type TPriceInForce } from '@/lib/bills/causes'
import { RECONCILE_MAX_DAYS, type TReconciliationAnswer, type TReconciliationQuery, type TReconciliationRow } from '@/lib/bills/schema'

// GET /api/v1/reconciliation: what Outlay computed from the events (the cost rollups, the overview's figures:
// every environment and traffic source) against what the imported bills charge, per provider × model × day.
// Both sides are keyed by a normalised provider and model (billKey) so "OpenAI" / "gpt-4o-2024-08-06" on a
// bill meets "openai" / "gpt-4o" in the events. Only the providers some bill covers are reconciled, and each
// only over its bills' days: the rest of the computed cost is counted apart (unbilled_computed_usd).
// docs/finance.md says what each figure means.

// Names clouds' FOCUS exports give the provider, beside the catalog's aliases (bedrock → aws …).
const BILL_PROVIDER_ALIASES: Record<string, string> = {
  'amazon web services': 'aws',
  'amazon bedrock': 'aws',
  microsoft: 'azure',
  'microsoft azure': 'azure',
  'azure openai': 'azure',
  'azure openai service': 'azure',
  'google cloud': 'google',
  'google cloud platform': 'google',
  'vertex ai': 'google',
}

/** The provider as reconciliation compares it: lowercase, the catalog's and clouds' aliases merged. */
export function billProvider(provider: string): string {
  const p = provider.trim().toLowerCase()
  return BILL_PROVIDER_ALIASES[p] ?? normalizeProvider(p)
}

// A dated snapshot suffix: "-2024-08-06", "-20250929", "-0613" (as lib/cost/catalog.ts reads model names).
const DATE_SUFFIX = /-(\d{4}-\d{2}-\d{2}|\d{8}|\d{4})$/

/** The model as reconciliation compares it: lowercase, without a "<provider>/" prefix or dated snapshot suffixes; null when none. */
export function billModel(model: string | null): string | null {
  let m = (model ?? '').trim().toLowerCase()
  if (!m) return null
  const slash = m.indexOf('/')
  if (slash > 0 && slash < m.length - 1) m = m.slice(slash + 1)
  while (DATE_SUFFIX.test(m)) m = m.replace(DATE_SUFFIX, '')
  return m
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10)

/** from/to as days: to defaults to tomorrow (today included), from to 30 days before to. */
export function reconciliationRange(q: Pick<TReconciliationQuery, 'from' | 'to'>, now = new Date()): { from: string; to: string } {
  const tomorrow = dayOf(new Date(Date.parse(dayOf(now)) + DAY_MS))
  const after = (day: string, days: number) => dayOf(new Date(Date.parse(day) + days * DAY_MS))
  // a `from` alone: to tomorrow, but never an empty range (a `from` after today: that day alone) nor a longer one than
  // both bounds may ask for (RECONCILE_MAX_DAYS after `from`)
  const to = q.to ?? (q.from ? [after(q.from, 1), tomorrow, after(q.from, RECONCILE_MAX_DAYS)].sort()[1] : tomorrow)
  const from = q.from ?? after(to, -30)
  return { from, to }
}

type TCell = { computed: bigint; billed: bigint; unpriced: number; cachedIn: number; cacheWrite: number }
const keyOf = (day: string, provider: string, model: string | null) => JSON.stringify([day, provider, model])

export async function reconcile(orgId: string, q: TReconciliationQuery, now = new Date()): Promise<TReconciliationAnswer> {
  const { from, to } = reconciliationRange(q, now)
  const billed = await pool().query<{ day: string; provider: string; model: string | null; micros: string }>(
    `SELECT day::text AS day, provider, model, sum(cost_micros)::text AS micros
     FROM bill_lines WHERE org_id = $1 AND day >= $2::date AND day < $3::date
     GROUP BY day, provider, model`,
    [orgId, from, to],
  )
  const computed = await queryMetrics(
    orgId,
    ZMetricsQuery.parse({
      from: `${from}T00:00:00Z`,
      to: `${to}T00:00:00Z`,
      group_by: 'provider,model',
      granularity: 'day',
      measures: 'cost_usd,unpriced_events,cached_tokens_in,cache_write_tokens',
      limit: '100000',
    }),
  )

  // Each provider's bills cover the days from their first to their last line in the range.
  const cells = new Map<string, TCell & { day: string; provider: string; model: string | null; last?: string }>()
  const cell = (day: string, provider: string, model: string | null) => {
    const k = keyOf(day, provider, model)
    const c = cells.get(k) ?? { day, provider, model, computed: 0n, billed: 0n, unpriced: 0, cachedIn: 0, cacheWrite: 0 }
    cells.set(k, c)
    return c
  }
  const covered = new Map<string, { first: string; last: string }>()
  for (const b of billed.rows) {
    const provider = billProvider(b.provider)
    cell(b.day, provider, billModel(b.model)).billed += BigInt(b.micros)
    const c = covered.get(provider)
    if (!c) covered.set(provider, { first: b.day, last: b.day })
    else {
      if (b.day < c.first) c.first = b.day
      if (b.day > c.last) c.last = b.day
    }
  }
  let unbilled = 0n
  // computed cost after a provider's last bill day, to the end of that day's month: the bill's period ended first
  const afterPeriod = new Map<string, bigint>()
  for (const r of computed.rows) {
    const day = (r.bucket ?? '').slice(0, 10)
    const provider = billProvider(r.provider ?? '')
    const cost = micros(r.cost_usd)
    const c = covered.get(provider)
    if (!c || day < c.first || day > c.last) {
      unbilled += cost
      if (c && day > c.last && day.slice(0, 7) === c.last.slice(0, 7)) afterPeriod.set(provider, (afterPeriod.get(provider) ?? 0n) + cost)
      continue
    }
    const x = cell(day, provider, billModel(r.model ?? null))
    x.computed += cost
    x.unpriced += r.unpriced_events
    x.cachedIn += r.cached_tokens_in
    x.cacheWrite += r.cache_write_tokens
  }

  // Each model's days, for the shape of its billed ÷ computed ratio, and Outlay's prices for it.
  const dayCells = [...cells.values()]
  const series = new Map<string, TDayCell[]>()
  for (const c of dayCells) {
    const k = JSON.stringify([c.provider, c.model])
    series.set(k, [...(series.get(k) ?? []), c])
  }
  const prices = await priceHistory(orgId, from, to)

  // By month: the days' cells summed into the month's first day.
  let list = [...cells.values()]
  if (q.granularity === 'month') {
    const months = new Map<string, (typeof list)[number]>()
    for (const c of list) {
      const day = `${c.day.slice(0, 7)}-01`
      const k = keyOf(day, c.provider, c.model)
      const m = months.get(k)
      if (!m) months.set(k, { ...c, day, last: c.day })
      else {
        m.computed += c.computed
        m.billed += c.billed
        m.unpriced += c.unpriced
        m.cachedIn += c.cachedIn
        m.cacheWrite += c.cacheWrite
        if (c.day > (m.last ?? m.day)) m.last = c.day
      }
    }
    list = [...months.values()]
  }
  list.sort((a, b) => a.day.localeCompare(b.day) || a.provider.localeCompare(b.provider) || (a.model ?? '\uffff').localeCompare(b.model ?? '\uffff'))

  const shapes = new Map([...series].map(([k, days]) => [k, rateShape(days)]))
  const rows = list.map((c) => {
    const last = c.last ?? c.day
    const k = JSON.stringify([c.provider, c.model])
    const row = rowOf(c.day, c.provider, c.model, c)
    if (!row.flagged) return row
    const price = c.model ? prices.inForce(c.provider, c.model, last) : null
    const changes = c.model ? prices.changes(c.provider, c.model) : []
    return { ...row, causes: rowCauses({ ...c, first: c.day, last }, shapes.get(k) ?? null, price, changes) }
  })
  const sum = (f: (c: TCell) => bigint) => list.reduce((s, c) => s + f(c), 0n)
  const totalComputed = sum((c) => c.computed)
  const totalBilled = sum((c) => c.billed)
  const unexplained = sum((c) => (c.billed > c.computed ? c.billed - c.computed : 0n))
  return {
    from,
    to,
    granularity: q.granularity,
    rows,
    totals: {
      computed_usd: microsToUsd(totalComputed),
      billed_usd: microsToUsd(totalBilled),
      difference_usd: microsToUsd(totalBilled - totalComputed),
      difference_ratio: ratio(totalBilled - totalComputed, totalBilled),
      flagged_rows: rows.filter((r) => r.flagged).length,
      unexplained_usd: microsToUsd(unexplained),
      unexplained_share: ratio(unexplained, totalBilled),
      unbilled_computed_usd: microsToUsd(unbilled),
      providers: [...covered.keys()].sort(),
      after_period: [...afterPeriod]
        .filter(([, cost]) => cost !== 0n)
        .map(([provider, cost]) => ({ provider, last_billed_day: covered.get(provider)!.last, computed_usd: microsToUsd(cost) }))
        .sort((a, b) => a.provider.localeCompare(b.provider)),
    },
  }
}

const ratio = (a: bigint, b: bigint): number | null => (b === 0n ? null : Number(a) / Number(b))
const abs = (n: bigint) => (n < 0n ? -n : n)

/** One row's figures: the difference is billed − computed; flagged past 1% of the billed amount (exact, in micro-dollars). */
export function rowOf(day: string, provider: string, model: string | null, c: TCell): TReconciliationRow {
  const diff = c.billed - c.computed
  return {
    causes: [],
    day,
    provider,
    model,
    computed_usd: microsToUsd(c.computed),
    billed_usd: microsToUsd(c.billed),
    difference_usd: microsToUsd(diff),
    difference_ratio: ratio(diff, c.billed),
    flagged: c.billed === 0n ? diff !== 0n : abs(diff) * 100n > abs(c.billed),
    unpriced_events: c.unpriced,
  }
}

/**
 * Outlay's prices for the reconciled models over the range: the organization's own rows (newest effective_from
 * on or before a day wins) over the catalog's price in force that day; and the days in the range on which one of
 * them took effect (a price change Outlay knows of, to hold against the bill's).
 */
async function priceHistory(orgId: string, from: string, to: string) {
  const own = await pool().query<{ provider: string; model: string; effective_from: Date; cache_write: boolean }>(
    `SELECT provider, model, effective_from, cache_write_per_mtok IS NOT NULL AS cache_write FROM prices WHERE org_id = $1 ORDER BY effective_from`,
    [orgId],
  )
  const ownOf = (provider: string, model: string) => own.rows.filter((p) => billProvider(p.provider) === provider && billModel(p.model) === model)
  return {
    inForce(provider: string, model: string, day: string): TPriceInForce | null {
      const end = new Date(Date.parse(day) + DAY_MS - 1)
      const mine = ownOf(provider, model).filter((p) => p.effective_from <= end)
      const p = mine[mine.length - 1]
      if (p) return { effective_from: dayOf(p.effective_from), source: 'yours', cache_write_priced: p.cache_write }
      const c = catalogModelPrice(provider, model, end)
      return c ? { effective_from: dayOf(c.effective_from), source: 'catalog', cache_write_priced: c.cache_write_per_mtok != null } : null
    },
    changes(provider: string, model: string): string[] {
      const days = new Set(ownOf(provider, model).map((p) => dayOf(p.effective_from)))
      for (let t = Date.parse(from); t < Date.parse(to); t += DAY_MS) {
        const c = catalogModelPrice(provider, model, new Date(t + DAY_MS - 1))
        if (c && dayOf(c.effective_from) === dayOf(new Date(t))) days.add(dayOf(new Date(t)))
      }
      return [...days].filter((d) => d >= from && d < to).sort()
    },
  }
}
