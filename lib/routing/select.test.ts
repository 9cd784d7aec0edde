import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import {
  brownoutModel,
  cheapestClearing,
  diffSpecs,
  fallbackChain,
  hash32,
  inCanary,
  matchPolicy,
  routeWith,
  selectCandidate,
  versionFor,
  type TCallCost,
  type TEvalScore,
  type TLivePolicy,
  type TLiveVersion,
} from '@/lib/routing/select'
import { ZPolicySpec, ZPolicySpecInput, type TPolicySpec } from '@/lib/routing/schema'

const mini = { provider: 'openai', model: 'gpt-4o-mini' }
const big = { provider: 'openai', model: 'gpt-4o' }
const haiku = { provider: 'anthropic', model: 'claude-3-5-haiku' }

const score = (m: { provider: string; model: string }, metric: string, s: number, run_at = '2026-11-01T00:00:00Z', eval_set = 'golden'): TEvalScore => ({
  ...m,
  metric,
  score: s,
  sample_count: 200,
  eval_set,
  run_at,
})
const cost = (usd: string | null, source: TCallCost['source'] = 'traffic', calls = 500): TCallCost => ({ cost_per_call_usd: usd, source, calls })
const spec = (over: Partial<TPolicySpec> = {}): TPolicySpec =>
  ZPolicySpecInput.parse({
    candidates: [big, mini, haiku],
    quality_bar: [
      { metric: 'grounding', min: 0.92 },
      { metric: 'format_ok', min: 0.99 },
    ],
    ...over,
  })

describe('selectCandidate: cheapest clearing the bar by cache-adjusted cost per call', () => {
  const costs = new Map([
    ['openai/gpt-4o', cost('0.004100')],
    ['openai/gpt-4o-mini', cost('0.000300')],
    ['anthropic/claude-3-5-haiku', cost('0.000900', 'prices', 0)],
  ])

  it('picks the cheapest model whose every metric meets its minimum', () => {
    const evals = [
      score(big, 'grounding', 0.97),
      score(big, 'format_ok', 1),
      score(mini, 'grounding', 0.9),
      score(mini, 'format_ok', 1), // cheapest, fails grounding
      score(haiku, 'grounding', 0.93),
      score(haiku, 'format_ok', 0.995),
    ]
    const s = selectCandidate(spec(), evals, costs)
    expect(s.chosen).toEqual(haiku)
    expect(s.reason).toContain("anthropic/claude-3-5-haiku at $0.000900/call (price × the step's token profile)")
    expect(s.reason).toContain('2 of 3 candidates clear the bar')
    expect(s.candidates.find((c) => c.model === 'gpt-4o-mini')).toMatchObject({ clears: false, shortfalls: ['grounding 0.9 < 0.92'] })
  })

  it('counts the latest run per metric, of the named eval set only', () => {
    const evals = [
      score(mini, 'grounding', 0.9, '2026-10-01T00:00:00Z'),
      score(mini, 'grounding', 0.95, '2026-11-02T00:00:00Z'),
      score(mini, 'format_ok', 1),
      score(big, 'grounding', 0.99),
      score(big, 'format_ok', 1),
      score(haiku, 'grounding', 0.99, '2026-11-03T00:00:00Z', 'other-set'),
      score(haiku, 'format_ok', 1, '2026-11-03T00:00:00Z', 'other-set'),
    ]
    expect(selectCandidate(spec(), evals, costs).chosen).toEqual(mini)
    const onlyGolden = selectCandidate(spec({ eval_set: 'golden', candidates: [big, haiku] }), evals, costs)
    expect(onlyGolden.chosen).toEqual(big)
    expect(onlyGolden.candidates[1].shortfalls).toEqual(['grounding: no eval result', 'format_ok: no eval result'])
  })

  it('chooses nothing when no candidate clears, and says why per candidate', () => {
    const s = selectCandidate(spec({ candidates: [mini] }), [score(mini, 'grounding', 0.5)], costs)
    expect(s.chosen).toBeNull()
    expect(s.reason).toBe('no candidate clears the quality bar (openai/gpt-4o-mini: grounding 0.5 < 0.92, format_ok: no eval result)')
  })

  it('never lets an unknown cost win over a known one; with all unknown, the first clearing candidate listed', () => {
    const evals = [big, mini].flatMap((m) => [score(m, 'grounding', 0.99), score(m, 'format_ok', 1)])
    const c2 = new Map([
      ['openai/gpt-4o', cost('0.004100')],
      ['openai/gpt-4o-mini', cost(null, null, 0)],
    ])
    expect(selectCandidate(spec({ candidates: [mini, big] }), evals, c2).chosen).toEqual(big)
    const s = selectCandidate(spec({ candidates: [mini, big] }), evals, new Map())
    expect(s.chosen).toEqual(mini)
    expect(s.reason).toContain('cost per call unknown')
  })

  it('compares costs exactly (micro-dollars, not floats)', () => {
    const evals = [big, mini].flatMap((m) => [score(m, 'grounding', 0.99), score(m, 'format_ok', 1)])
    const c3 = new Map([
      ['openai/gpt-4o', cost('0.000301')],
      ['openai/gpt-4o-mini', cost('0.000300')],
    ])
    expect(selectCandidate(spec({ candidates: [big, mini] }), evals, c3).chosen).toEqual(mini)
  })
})

