import { DAY_MS } from '@/lib/domain'
import { describe, it, expect } from 'vitest'
import { DEMO_OUTCOME_RATES, demoOutcomes, generateDemoEvents, RESTART_FROM_TOP, type TDemoEvent, type TDemoOptions } from './generate'

const NOW = new Date('2025-06-30T15:30:00.000Z') // a Monday afternoon
const PRICED_MODELS: Record<string, string> = {
  'gpt-4o': 'openai',
  'gpt-4o-mini': 'openai',
  'gpt-4.1': 'openai',
  'gpt-4.1-mini': 'openai',
  'text-embedding-3-small': 'openai',
  'claude-sonnet-4-5': 'anthropic',
  'claude-haiku-4-5': 'anthropic',
  'claude-opus-4-1': 'anthropic',
}

function collect(opts: TDemoOptions): TDemoEvent[][] {
  return [...generateDemoEvents(opts)]
}

function isWeekend(dayIndex: number, days: number, now: Date): boolean {
  const dayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS - (days - 1 - dayIndex) * DAY_MS
  const dow = new Date(dayStart).getUTCDay()
  return dow === 0 || dow === 6
}

function sum(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0)
}

function mean(xs: readonly number[]): number {
  return xs.length === 0 ? 0 : sum(xs) / xs.length
}

function groupByRun(events: readonly TDemoEvent[]): Map<string, TDemoEvent[]> {
  const runs = new Map<string, TDemoEvent[]>()
  for (const e of events) {
    const run = runs.get(e.run_id)
    if (run === undefined) runs.set(e.run_id, [e])
    else run.push(e)
  }
  return runs
}

// One 90-day generation shared by the tests below (its speed is not asserted:
// speed is measured by benchmarks, never by a timed test).
const quarter = collect({ now: NOW, days: 90, seed: 7 })
const all = quarter.flat()
const runs = groupByRun(all)

describe('generateDemoEvents: shape and determinism', () => {
  it('yields one array per day, oldest first, each sorted by time', () => {
    expect(quarter).toHaveLength(90)
    const todayStart = Math.floor(NOW.getTime() / DAY_MS) * DAY_MS
    const misplaced: string[] = []
    quarter.forEach((day, i) => {
      const dayStart = todayStart - (89 - i) * DAY_MS
      for (let k = 0; k < day.length; k++) {
        const t = Date.parse(day[k]!.timestamp)
        const inDay = t >= dayStart && t < dayStart + DAY_MS
        const ordered = k === 0 || day[k - 1]!.timestamp <= day[k]!.timestamp
        if (!inDay || !ordered) misplaced.push(day[k]!.id)
      }
    })
    expect(misplaced).toEqual([])
  })

  it('is deterministic for the same seed and now, and differs for another seed', () => {
    const a = collect({ now: NOW, days: 10, seed: 123 })
    const b = collect({ now: new Date(NOW.getTime()), days: 10, seed: 123 })
    const c = collect({ now: NOW, days: 10, seed: 124 })
    expect(b).toEqual(a)
    expect(c).not.toEqual(a)
  })

  it('keeps ids stable for the same seed and now', () => {
    const a = collect({ now: NOW, days: 3, seed: 5 })
      .flat()
      .map((e) => e.id)
    const b = collect({ now: NOW, days: 3, seed: 5 })
      .flat()
      .map((e) => e.id)
    expect(a).toEqual(b)
  })

  it('generates 90 days within 100k–200k events', () => {
    expect(all.length).toBeGreaterThan(100_000)
    expect(all.length).toBeLessThan(200_000)
  })

  it('stops the current day at now', () => {
    const now = new Date('2025-06-30T09:15:00.000Z')
    const days = collect({ now, days: 2, seed: 1 })
    const today = days[1]!
    expect(today.length).toBeGreaterThan(0)
    for (const e of today) expect(Date.parse(e.timestamp)).toBeLessThanOrEqual(now.getTime())
    expect(today.length).toBeLessThan(days[0]!.length)
  })

  it('scales with runsPerDay and handles a single day', () => {
    const small = collect({ now: NOW, days: 7, runsPerDay: 50 }).flat().length
    const large = collect({ now: NOW, days: 7, runsPerDay: 200 }).flat().length
    expect(large).toBeGreaterThan(small * 2.5)
    expect(collect({ now: NOW, days: 1 })).toHaveLength(1)
  })

  it('rejects invalid options', () => {
    expect(() => collect({ now: new Date('nope'), days: 3 })).toThrow()
    expect(() => collect({ now: NOW, days: 0 })).toThrow()
    expect(() => collect({ now: NOW, days: 2.5 })).toThrow()
    expect(() => collect({ now: NOW, days: 3, runsPerDay: -1 })).toThrow()
  })
})

