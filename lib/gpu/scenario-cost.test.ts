import { micros } from '@/lib/domain'
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { buildScenarioCost, callPart, SCENARIO_PARTS, type TCallRow, type TPoolMonth } from '@/lib/gpu/scenario-cost'
import { fromScaled } from '@/lib/cost/money'

const M = '2026-11'
const call = (scenario: string, extra: Partial<TCallRow> = {}): TCallRow => ({
  month: M,
  scenario,
  traffic_source: 'production',
  environment: 'production',
  gpu_pool: null,
  cost_usd: '0',
  gpu_seconds: 0,
  gpu_cost_usd: '0',
  ...extra,
})
const pool = (name: string, role: string, cost: bigint, extra: Partial<TPoolMonth> = {}): TPoolMonth => ({
  name,
  role,
  serves: ['search', 'triage'],
  allocation: 'gpu_seconds',
  shares: null,
  cost_micros: new Map([[M, cost]]),
  ...extra,
})

describe('scenario cost', () => {
  it('puts calls in their part, shares each pool beyond what calls paid, adds line items, and divides by accepted outcomes', () => {
    const r = buildScenarioCost(
      M,
      [
        call('search', { cost_usd: '30.000000', gpu_pool: 'prod', gpu_seconds: 300, gpu_cost_usd: '30.000000' }),
        call('triage', { cost_usd: '10.000000', gpu_pool: 'prod', gpu_seconds: 100, gpu_cost_usd: '10.000000' }),
        call('search', {
          traffic_source: 'eval',
          environment: 'staging',
          cost_usd: '2.000000',
          gpu_pool: 'staging',
          gpu_seconds: 50,
          gpu_cost_usd: '2.000000',
        }),
        call('search', { traffic_source: 'ops', cost_usd: '1.000000' }),
        call('support', { cost_usd: '5.000000' }),
      ],
      [
        pool('prod', 'production', 100_000_000n),
        pool('staging', 'staging', 12_000_000n, { allocation: 'even' }),
        pool('spare', 'reserve', 9_000_000n, { allocation: 'share', shares: { search: 2, triage: 1 } }),
      ],
      [
        { month: M, scenario: 'search', category: 'engineering', amount_micros: 7_000_000n },
        { month: '2026-10', scenario: 'search', category: 'engineering', amount_micros: 1n },
      ],
      [{ month: M, scenario: 'search', accepted: 4 }],
    )
    const search = r.scenarios.find((s) => s.scenario === 'search')!
    // prod: 100 − 40 used = 60, by GPU-seconds 300:100 → 45 / 15; staging: 12 − 2 = 10 evenly; spare 9 by 2:1
    expect(search.parts).toEqual({
      production_inference: '30.000000',
      eval_benchmark: '2.000000',
      internal_traffic: '1.000000',
      production_capacity: '45.000000',
      non_production_capacity: '5.000000',
      reserve: '6.000000',
      engineering: '7.000000',
      operations: '0.000000',
    })
    expect(search.total_usd).toBe('96.000000')
    expect(search.cost_per_accepted_outcome_usd).toBe('24.000000')
    expect(r.scenarios.find((s) => s.scenario === 'triage')).toMatchObject({ total_usd: '33.000000', cost_per_accepted_outcome_usd: null }) // 10 + 15 + 5 + 3
    expect(r.pools.find((p) => p.pool === 'prod')).toMatchObject({
      cost_usd: '100.000000',
      used_by_calls_usd: '40.000000',
      allocated_usd: '60.000000',
      part: 'production_capacity',
    })
    // Everything adds up: calls + pools beyond calls + this month's line items.
    expect(r.total_usd).toBe('134.000000') // 48 in calls + 79 of the pools beyond their calls (60 + 10 + 9) + 7 of line items
  })

  it('sums calls exactly and rounds each part once', () => {
    const r = buildScenarioCost(M, [call('a', { cost_usd: '0.0000004' }), call('a', { cost_usd: '0.0000004', gpu_pool: 'x' })], [], [], [])
    expect(r.scenarios[0].parts.production_inference).toBe('0.000001') // 0.4 + 0.4 micro-dollars, not 0 + 0
  })

  it('rounds the parts so that they add up to the calls rounded once (as the metrics API sums them), not to a sum of rounded parts', () => {
    // three scenarios of 0.4 micro-dollars: each part alone would round to 0, the three of them to 1
    const r = buildScenarioCost(
      M,
      [call('a', { cost_usd: '0.0000004' }), call('b', { cost_usd: '0.0000004' }), call('c', { cost_usd: '0.0000004' })],
      [],
      [],
      [],
    )
    expect(r.total_usd).toBe('0.000001')
    expect(r.scenarios.map((x) => x.parts.production_inference).sort()).toEqual(['0.000000', '0.000000', '0.000001'])
  })

  it('names over-used and unassigned pools', () => {
    const r = buildScenarioCost(
      M,
      [call('a', { gpu_pool: 'p', gpu_seconds: 10, gpu_cost_usd: '0.000005', cost_usd: '0.000005' })],
      [pool('p', 'staging', 3n), pool('q', 'canary', 4n, { serves: [] })],
      [],
      [],
    )
    expect(r.pools[0]).toMatchObject({ allocated_usd: '0.000000', note: expect.stringMatching(/more GPU time than the pool cost/) })
    expect(r.pools[1]).toMatchObject({
      allocation: [{ scenario: '(unassigned)', usd: '0.000004', weight: 0 }],
      note: expect.stringMatching(/names no scenario/),
    })
  })

  it('classifies calls', () => {
    expect(callPart('production', 'production')).toBe('production_inference')
    expect(callPart('production', 'staging')).toBe('internal_traffic')
    expect(callPart('replay', 'staging')).toBe('eval_benchmark')
    expect(callPart('ops', 'production')).toBe('internal_traffic')
  })

  it("property: scenario parts add up to calls + every pool's cost (when calls do not exceed it) + line items", () => {
    const scen = fc.constantFrom('a', 'b', 'c')
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            s: scen,
            usd: fc.integer({ min: 0, max: 10_000_000 }),
            gpu: fc.integer({ min: 0, max: 1_000_000 }),
            pool: fc.constantFrom('p1', 'p2', null),
          }),
          { maxLength: 20 },
        ),
        fc.tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.bigInt({ min: 0n, max: 10n ** 12n })),
        fc.constantFrom('gpu_seconds', 'share', 'even') as fc.Arbitrary<'gpu_seconds' | 'share' | 'even'>,
        (cs, [c1, c2], rule) => {
          const calls = cs.map((c) =>
            call(c.s, {
              gpu_pool: c.pool,
              cost_usd: fromScaled(BigInt(c.usd + (c.pool ? c.gpu : 0)), 6),
              gpu_seconds: c.pool ? c.gpu / 1000 : 0,
              gpu_cost_usd: fromScaled(BigInt(c.pool ? c.gpu : 0), 6),
            }),
          )
          const used = (p: string) => calls.filter((c) => c.gpu_pool === p).reduce((s, c) => s + micros(c.gpu_cost_usd), 0n)
          const pools = [
            pool('p1', 'production', c1 + used('p1'), { allocation: rule, shares: { search: 1 }, serves: ['a', 'search'] }),
            pool('p2', 'reserve', c2 + used('p2'), { allocation: rule, serves: ['b', 'c'], shares: { b: 1, c: 3 } }),
          ]
          const r = buildScenarioCost(M, calls, pools, [{ month: M, scenario: 'c', category: 'operations', amount_micros: 5n }], [])
          const sum = r.scenarios.reduce((s, x) => s + micros(x.total_usd), 0n)
          expect(sum).toBe(calls.reduce((s, c) => s + micros(c.cost_usd), 0n) + c1 + c2 + 5n)
          for (const p of r.pools) expect(p.allocation.reduce((s, a) => s + micros(a.usd), 0n)).toBe(micros(p.allocated_usd))
          for (const x of r.scenarios) expect(SCENARIO_PARTS.reduce((s, k) => s + micros(x.parts[k]), 0n)).toBe(micros(x.total_usd))
        },
      ),
      { numRuns: 300 },
    )
  })
})
