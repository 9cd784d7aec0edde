import { microsToUsd } from '@/lib/domain'
import { formatUsd } from '@/lib/format'
import type { TCauseKind } from '@/lib/bills/schema'

// The likely causes of a reconciliation row's difference, read from the data (docs/finance.md "Likely causes"):
// the row's own figures (unpriced events, traffic never reported, charges beside the models), its model's
// billed ÷ computed ratio day by day (a step on one day is a provider-side price change, a steady ratio off 1 a
// rate Outlay lacks) held against Outlay's price history, and the cache tokens its events report (cached reads
// with no cache writes where the price charges writes). Pure: reconcile.ts gathers the figures.

export type TCause = { kind: TCauseKind; message: string }

/** A day of one provider × model: what the events cost and report, what the bills charge (micro-dollars). */
export type TDayCell = {
  day: string
  computed: bigint
  billed: bigint
  unpriced: number
  cachedIn: number
  cacheWrite: number
}

/** The price Outlay used for a model on a day: when it took effect, whose it is, and whether it prices cache writes. */
export type TPriceInForce = { effective_from: string; source: 'yours' | 'catalog'; cache_write_priced: boolean }

/** How the bill's rate moved against Outlay's over a model's days: a step on one day, a steady ratio, or neither. */
export type TRateShape = { kind: 'step'; from: string; before: number; after: number } | { kind: 'steady'; ratio: number } | null

/** The ratio of a day is read within half a percent, or three micro-dollars of its computed cost where that is more. */
const tolerance = (computed: bigint) => Math.max(0.005, 3 / Number(computed))
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
const within = (cells: TDayCell[], ratios: number[], center: number) => ratios.every((r, i) => Math.abs(r - center) <= tolerance(cells[i].computed) * center)

/**
 * The shape of billed ÷ computed over the days where both are above zero, in day order: a `step` when the days
 * before one day agree on one ratio and the days from it on another more than 1% apart; `steady` when every day
 * agrees on one ratio more than 1% off 1; otherwise null (noise, or nothing to read).
 */
export function rateShape(days: TDayCell[]): TRateShape {
  const cells = days.filter((d) => d.computed > 0n && d.billed > 0n).sort((a, b) => a.day.localeCompare(b.day))
  if (cells.length === 0) return null
  const ratios = cells.map((c) => Number(c.billed) / Number(c.computed))
  const all = median(ratios)
  if (within(cells, ratios, all)) return Math.abs(all - 1) > 0.01 ? { kind: 'steady', ratio: all } : null
  for (let k = 1; k < cells.length; k++) {
    const before = median(ratios.slice(0, k))
    const after = median(ratios.slice(k))
    if (Math.abs(after - before) <= 0.01 * before) continue
    if (within(cells.slice(0, k), ratios.slice(0, k), before) && within(cells.slice(k), ratios.slice(k), after))
      return { kind: 'step', from: cells[k].day, before, after }
  }
  return null
}

const pct = (ratio: number) => `${ratio >= 1 ? '+' : '−'}${(Math.abs(ratio - 1) * 100).toFixed(1)}%`
const plural = (n: number, one: string) => `${n.toLocaleString('en-US')} ${one}${n === 1 ? '' : 's'}`
const priceSince = (p: TPriceInForce | null) =>
  !p
    ? 'Outlay has no price for it'
    : `Outlay’s price (${p.source === 'yours' ? 'yours' : 'the catalog’s'}) ${p.effective_from < '2000' ? 'has no change in its history' : `has been in force since ${p.effective_from}`}`

/**
 * The likely causes of one row (a day, or a month summed from its days `first`…`last`), most telling first.
 * `shape` is its model's rate shape over the whole range, `price` the price in force on the row's last day,
 * `priceChanges` the days in the range on which one of Outlay's prices for the model took effect.
 */
export function rowCauses(
  row: { model: string | null; first: string; last: string } & Omit<TDayCell, 'day'>,
  shape: TRateShape,
  price: TPriceInForce | null,
  priceChanges: string[],
): TCause[] {
  const { computed, billed } = row
  if (computed === billed) return []
  const causes: TCause[] = []
  if (row.model === null && computed === 0n)
    return [{ kind: 'non_model_charges', message: 'charges beside the models: tools, storage, support, tax or credits' }]
  if (billed === 0n)
    return [
      {
        kind: 'not_billed',
        message: `Outlay counted ${formatUsd(microsToUsd(computed))} the bills do not charge: events of another provider account or project, or outside the bill’s period`,
      },
    ]
  if (row.unpriced > 0)
    causes.push({
      kind: 'unpriced_events',
      message: `${plural(row.unpriced, 'event')} of ${row.model ?? 'this row'} ${row.unpriced === 1 ? 'has' : 'have'} no price in Outlay and count $0: add its price and they are re-priced`,
    })
  if (computed === 0n && row.unpriced === 0)
    return [{ kind: 'not_reported', message: 'billed traffic Outlay never received: a service or key that does not report its calls' }]
  if (shape?.kind === 'step' && shape.from <= row.last) {
    const ours = priceChanges.filter((d) => d !== shape.from)
    causes.push({
      kind: 'price_change',
      message:
        `the provider’s rate changed ${pct(shape.after / shape.before)} from ${shape.from} (billed ÷ computed ${shape.before.toFixed(3)} before, ${shape.after.toFixed(3)} after); ` +
        (priceChanges.includes(shape.from)
          ? `Outlay’s price changed that day too, by a different amount: check it`
          : `${priceSince(price)}${ours.length ? `, changed on ${ours.join(', ')}` : ''}: add the new price from ${shape.from}`),
    })
  } else if (shape?.kind === 'steady')
    causes.push({
      kind: 'rate_differs',
      message: `billed ${pct(shape.ratio)} against Outlay’s price on every day of the range: a negotiated rate, a discount or a price Outlay lacks (${priceSince(price)})`,
    })
  if (row.cachedIn > 0 && row.cacheWrite === 0 && billed > computed && price?.cache_write_priced)
    causes.push({
      kind: 'missing_cache_writes',
      message: `the events report ${plural(row.cachedIn, 'cached input token')} read but no cache-write tokens: the bill charges the writes, which the events do not send`,
    })
  if (causes.length === 0)
    causes.push(
      billed > computed
        ? { kind: 'billed_above', message: 'billed above Outlay’s price, or traffic Outlay never received' }
        : { kind: 'billed_below', message: 'billed below Outlay’s price: a discount, a credit, or a price Outlay has too high' },
    )
  return causes
}
