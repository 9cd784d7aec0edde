// A budget's period as a series, pure: for spend budgets the burn-down —
// spend per bucket, cumulative spend against the even pace that would land
// exactly on the amount, and the projection of the pace so far to the
// period's end; for cost per run / per accepted outcome, the value per bucket
// against the target. Money stays exact (micro-dollars); charts convert.
import { DAY_MS, HOUR_MS } from '@/lib/domain'
import { fromScaled, toScaled, usdPerUnit } from '@/lib/cost/money'
import type { z } from 'zod'
import { projectToEnd, type TBudgetMeasure, type TBudgetMetric, type TWindow } from '@/lib/budgets/evaluate'
import type { ZBurnPoint } from '@/lib/budgets/schema'

export const BURN_GRANULARITIES = ['hour', 'day'] as const
export type TBurnGranularity = (typeof BURN_GRANULARITIES)[number]
export type TBurnPoint = z.infer<typeof ZBurnPoint>

const STEP_MS: Record<TBurnGranularity, number> = { hour: HOUR_MS, day: DAY_MS }
const floorTo = (t: number, g: TBurnGranularity) => Math.floor(t / STEP_MS[g]) * STEP_MS[g]

export function burnDown(
  metric: TBudgetMetric,
  amountUsd: string,
  w: TWindow,
  g: TBurnGranularity,
  buckets: (TBudgetMeasure & { bucket: string })[],
): TBurnPoint[] {
  const by = new Map(buckets.map((b) => [Date.parse(b.bucket), b]))
  const amount = toScaled(amountUsd, 6)
  const from = w.from.getTime()
  const now = w.to.getTime()
  const span = BigInt(Math.max(1, w.end.getTime() - from))
  const points: TBurnPoint[] = []
  let cumulative = 0n
  let atNow = 0n
  for (const b of buckets) if (Date.parse(b.bucket) < now) atNow += toScaled(b.cost_usd, 6)
  // to the period's end; a rolling window ends now, in the current bucket
  const stop = Math.max(w.end.getTime(), now + 1)
  for (let t = floorTo(from, g); t < stop; t += STEP_MS[g]) {
    const end = t + STEP_MS[g]
    const past = t < now
    const row = by.get(t)
    const spend = row ? toScaled(row.cost_usd, 6) : 0n
    if (past) cumulative += spend
    const sinceStart = BigInt(Math.max(0, Math.min(end, w.end.getTime()) - from))
    const current = past && end > now
    points.push({
      t: new Date(t).toISOString(),
      spend_usd: past ? fromScaled(spend, 6) : null,
      cumulative_usd: past ? fromScaled(cumulative, 6) : null,
      pace_usd: fromScaled((amount * sinceStart) / span, 6),
      projected_usd: current || !past ? fromScaled(projectToEnd(atNow, w, new Date(end)), 6) : null,
      value_usd:
        metric === 'spend' || !past || !row
          ? null
          : metric === 'cost_per_run'
            ? usdPerUnit(row.cost_usd, row.runs)
            : usdPerUnit(row.production_cost_usd, row.accepted_outcomes),
    })
  }
  return points
}