describe('generateDemoEvents: every event honours the ingest contract', () => {
  it('has valid, unique ids and timestamps within the window', () => {
    const windowStart = Math.floor(NOW.getTime() / DAY_MS) * DAY_MS - 89 * DAY_MS
    const ids = new Set<string>()
    const bad: TDemoEvent[] = []
    for (const e of all) {
      ids.add(e.id)
      const t = Date.parse(e.timestamp)
      const ok = e.id.length <= 128 && e.timestamp === new Date(t).toISOString() && t >= windowStart && t <= NOW.getTime()
      if (!ok) bad.push(e)
    }
    expect(bad).toEqual([])
    expect(ids.size).toBe(all.length)
  })

  it('has non-negative integer tokens and cache reads + writes within tokens_in', () => {
    const bad: TDemoEvent[] = []
    for (const e of all) {
      const ints = [e.tokens_in, e.tokens_out, e.cached_tokens_in ?? 0, e.cache_write_tokens ?? 0, e.attempt, e.latency_ms]
      const ok =
        ints.every((n) => Number.isInteger(n) && n >= 0) &&
        e.attempt >= 1 &&
        (e.cached_tokens_in ?? 0) + (e.cache_write_tokens ?? 0) <= e.tokens_in &&
        (e.max_tokens === undefined || (Number.isInteger(e.max_tokens) && e.max_tokens >= 1)) &&
        (e.input_hash === undefined || e.input_hash.length <= 128) &&
        (e.metadata === undefined || Object.keys(e.metadata).length <= 50)
      if (!ok) bad.push(e)
    }
    expect(bad).toEqual([])
  })

  it('uses only priced models with their own provider', () => {
    expect(all.filter((e) => PRICED_MODELS[e.model] !== e.provider)).toEqual([])
    expect(new Set(all.map((e) => e.model)).size).toBe(Object.keys(PRICED_MODELS).length)
  })

  it('has no output tokens on embeddings and cache writes only on Anthropic', () => {
    expect(all.filter((e) => e.call_type === 'embedding' && e.tokens_out !== 0)).toEqual([])
    expect(all.filter((e) => e.cache_write_tokens !== undefined && e.provider !== 'anthropic')).toEqual([])
  })

  it('shares run_id, workflow, account and environment across the steps of a run', () => {
    const bad: TDemoEvent[] = []
    for (const events of runs.values()) {
      const first = events[0]!
      for (const e of events) {
        const same =
          e.workflow_id === first.workflow_id &&
          e.account_id === first.account_id &&
          e.environment === first.environment &&
          e.traffic_source === first.traffic_source
        if (!same) bad.push(e)
      }
    }
    expect(bad).toEqual([])
  })
})