const v = (version: number, over: Partial<TLiveVersion> = {}): TLiveVersion => ({
  version,
  chosen: mini,
  selection_reason: 'cheapest clearing the bar',
  cascade: null,
  fallback: null,
  canary: null,
  ...over,
})
const policy = (over: Partial<TLivePolicy> = {}): TLivePolicy => ({
  id: 'p1',
  workflow_id: 'support',
  step: 'classify',
  environment: '',
  account_id: '',
  current: v(1),
  base: null,
  ...over,
})

describe('routeWith: cascade on confidence, fallback on attempt', () => {
  const cascading = policy({ current: v(3, { cascade: { models: [mini, haiku, big], confidence_threshold: 0.7 }, fallback: haiku }) })

  it('answers the selected model and says the selection rule chose it', () => {
    expect(routeWith(cascading, {})).toEqual({ ...mini, version: 3, reason: 'selection: cheapest clearing the bar' })
    expect(routeWith(cascading, { confidence: 0.7 })).toMatchObject(mini) // at the threshold: no escalation
  })

  it('escalates one model up the ladder when the confidence is below the threshold', () => {
    const r = routeWith(cascading, { confidence: 0.41 })
    expect(r).toMatchObject(haiku)
    expect(r.reason).toBe('cascade: confidence 0.41 < threshold 0.7, escalated from openai/gpt-4o-mini to anthropic/claude-3-5-haiku')
    const top = policy({ current: v(1, { chosen: big, cascade: { models: [mini, big], confidence_threshold: 0.5 } }) })
    expect(routeWith(top, { confidence: 0.1 })).toMatchObject({ ...big, reason: expect.stringContaining('is the last model of the cascade') })
  })

  it('sends a retry after a provider error to the fallback model, before any cascade', () => {
    expect(routeWith(cascading, { attempt: 2, confidence: 0.1 })).toMatchObject({ ...haiku, reason: expect.stringMatching(/^fallback: attempt 2/) })
    expect(routeWith(policy(), { attempt: 2 })).toMatchObject({ ...mini, reason: expect.stringContaining('no fallback model configured') })
    expect(routeWith(cascading, { attempt: 1 })).toMatchObject(mini)
  })
})

