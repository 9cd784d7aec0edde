import { describe, expect, it } from 'vitest'
import { measureSaving, reviewWindows } from '@/lib/opportunities/review-calc'

const d = (s: string) => new Date(s)

describe('reviewWindows', () => {
  it('30 days either side of the publication hour, inside the range and before now', () => {
    const w = reviewWindows(d('2026-11-10T12:30:00Z'), d('2026-09-01T00:00:00Z'), d('2026-11-20T08:15:00Z'))!
    expect(w.before).toEqual({ from: d('2026-10-11T12:00:00Z'), to: d('2026-11-10T12:00:00Z') })
    expect(w.after).toEqual({ from: d('2026-11-10T13:00:00Z'), to: d('2026-11-20T08:00:00Z') })
  })
  it('the before side starts no earlier than the range', () => {
    expect(reviewWindows(d('2026-11-10T12:30:00Z'), d('2026-11-05T00:00:00Z'), d('2026-11-20T00:00:00Z'))!.before.from).toEqual(d('2026-11-05T00:00:00Z'))
  })
  it('null when nothing after the publication can be measured yet', () => {
    expect(reviewWindows(d('2026-11-10T12:30:00Z'), d('2026-09-01T00:00:00Z'), d('2026-11-10T13:20:00Z'))).toBeNull()
  })
})

describe('measureSaving', () => {
  const w = reviewWindows(d('2026-11-10T00:00:00Z'), d('2026-10-01T00:00:00Z'), d('2026-11-25T00:00:00Z'))! // 15 days less an hour after
  it('the calls after at the cost per call before, less their cost, per month, against the estimate', () => {
    // before: 100 calls for $10 ($0.10 a call); after: 50 calls for $2 ($0.04): $5 − $2 = $3 over 359 hours
    const m = measureSaving(w, { calls: 100, cost_usd: '10' }, { calls: 50, cost_usd: '2' }, '12.000000')
    expect(m.saving_usd).toBe('3.000000')
    expect(m.saving_usd_per_month).toBe('6.016713') // 3 × 720 ÷ 359
    expect(m.cost_per_call_before_usd).toBe('0.100000')
    expect(m.cost_per_call_after_usd).toBe('0.040000')
    expect(m.share_of_estimate).toBeCloseTo(6.016713 / 12, 6)
  })
  it('a change that cost more is a negative saving', () => {
    expect(measureSaving(w, { calls: 10, cost_usd: '1' }, { calls: 10, cost_usd: '1.5' }, '1').saving_usd).toBe('-0.500000')
  })
  it('nothing to compare without calls on a side', () => {
    expect(measureSaving(w, { calls: 0, cost_usd: '0' }, { calls: 10, cost_usd: '1' }, '1')).toMatchObject({ saving_usd: null, share_of_estimate: null })
  })
})