describe('generateDemoEvents: the shape of the traffic', () => {
  const fullDays = quarter.slice(0, -1) // the current day is partial

  it('has weekends at roughly 40% of weekday volume', () => {
    const weekday = fullDays.filter((_, i) => !isWeekend(i, 90, NOW)).map((d) => d.length)
    const weekend = fullDays.filter((_, i) => isWeekend(i, 90, NOW)).map((d) => d.length)
    expect(mean(weekday)).toBeGreaterThan(mean(weekend))
    const ratio = mean(weekend) / mean(weekday)
    expect(ratio).toBeGreaterThan(0.3)
    expect(ratio).toBeLessThan(0.55)
  })

  it('grows: the last two weeks carry over 1.8x the first two', () => {
    const first = sum(quarter.slice(0, 14).map((d) => d.length))
    const last = sum(quarter.slice(-14).map((d) => d.length))
    expect(last).toBeGreaterThan(first * 1.8)
  })

  it('follows business hours on weekdays', () => {
    const byHour = new Array<number>(24).fill(0)
    for (const e of all) if (e.traffic_source === 'production') byHour[new Date(e.timestamp).getUTCHours()]! += 1
    expect(byHour[15]!).toBeGreaterThan(byHour[3]! * 5)
  })

  it('skews traffic across ~40 customer accounts (Zipf-like)', () => {
    const perAccount = new Map<string, number>()
    for (const e of all) if (e.account_id !== undefined) perAccount.set(e.account_id, (perAccount.get(e.account_id) ?? 0) + 1)
    expect(perAccount.size).toBeGreaterThanOrEqual(38)
    const sorted = [...perAccount.values()].sort((a, b) => b - a)
    expect(sorted[0]!).toBeGreaterThan(sorted[9]! * 4)
    expect(perAccount.has('acme-corp')).toBe(true)
    expect(perAccount.has('globex')).toBe(true)
    const withUser = all.filter((e) => e.account_id !== undefined && e.traffic_source === 'production')
    expect(withUser.every((e) => e.user_id !== undefined)).toBe(true)
  })

  it('tags features and workflows', () => {
    expect(new Set(all.map((e) => e.feature))).toEqual(new Set(['inbox-assist', 'auto-reply', 'meeting-notes', 'lead-scoring']))
    expect(new Set(all.map((e) => e.workflow_id))).toEqual(
      new Set(['support-agent', 'email-drafter', 'doc-summarizer', 'lead-qualifier', 'transcript-cleaner']),
    )
  })

  it('separates traffic sources and environments', () => {
    const share = (f: (e: TDemoEvent) => boolean): number => all.filter(f).length / all.length
    expect(share((e) => e.traffic_source === 'production')).toBeGreaterThan(0.8)
    const evalEvents = all.filter((e) => e.traffic_source === 'eval')
    expect(evalEvents.length / all.length).toBeGreaterThan(0.03)
    expect(evalEvents.length / all.length).toBeLessThan(0.08)
    expect(evalEvents.every((e) => e.environment === 'staging')).toBe(true)
    expect(
      evalEvents.every((e) => {
        const d = new Date(e.timestamp).getUTCDay()
        return d >= 1 && d <= 5
      }),
    ).toBe(true)
    expect(share((e) => e.traffic_source === 'replay')).toBeGreaterThan(0)
    expect(share((e) => e.traffic_source === 'ops')).toBeGreaterThan(0)
    expect(share((e) => e.environment === 'production')).toBeGreaterThan(0.8)
    expect(share((e) => e.environment === 'development')).toBeGreaterThan(0)
  })

  it("grows support-agent's generate prompt from ~2,500 to ~6,000 tokens", () => {
    const generate = (days: TDemoEvent[][]): number =>
      mean(
        days
          .flat()
          .filter((e) => e.workflow_id === 'support-agent' && e.step === 'generate' && e.outcome !== 'error')
          .map((e) => e.tokens_in),
      )
    const first = generate(quarter.slice(0, 7))
    const last = generate(quarter.slice(-7))
    expect(first).toBeGreaterThan(2200)
    expect(first).toBeLessThan(3000)
    expect(last).toBeGreaterThan(5300)
    expect(last).toBeLessThan(6500)
  })

  it('shows globex calling retrieval twice per run in the last 30 days only', () => {
    const cutoff = Math.floor(NOW.getTime() / DAY_MS) * DAY_MS - 29 * DAY_MS
    // (woodgrove-bank's restarted runs retrieve again, from the top: not a second retrieval of one pass)
    const retrievals = (events: TDemoEvent[]): number =>
      events.filter((e) => e.step === 'retrieve' && e.attempt === 1 && e.metadata?.retry_reason !== 'run_restarted').length
    const supportRuns = [...runs.values()].filter(
      (r) => r[0]!.workflow_id === 'support-agent' && r[0]!.traffic_source === 'production' && r[0]!.environment === 'production',
    )
    // runs that failed before retrieval finished are left out
    const complete = supportRuns.filter((r) => r.some((e) => e.step === 'rerank'))
    const globexRecent = complete.filter((r) => r[0]!.account_id === 'globex' && Date.parse(r[0]!.timestamp) >= cutoff)
    const globexBefore = complete.filter((r) => r[0]!.account_id === 'globex' && Date.parse(r[0]!.timestamp) < cutoff)
    const othersRecent = complete.filter((r) => r[0]!.account_id !== 'globex' && Date.parse(r[0]!.timestamp) >= cutoff)
    expect(globexRecent.length).toBeGreaterThan(100)
    expect(globexRecent.every((r) => retrievals(r) === 2)).toBe(true)
    expect(globexBefore.every((r) => retrievals(r) === 1)).toBe(true)
    expect(othersRecent.every((r) => retrievals(r) === 1)).toBe(true)
  })

  it('has woodgrove-bank restart a quarter of its support-agent runs from the top in the last 30 days: every step again, after the first pass', () => {
    const cutoff = Math.floor(NOW.getTime() / DAY_MS) * DAY_MS - (RESTART_FROM_TOP.days - 1) * DAY_MS
    const restarted = (r: TDemoEvent[]) => r.some((e) => e.metadata?.retry_reason === 'run_restarted')
    const mine = [...runs.values()].filter(
      (r) => r[0]!.account_id === RESTART_FROM_TOP.account && r[0]!.workflow_id === RESTART_FROM_TOP.workflow && r[0]!.traffic_source === 'production',
    )
    const recent = mine.filter((r) => Date.parse(r[0]!.timestamp) >= cutoff && r[0]!.environment === 'production')
    const share = recent.filter(restarted).length / recent.length
    expect(recent.length).toBeGreaterThan(40)
    expect(share).toBeGreaterThan(0.12)
    expect(share).toBeLessThan(0.4)
    for (const r of recent.filter(restarted)) {
      const firstPass = r.filter((e) => e.metadata?.retry_reason !== 'run_restarted')
      const again = r.filter((e) => e.metadata?.retry_reason === 'run_restarted')
      expect(again.map((e) => e.step)).toEqual(firstPass.map((e) => e.step))
      const lastFirst = Math.max(...firstPass.map((e) => Date.parse(e.timestamp)))
      expect(again.every((e) => Date.parse(e.timestamp) > lastFirst)).toBe(true)
    }
    // nobody else, and not before the window
    expect(mine.filter((r) => Date.parse(r[0]!.timestamp) < cutoff).some(restarted)).toBe(false)
    expect([...runs.values()].filter((r) => r[0]!.account_id !== RESTART_FROM_TOP.account).some(restarted)).toBe(false)
  })

  it('ships generate prompt v16 20 hours ago, and its cache hit rate falls', () => {
    const gen = all.filter((e) => e.workflow_id === 'support-agent' && e.step === 'generate' && e.tokens_in > 0 && e.outcome !== 'error')
    const shareOf = (xs: TDemoEvent[]) => sum(xs.map((e) => e.cached_tokens_in ?? 0)) / sum(xs.map((e) => e.tokens_in))
    const v16 = gen.filter((e) => e.prompt_version === 'v16')
    const v15 = gen.filter((e) => e.prompt_version === 'v15')
    expect(v16.length).toBeGreaterThan(50)
    expect(v16.every((e) => Date.parse(e.timestamp) >= NOW.getTime() - 20 * 3_600_000)).toBe(true)
    expect(gen.filter((e) => e.prompt_version === undefined)).toEqual([])
    expect(shareOf(v15)).toBeGreaterThan(0.35)
    expect(shareOf(v16)).toBeLessThan(0.15)
  })

  it('moves lead-qualifier/classify escalations from Opus to Sonnet 5 days ago', () => {
    const at = NOW.getTime() - 5 * DAY_MS
    const esc = all.filter((e) => e.workflow_id === 'lead-qualifier' && e.step === 'classify' && e.outcome === 'escalation')
    expect(esc.filter((e) => Date.parse(e.timestamp) < at).every((e) => e.model === 'claude-opus-4-1')).toBe(true)
    const after = esc.filter((e) => Date.parse(e.timestamp) >= at)
    expect(after.length).toBeGreaterThan(5)
    expect(after.every((e) => e.model === 'claude-sonnet-4-5')).toBe(true)
  })

  it('gives acme-corp a runaway service user far above its median user', () => {
    const recent = all.filter((e) => e.account_id === 'acme-corp' && Date.parse(e.timestamp) >= NOW.getTime() - 29 * DAY_MS)
    const byUser = new Map<string, number>()
    for (const e of recent) byUser.set(e.user_id!, (byUser.get(e.user_id!) ?? 0) + e.tokens_in)
    const tokens = [...byUser.values()].sort((a, b) => a - b)
    const median = tokens[Math.floor((tokens.length - 1) / 2)]!
    expect(byUser.get('svc-acme-sync')! / median).toBeGreaterThan(20)
  })

  it('uses prompt caching heavily on generate and classify steps', () => {
    const cached = all.filter((e) => (e.step === 'generate' || e.step === 'classify') && e.outcome !== 'error' && e.tokens_in > 0)
    const shares = cached.map((e) => (e.cached_tokens_in ?? 0) / e.tokens_in)
    expect(mean(shares)).toBeGreaterThan(0.3)
    expect(mean(shares)).toBeLessThan(0.8)
    expect(cached.some((e) => (e.cache_write_tokens ?? 0) > 0)).toBe(true)
  })

  it('has retries, fallbacks, escalations and errors at realistic rates', () => {
    const llmCalls = all.filter((e) => e.call_type !== 'embedding').length
    const count = (o: TDemoEvent['outcome']): number => all.filter((e) => e.outcome === o).length
    expect(count('retry') / llmCalls).toBeGreaterThan(0.025)
    expect(count('retry') / llmCalls).toBeLessThan(0.06)
    expect(count('fallback') / llmCalls).toBeGreaterThan(0.005)
    expect(count('fallback') / llmCalls).toBeLessThan(0.02)
    const plainErrors = count('error') - count('fallback')
    expect(plainErrors / all.length).toBeGreaterThan(0.002)
    expect(plainErrors / all.length).toBeLessThan(0.01)
    const classify = all.filter((e) => e.step === 'classify' && e.outcome !== 'escalation' && e.attempt === 1).length
    expect(count('escalation') / classify).toBeGreaterThan(0.04)
    expect(count('escalation') / classify).toBeLessThan(0.08)
  })

  it('follows every retry with the next attempt and every fallback with an error on another provider', () => {
    const bad: TDemoEvent[] = []
    for (const events of runs.values()) {
      events.forEach((e, i) => {
        const next = events[i + 1]
        const prev = events[i - 1]
        if (e.outcome === 'retry' && !(next?.step === e.step && next.attempt === e.attempt + 1)) bad.push(e)
        if (e.outcome === 'fallback' && !(prev?.outcome === 'error' && prev.step === e.step && prev.provider !== e.provider)) bad.push(e)
      })
    }
    expect(bad).toEqual([])
  })

  it('repeats ~8% of production classify inputs and leaves one step uncapped', () => {
    const classify = all.filter((e) => e.step === 'classify' && e.traffic_source === 'production' && e.outcome !== 'escalation' && e.attempt === 1)
    const seen = new Set<string>()
    let repeats = 0
    expect(classify.filter((e) => e.input_hash === undefined)).toEqual([])
    for (const e of classify) {
      if (seen.has(e.input_hash ?? '')) repeats++
      seen.add(e.input_hash ?? '')
    }
    expect(repeats / classify.length).toBeGreaterThan(0.05)
    expect(repeats / classify.length).toBeLessThan(0.11)
    const llm = all.filter((e) => e.call_type !== 'embedding')
    const uncapped = new Set(llm.filter((e) => e.max_tokens === undefined).map((e) => `${e.workflow_id}/${e.step}`))
    expect([...uncapped]).toEqual(['doc-summarizer/summarize'])
  })

  it('gives a call on another model (escalation, fallback) a different input_hash', () => {
    const bad: TDemoEvent[] = []
    for (const events of runs.values()) {
      events.forEach((e, i) => {
        const prev = events[i - 1]
        if ((e.outcome === 'escalation' || e.outcome === 'fallback') && e.input_hash !== undefined && prev?.input_hash === e.input_hash) bad.push(e)
      })
    }
    expect(bad).toEqual([])
  })

  it('has plausible latencies per model', () => {
    const median = (model: string, step: string): number => {
      const xs = all
        .filter((e) => e.model === model && e.step === step && e.outcome === 'success')
        .map((e) => e.latency_ms)
        .sort((a, b) => a - b)
      return xs[Math.floor(xs.length / 2)] ?? 0
    }
    expect(median('text-embedding-3-small', 'retrieve')).toBeLessThan(300)
    expect(median('gpt-4o-mini', 'classify')).toBeLessThan(1000)
    expect(median('claude-sonnet-4-5', 'generate')).toBeGreaterThan(2000)
    expect(median('claude-sonnet-4-5', 'generate')).toBeLessThan(15000)
  })
})