describe('canary hashing', () => {
  const canary = policy({ current: v(4, { chosen: haiku, canary: { share_pct: 10, stable_by: 'run_id' } }), base: v(3, { chosen: mini }) })

  it('is deterministic: one run always gets the same version', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (runId) => {
        const a = routeWith(canary, { run_id: runId })
        for (let i = 0; i < 3; i++) expect(routeWith(canary, { run_id: runId, confidence: 0.9 })).toEqual(a)
      }),
    )
  })

  it('gives the canary its share of keys within statistical bounds (sequential and random ids)', () => {
    for (const share of [1, 10, 38, 50, 90]) {
      const n = 20_000
      let hits = 0
      for (let i = 0; i < n; i++) if (inCanary('policy-x', 2, `run-${i}`, share)) hits++
      const p = share / 100
      const sd = Math.sqrt(n * p * (1 - p))
      expect(Math.abs(hits - n * p)).toBeLessThan(5 * sd) // 5σ: a fair hash fails this about once in 3.5 million runs
    }
  })

  it('draws a fresh sample per version (salted), so the same runs are not always the guinea pigs', () => {
    let both = 0
    for (let i = 0; i < 10_000; i++) if (inCanary('p', 1, `r${i}`, 50) && inCanary('p', 2, `r${i}`, 50)) both++
    expect(Math.abs(both - 2500)).toBeLessThan(5 * Math.sqrt(10_000 * 0.25 * 0.75))
  })

  it('splits by account_id when told; a call without the key stays on the stable version', () => {
    const byAccount = policy({ current: v(2, { chosen: big, canary: { share_pct: 50, stable_by: 'account_id' } }), base: v(1) })
    expect(versionFor(byAccount, {}).v?.version).toBe(1)
    expect(routeWith(byAccount, { run_id: 'r1' }).reason).toContain('the call has no account_id, stable v1')
    const seen = new Set(Array.from({ length: 200 }, (_, i) => routeWith(byAccount, { account_id: `acct-${i}` }).version))
    expect(seen).toEqual(new Set([1, 2]))
  })

  it("a first canary (no version before it): its share gets the policy, the rest the caller's default (version null), never a silent re-route", () => {
    const first = policy({ current: v(1, { chosen: haiku, canary: { share_pct: 10, stable_by: 'run_id' } }), base: null })
    const n = 20_000
    let onCanary = 0
    for (let i = 0; i < n; i++) {
      const r = routeWith(first, { run_id: `run-${i}` })
      if (r.version === 1) {
        onCanary++
        expect(r).toMatchObject(haiku)
      } else {
        expect(r).toEqual({ version: null, reason: "the caller's default model (canary v1 takes 10% by run_id)" })
        expect(versionFor(first, { run_id: `run-${i}` }).v).toBeNull()
      }
    }
    expect(Math.abs(onCanary - n * 0.1)).toBeLessThan(5 * Math.sqrt(n * 0.1 * 0.9))
    // without the key: the caller's default, not the canary
    expect(routeWith(first, {})).toEqual({
      version: null,
      reason: "canary v1 (10% by run_id) not applied: the call has no run_id, the caller's default model",
    })
  })

  it('spreads bits: single-character keys do not collapse into one bucket', () => {
    const buckets = new Set(Array.from({ length: 64 }, (_, i) => hash32(String.fromCharCode(48 + i)) >>> 28))
    expect(buckets.size).toBeGreaterThan(10)
  })
})

