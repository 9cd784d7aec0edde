import { divRound, fromScaled, toScaled } from '@/lib/cost/money'
import { DAY_MS, HOUR_MS } from '@/lib/domain'
import { REVIEW_WINDOW_DAYS, type TReviewMeasure } from '@/lib/opportunities/schema'

// The quarterly review's arithmetic, on exact micro-dollars: the windows around a publication, and the saving the
// step's calls after it show against its cost per call before it.

export type TWindows = { before: { from: Date; to: Date }; after: { from: Date; to: Date } }

/**
 * Up to REVIEW_WINDOW_DAYS before the publication's hour (not before the review range) and after the hour that
 * follows it (not after `now`'s hour); null when either side is empty.
 */
export function reviewWindows(publishedAt: Date, rangeFrom: Date, now: Date): TWindows | null {
  const floorH = (t: number) => Math.floor(t / HOUR_MS) * HOUR_MS
  const beforeTo = floorH(publishedAt.getTime())
  const beforeFrom = Math.max(floorH(rangeFrom.getTime()), beforeTo - REVIEW_WINDOW_DAYS * DAY_MS)
  const afterFrom = beforeTo + HOUR_MS
  const afterTo = Math.min(afterFrom + REVIEW_WINDOW_DAYS * DAY_MS, floorH(now.getTime()))
  if (beforeFrom >= beforeTo || afterFrom >= afterTo) return null
  return { before: { from: new Date(beforeFrom), to: new Date(beforeTo) }, after: { from: new Date(afterFrom), to: new Date(afterTo) } }
}

const perCall = (cost: bigint, calls: number) => (calls > 0 ? fromScaled(divRound(cost, BigInt(calls)), 6) : null)

/** The calls after at the cost per call before, less their cost; per month over the hours after; against the estimate per month. */
export function measureSaving(
  w: TWindows,
  before: { calls: number; cost_usd: string },
  after: { calls: number; cost_usd: string },
  estimatePerMonthUsd: string,
): TReviewMeasure {
  const cb = toScaled(before.cost_usd, 6)
  const ca = toScaled(after.cost_usd, 6)
  const measurable = before.calls > 0 && after.calls > 0
  const saving = measurable ? divRound(cb * BigInt(after.calls), BigInt(before.calls)) - ca : null
  const hoursAfter = BigInt(Math.round((w.after.to.getTime() - w.after.from.getTime()) / HOUR_MS))
  const perMonth = saving === null ? null : divRound(saving * 720n, hoursAfter)
  const estimate = toScaled(estimatePerMonthUsd, 6)
  return {
    before_from: w.before.from.toISOString(),
    before_to: w.before.to.toISOString(),
    after_from: w.after.from.toISOString(),
    after_to: w.after.to.toISOString(),
    calls_before: before.calls,
    cost_before_usd: fromScaled(cb, 6),
    cost_per_call_before_usd: perCall(cb, before.calls),
    calls_after: after.calls,
    cost_after_usd: fromScaled(ca, 6),
    cost_per_call_after_usd: perCall(ca, after.calls),
    saving_usd: saving === null ? null : fromScaled(saving, 6),
    saving_usd_per_month: perMonth === null ? null : fromScaled(perMonth, 6),
    share_of_estimate: perMonth === null || estimate <= 0n ? null : Number(perMonth) / Number(estimate),
  }
}