describe('the Anthropic overload (the workflow page’s latency-beside-fallbacks story)', () => {
  // NOW is a Monday: 2 days before is a Saturday, so the overload is on the Friday before, 15:00–16:00 UTC
  const hour = (dayStart: number) =>
    all.filter(
      (e) => e.workflow_id === 'support-agent' && Date.parse(e.timestamp) >= dayStart + 15 * 3_600_000 && Date.parse(e.timestamp) < dayStart + 16 * 3_600_000,
    )
  const p95 = (events: TDemoEvent[]) => events.map((e) => e.latency_ms).sort((a, b) => a - b)[Math.ceil(0.95 * events.length) - 1]
  const friday = Date.UTC(2025, 5, 27)
  it('spikes p95 to the 30 s timeout in the hour where support-agent calls fall back to OpenAI', () => {
    const during = hour(friday)
    const dayBefore = hour(friday - DAY_MS)
    const fallbacks = (events: TDemoEvent[]) => events.filter((e) => e.outcome === 'fallback')
    expect(fallbacks(during).length / during.length).toBeGreaterThan(0.08)
    // (an OpenAI call's usual 1% fallback still goes the other way)
    expect(fallbacks(during).filter((e) => e.provider === 'openai').length / fallbacks(during).length).toBeGreaterThan(0.8)
    expect(fallbacks(dayBefore).length / dayBefore.length).toBeLessThan(0.05)
    expect(p95(during)).toBeGreaterThanOrEqual(30_000)
    expect(p95(dayBefore)).toBeLessThan(20_000)
  })
})