describe('matchPolicy and diffSpecs', () => {
  it('prefers the most specific segment: account, then environment, then the general policy', () => {
    const ps = [
      policy({ id: 'general' }),
      policy({ id: 'staging', environment: 'staging' }),
      policy({ id: 'acme', account_id: 'acme' }),
      policy({ id: 'other-step', step: 'draft' }),
    ]
    const call = { workflow_id: 'support', step: 'classify', environment: 'production' }
    expect(matchPolicy(ps, call)?.id).toBe('general')
    expect(matchPolicy(ps, { ...call, environment: 'staging' })?.id).toBe('staging')
    expect(matchPolicy(ps, { ...call, environment: 'staging', account_id: 'acme' })?.id).toBe('acme')
    expect(matchPolicy(ps, { ...call, step: 'nope' })).toBeNull()
  })

  it('lists each changed field: bar metrics, candidates added and removed, cascade', () => {
    const a = spec()
    const b = spec({
      quality_bar: [
        { metric: 'grounding', min: 0.95 },
        { metric: 'tone', min: 0.8 },
      ],
      candidates: [mini, haiku, { provider: 'google', model: 'gemini-2.0-flash' }],
      cascade: { models: [mini, big], confidence_threshold: 0.6 },
    })
    expect(diffSpecs(a, b)).toEqual([
      { field: 'quality_bar.grounding', from: 0.92, to: 0.95 },
      { field: 'quality_bar.format_ok', from: 0.99, to: null },
      { field: 'quality_bar.tone', from: null, to: 0.8 },
      { field: 'candidates', from: null, to: 'google/gemini-2.0-flash' },
      { field: 'candidates', from: 'openai/gpt-4o', to: null },
      { field: 'cascade', from: null, to: { models: [mini, big], confidence_threshold: 0.6 } },
    ])
    expect(diffSpecs(a, spec())).toEqual([])
  })
})

describe('gateway settings of a policy', () => {
  it("a fallback chain: fallback, then fallbacks in order, each model once; decide's attempt n takes the chain's (n-1)th", () => {
    expect(fallbackChain({ fallback: haiku, fallbacks: [big, haiku, mini] })).toEqual([haiku, big, mini])
    expect(fallbackChain({ fallback: null, fallbacks: undefined })).toEqual([])
    const p = policy({ current: v(2, { fallback: haiku, fallbacks: [haiku, big] }) })
    expect(routeWith(p, { attempt: 2 })).toMatchObject(haiku)
    expect(routeWith(p, { attempt: 3 })).toMatchObject(big)
    expect(routeWith(p, { attempt: 9 })).toMatchObject(big) // past the chain: its last model
  })

  it("the cheapest clearing candidate by exact cost; a brown-out takes the cheaper of a canary's two sides", () => {
    const c = (m: typeof mini, cost: string | null, clears = true) => ({ ...m, cost_per_call_usd: cost, clears })
    expect(cheapestClearing([c(big, '0.004500'), c(mini, '0.000270', false), c(haiku, '0.001600'), c(mini, null)])).toEqual({ ...haiku, cost_micros: '1600' })
    expect(cheapestClearing([c(big, null)])).toBeNull()
    const both = policy({
      current: v(2, { chosen: big, cheapest_clearing: { ...big, cost_micros: '4500' } }),
      base: v(1, { cheapest_clearing: { ...mini, cost_micros: '270' } }),
    })
    expect(brownoutModel(both)).toEqual(mini)
    expect(brownoutModel(policy({ current: v(1, { cheapest_clearing: null }) }))).toBeNull()
  })

  it('validates the new fields field by field; a version stored before them still parses, and diffs as unchanged', () => {
    const r = ZPolicySpec.safeParse({
      ...spec(),
      fallbacks: [mini, mini],
      max_tokens_cap: 0,
      cache_ttl_s: 31 * 86_400,
      cascade: { models: [mini, big], confidence_threshold: 0.5, confidence_from: 'json_field' },
    })
    expect(r.success).toBe(false)
    const msgs = r.error!.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
    expect(msgs).toEqual(
      expect.arrayContaining([
        'fallbacks: each model at most once',
        'max_tokens_cap: must be at least 1',
        'cache_ttl_s: must be at most 2592000 (30 days)',
        'cascade.confidence_field: is required when confidence_from is json_field',
      ]),
    )
    const { fallbacks: _f, max_tokens_cap: _m, cache_ttl_s: _c, ...old } = spec()
    expect(ZPolicySpec.safeParse(old).success).toBe(true)
    expect(diffSpecs(old as TPolicySpec, spec())).toEqual([])
    expect(diffSpecs(spec(), spec({ max_tokens_cap: 300, fallbacks: [big] }))).toEqual([
      { field: 'fallbacks', from: null, to: [big] },
      { field: 'max_tokens_cap', from: null, to: 300 },
    ])
  })
})
