import { describe, expect, it } from 'vitest'
import { generateDemoEvents, type TDemoEvent } from '../../lib/demo/generate'
import { CARDINALITIES, EventFactory, MODELS, parseCardinality } from './ingest-load'

const NOW = Date.parse('2026-12-06T12:30:00.000Z')

function templates(): TDemoEvent[] {
  const out: TDemoEvent[] = []
  for (const day of generateDemoEvents({ now: new Date(NOW), days: 2, runsPerDay: 300 })) out.push(...day)
  return out
}

const distinct = (events: Record<string, unknown>[], ...keys: string[]) => new Set(events.map((e) => JSON.stringify(keys.map((k) => e[k])))).size
const hourOf = (iso: unknown) => String(iso).slice(0, 13)

describe('bench:ingest event factory', () => {
  const tpl = templates()

  it('the realistic load spreads keys over hundreds of values and timestamps over the last two hours', () => {
    const c = CARDINALITIES.realistic
    const f = new EventFactory(tpl, 't', c)
    const events = Array.from({ length: 100 }, (_, s) => f.batch(s, 100, undefined, NOW)).flat()
    expect(new Set(events.map((e) => e.id)).size).toBe(10_000)
    expect(distinct(events, 'account_id')).toBe(c.accounts)
    expect(distinct(events, 'workflow_id')).toBe(c.workflows)
    expect(distinct(events, 'step')).toBe(c.steps)
    expect(distinct(events, 'feature')).toBe(c.features)
    expect(distinct(events, 'provider', 'model')).toBe(c.models)
    expect(distinct(events, 'user_id')).toBeGreaterThan(0.8 * c.users) // 10,000 draws of 5,000: ~86% seen
    // every model is a real, priced one
    for (const e of events) expect(MODELS).toContainEqual({ provider: e.provider, model: e.model })
    // the times: within [now − 2 h, now], over the whole span (both ends reached), three hour buckets
    const ts = events.map((e) => Date.parse(String(e.timestamp)))
    expect(Math.min(...ts)).toBeGreaterThanOrEqual(NOW - 120 * 60_000)
    expect(Math.max(...ts)).toBeLessThanOrEqual(NOW)
    expect(Math.min(...ts)).toBeLessThan(NOW - 115 * 60_000)
    expect(Math.max(...ts)).toBeGreaterThan(NOW - 5 * 60_000)
    expect(new Set(events.map((e) => hourOf(e.timestamp)))).toEqual(new Set(['2026-12-06T10', '2026-12-06T11', '2026-12-06T12']))
    // what makes it realistic: nearly every event has an hourly rollup key of its own
    const hourlyKeys = new Set(
      events.map((e) =>
        JSON.stringify([
          hourOf(e.timestamp),
          e.environment,
          e.traffic_source,
          e.workflow_id,
          e.step,
          e.call_type,
          e.feature,
          e.account_id,
          e.provider,
          e.model,
          e.outcome,
        ]),
      ),
    )
    expect(hourlyKeys.size).toBeGreaterThan(0.99 * events.length)
  })

  it('the low load is the templates as they are, every timestamp now: few rollup keys', () => {
    const f = new EventFactory(tpl, 't', CARDINALITIES.low)
    const events = Array.from({ length: 100 }, (_, s) => f.batch(s, 100, undefined, NOW)).flat()
    expect(new Set(events.map((e) => e.timestamp))).toEqual(new Set([new Date(NOW).toISOString()]))
    for (let i = 0; i < events.length; i++) {
      const t = tpl[i % tpl.length]
      for (const k of ['workflow_id', 'step', 'account_id', 'provider', 'model', 'feature', 'user_id'] as const) expect(events[i][k]).toBe(t[k])
    }
    expect(distinct(events, 'workflow_id', 'step', 'account_id', 'model', 'feature', 'outcome')).toBeLessThan(events.length / 20)
  })

  it('a sampled batch carries its own workflow; the same seed gives the same keys', () => {
    const a = new EventFactory(tpl, 't', CARDINALITIES.realistic).batch(0, 50, 'fresh-1', NOW)
    const b = new EventFactory(tpl, 't', CARDINALITIES.realistic).batch(0, 50, 'fresh-1', NOW)
    expect(a.every((e) => e.workflow_id === 'fresh-1')).toBe(true)
    expect(a).toEqual(b)
  })

  it('parses --cardinality', () => {
    expect(parseCardinality('realistic')).toEqual({ name: 'realistic', c: CARDINALITIES.realistic })
    expect(parseCardinality('realistic,accounts=50,spreadMinutes=30').c).toEqual({ ...CARDINALITIES.realistic, accounts: 50, spreadMinutes: 30 })
    expect(parseCardinality('accounts=7').c).toEqual({ ...CARDINALITIES.low, accounts: 7 })
    expect(() => parseCardinality('huge')).toThrow(/unknown load/)
    expect(() => parseCardinality('realistic,colours=3')).toThrow(/unknown key/)
    expect(() => parseCardinality(`models=${MODELS.length + 1}`)).toThrow(/at most/)
  })
})