describe('demoOutcomes', () => {
  const outcomes = quarter.flatMap((day) => demoOutcomes(day, NOW))
  it('one outcome per production run of the workflows with a business result, at its last call', () => {
    const runs = new Map<string, TDemoEvent>()
    for (const e of all) {
      if (e.traffic_source !== 'production' || e.environment !== 'production' || !DEMO_OUTCOME_RATES[e.workflow_id]) continue
      const seen = runs.get(e.run_id)
      if (!seen || e.timestamp > seen.timestamp) runs.set(e.run_id, e)
    }
    expect(outcomes.length).toBe(runs.size)
    expect(new Set(outcomes.map((o) => o.id)).size).toBe(outcomes.length)
    for (const o of outcomes.slice(0, 500)) expect(o.timestamp).toBe(runs.get(o.run_id)!.timestamp)
  })
  it('accepts at each workflow’s rate; support-agent slips in the last two weeks', () => {
    const late = Date.parse(NOW.toISOString()) - 14 * DAY_MS
    const rate = (xs: typeof outcomes) => xs.filter((o) => o.accepted).length / xs.length
    for (const [w, r] of Object.entries(DEMO_OUTCOME_RATES)) {
      const early = outcomes.filter((o) => o.workflow_id === w && Date.parse(o.timestamp) < late)
      expect(early.length, w).toBeGreaterThan(200)
      expect(Math.abs(rate(early) - r.rate), w).toBeLessThan(0.05)
    }
    const sa = outcomes.filter((o) => o.workflow_id === 'support-agent' && Date.parse(o.timestamp) >= late)
    expect(Math.abs(rate(sa) - DEMO_OUTCOME_RATES['support-agent'].lateRate!)).toBeLessThan(0.05)
  })
  it('is deterministic', () => {
    expect(quarter.flatMap((day) => demoOutcomes(day, NOW))).toEqual(outcomes)
  })
})
