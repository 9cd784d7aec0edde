import { DAY_MS, HOUR_MS } from '@/lib/domain'
import { describe, expect, it } from 'vitest'
import { generateHour, planDataset, type TBenchEvent } from './dashboard-data'

// a Wednesday, on an hour boundary
const END = Date.UTC(2026, 10, 25, 18)

function all(events: number, days: number) {
  const plan = planDataset({ events, days, end: END })
  const hours = plan.runsPerHour.map((_, h) => generateHour(plan, h))
  return { plan, hours, events: hours.flatMap((h) => h.events) }
}

const countBy = <T>(xs: T[], f: (x: T) => string) => {
  const m = new Map<string, number>()
  for (const x of xs) m.set(f(x), (m.get(f(x)) ?? 0) + 1)
  return m
}

describe('bench:dashboard dataset', () => {
  const { plan, hours, events } = all(60_000, 28)

  it('is deterministic per hour, whatever was generated before', () => {
    expect(generateHour(plan, 100)).toEqual(hours[100])
    expect(generateHour(planDataset({ events: 60_000, days: 28, end: END }), 5)).toEqual(hours[5])
  })

  it('comes close to the requested size, with 200 accounts and 20 workflows', () => {
    expect(Math.abs(events.length - 60_000) / 60_000).toBeLessThan(0.05)
    expect(new Set(events.map((e) => e.workflow_id)).size).toBe(20)
    expect(new Set(events.map((e) => e.account_id).filter(Boolean)).size).toBeGreaterThan(150)
    expect(plan.accounts).toHaveLength(200)
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length)
  })

  it('keeps every event of a run in its hour, and the run starts at its first event', () => {
    hours.forEach((h, i) => {
      const start = plan.start + i * HOUR_MS
      expect(h.events.every((e) => e.ts >= start && e.ts < start + HOUR_MS)).toBe(true)
      const first = new Map<string, number>()
      for (const e of h.events) first.set(e.run_id, Math.min(first.get(e.run_id) ?? Infinity, e.ts))
      expect(h.runs.map((r) => [r.run_id, r.first_ts])).toEqual([...first.entries()])
    })
  })

  it('has weekly seasonality and business-hour peaks', () => {
    const byDay = countBy(events, (e) => String(new Date(e.ts).getUTCDay()))
    const weekday = ['1', '2', '3', '4', '5'].map((d) => byDay.get(d) ?? 0).reduce((a, b) => a + b) / 5
    const weekend = ((byDay.get('0') ?? 0) + (byDay.get('6') ?? 0)) / 2
    expect(weekend / weekday).toBeGreaterThan(0.3)
    expect(weekend / weekday).toBeLessThan(0.6)
    const byHour = countBy(events, (e) => String(new Date(e.ts).getUTCHours()))
    expect(byHour.get('14')!).toBeGreaterThan(3 * byHour.get('3')!)
  })

  it('skews account sizes', () => {
    const sizes = [
      ...countBy(
        events.filter((e) => e.account_id),
        (e) => e.account_id!,
      ).values(),
    ].sort((a, b) => b - a)
    expect(sizes[0]).toBeGreaterThan(10 * sizes[49])
  })

  it('carries cached tokens, retries and errors, environments, traffic sources and unpriced models', () => {
    expect(events.every((e) => e.cached_tokens_in + e.cache_write_tokens <= e.tokens_in)).toBe(true)
    expect(events.some((e) => e.cached_tokens_in > 0)).toBe(true)
    expect(events.some((e) => e.cache_write_tokens > 0)).toBe(true)
    const outcomes = countBy(events, (e) => e.outcome)
    for (const o of ['success', 'retry', 'fallback', 'escalation', 'error'] as TBenchEvent['outcome'][]) expect(outcomes.get(o)).toBeGreaterThan(0)
    expect(outcomes.get('success')! / events.length).toBeGreaterThan(0.9)
    expect(new Set(events.map((e) => e.environment))).toEqual(new Set(['production', 'staging', 'development']))
    expect(new Set(events.map((e) => e.traffic_source))).toEqual(new Set(['production', 'eval', 'replay', 'ops']))
    expect(new Set(events.map((e) => e.provider))).toEqual(new Set(['openai', 'anthropic', 'google', 'internal']))
    expect(events.some((e) => e.feature === null)).toBe(true)
    expect(hours.some((h) => h.outcomes.length > 0)).toBe(true)
  })

  it('ends at the hour before `end` and spans the days asked for', () => {
    expect(Math.max(...events.map((e) => e.ts))).toBeLessThan(END)
    expect(Math.min(...events.map((e) => e.ts))).toBeGreaterThanOrEqual(END - 28 * DAY_MS)
  })
})
