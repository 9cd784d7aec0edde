import { describe, expect, it } from 'vitest'
import { createHash } from 'node:crypto'
import {
  allocate,
  auditRow,
  auditSamplesCsv,
  costStats,
  hourShares,
  hourWalk,
  quarterOf,
  quarterRange,
  strata,
  stratumDraw,
  stratumStart,
  stratumWalks,
  WALK_WINDOW,
  type TSampledCall,
} from '@/lib/reports/audit'

let seq = 0
const call = (cost: string, requests = 1, step = 'draft', model = 'gpt-4o'): TSampledCall => ({
  event_id: `e${++seq}`,
  timestamp: '2026-11-01T00:00:00.000Z',
  traffic_source: 'production',
  environment: 'production',
  step,
  provider: 'openai',
  model,
  requests,
  cost_usd: cost,
})

describe('quarters', () => {
  it('maps a quarter to its UTC months and a date to its quarter', () => {
    expect(quarterRange('2026-Q4')).toEqual({ from: Date.UTC(2026, 9, 1), to: Date.UTC(2027, 0, 1) })
    expect(quarterRange('2027-Q1')).toEqual({ from: Date.UTC(2027, 0, 1), to: Date.UTC(2027, 3, 1) })
    expect(quarterOf(new Date('2026-12-31T23:59:59Z'))).toBe('2026-Q4')
    expect(quarterOf(new Date('2026-04-01T00:00:00Z'))).toBe('2026-Q2')
  })
})

describe('costStats', () => {
  it('mean, p50 and p90 per call, exact to the micro-dollar, nearest rank', () => {
    // 10 calls: 0.001 … 0.010
    const s = costStats(Array.from({ length: 10 }, (_, i) => call(`0.${String(i + 1).padStart(3, '0')}000000000`)))!
    expect(s).toMatchObject({ events: 10, calls: 10, mean_usd: '0.005500', p50_usd: '0.005000', p90_usd: '0.009000', min_usd: '0.001000', max_usd: '0.010000' })
  })
  it('an event standing for several calls counts as that many, at its cost ÷ requests', () => {
    const s = costStats([call('0.000300000000', 3), call('0.010000000000')])!
    // calls: 0.0001 ×3, 0.01 ×1 → mean 0.010300 / 4
    expect(s).toMatchObject({ events: 2, calls: 4, mean_usd: '0.002575', p50_usd: '0.000100', p90_usd: '0.010000' })
  })
  it('keeps sub-micro-dollar costs exact until the end', () => {
    const s = costStats([call('0.000000400000'), call('0.000000400000'), call('0.000000800000')])!
    expect(s.mean_usd).toBe('0.000001') // 1.6e-6 / 3 = 0.533e-6 → 0.000001
    expect(s.p50_usd).toBe('0.000000')
  })
  it('splits by step and model, most calls first', () => {
    const s = costStats([call('0.002', 1, 'draft'), call('0.004', 1, 'draft'), call('0.0001', 1, 'classify', 'gpt-4o-mini')])!
    expect(s.steps).toEqual([
      { step: 'draft', calls: 2, mean_usd: '0.003000' },
      { step: 'classify', calls: 1, mean_usd: '0.000100' },
    ])
    expect(s.models).toEqual([
      { model: 'openai/gpt-4o', calls: 2 },
      { model: 'openai/gpt-4o-mini', calls: 1 },
    ])
  })
  it('null for an empty sample', () => expect(costStats([])).toBeNull())
})

describe('auditRow', () => {
  const prod = [call('0.004'), call('0.006')]
  it('flags production more than 2× eval, either way, and says by how much', () => {
    const up = auditRow('w', 100, 10, prod, [call('0.002'), call('0.002')])
    expect(up).toMatchObject({ status: 'flagged', flagged: true, ratio_mean: 2.5, ratio_p50: 2 })
    expect(up.finding).toBe('Production costs 2.5× more per call than eval (mean $0.005000 vs $0.002000; median $0.004000 vs $0.002000).')
    const down = auditRow('w', 100, 10, prod, [call('0.011'), call('0.011')])
    expect(down).toMatchObject({ status: 'flagged', ratio_mean: 0.4545 })
    expect(down.finding).toMatch(/^Production costs 2\.2× less per call/)
  })
  it('says "about the same" within 5%', () => {
    expect(auditRow('w', 100, 10, prod, [call('0.0049')]).finding).toBe(
      'Production and eval cost about the same per call (mean $0.005000 vs $0.004900; median $0.004000 vs $0.004900).',
    )
  })
  it('exactly 2× is within', () => {
    expect(auditRow('w', 100, 10, prod, [call('0.0025')])).toMatchObject({ status: 'within', flagged: false, ratio_mean: 2 })
    expect(auditRow('w', 100, 10, prod, [call('0.010')])).toMatchObject({ status: 'within', ratio_mean: 0.5 })
  })
  it('says when there is nothing to compare', () => {
    expect(auditRow('w', 100, 0, prod, [])).toMatchObject({ status: 'no_eval', flagged: false, ratio_mean: null })
    expect(auditRow('w', 0, 10, [], prod)).toMatchObject({ status: 'no_production', flagged: false })
    expect(auditRow('w', 10, 10, prod, [call('0')])).toMatchObject({ status: 'flagged', ratio_mean: null })
  })
})

describe('auditSamplesCsv', () => {
  it('lists every sampled call with its cost per call', () => {
    const c = call('0.000300000000', 3)
    const csv = auditSamplesCsv({
      quarter: '2026-Q4',
      from: '',
      to: '',
      sample_size: 100,
      ratio_limit: 2,
      workflows: [],
      samples: { w: { production: [], eval: [c] } },
    })
    expect(csv.split('\r\n')[1]).toBe(`2026-Q4,w,eval,${c.event_id},2026-11-01T00:00:00.000Z,production,production,draft,openai,gpt-4o,3,0.000300,0.000100`)
  })
})

describe('allocate', () => {
  it('splits a sample across days in proportion to their calls, by largest remainder, summing to n', () => {
    expect(allocate([50, 30, 20], 10)).toEqual([5, 3, 2])
    expect(allocate([1, 1, 1], 2)).toEqual([1, 1, 0]) // ties to the earlier day
    expect(allocate([333, 333, 334], 100)).toEqual([33, 33, 34])
    const big = allocate([1000, 7, 7, 7, 5000, 3], 100)
    expect(big.reduce((a, b) => a + b, 0)).toBe(100)
    expect(big).toEqual([17, 0, 0, 0, 83, 0])
  })
  it('takes every call when there are at most n', () => {
    expect(allocate([3, 0, 40], 100)).toEqual([3, 0, 40])
    expect(allocate([], 100)).toEqual([])
  })
  it('never gives a day more than its calls', () => {
    for (const sizes of [
      [101, 1],
      [150, 1, 1, 1],
      [2, 2, 2, 2, 200],
    ])
      allocate(sizes, 100).forEach((n, i) => expect(n).toBeLessThanOrEqual(sizes[i]))
  })
})

describe('strata', () => {
  it('orders the days and gives each its share', () => {
    expect(
      strata(
        'w',
        'eval',
        [
          { day: '2026-10-02T00:00:00.000Z', calls: 40 },
          { day: '2026-10-01T00:00:00.000Z', calls: 60 },
          { day: '2026-10-03T00:00:00.000Z', calls: 0 },
        ],
        10,
      ),
    ).toEqual([
      { workflow_id: 'w', side: 'eval', day: '2026-10-01T00:00:00.000Z', n: 6 },
      { workflow_id: 'w', side: 'eval', day: '2026-10-02T00:00:00.000Z', n: 4 },
    ])
  })
})

describe('stratumStart', () => {
  const day = '2026-10-02T00:00:00.000Z'
  it('is day + the draw, the first 32 bits of md5(quarter|workflow|side|date), mod 24 h, the same every time', () => {
    const md5 = createHash('md5').update('2026-Q4|drafter|production|2026-10-02').digest('hex')
    expect(stratumDraw('2026-Q4', { workflow_id: 'drafter', side: 'production', day })).toBe(parseInt(md5.slice(0, 8), 16))
    const at = stratumStart('2026-Q4', { workflow_id: 'drafter', side: 'production', day })
    expect(at.getTime()).toBe(Date.parse(day) + (parseInt(md5.slice(0, 8), 16) % 86_400_000))
    expect(stratumStart('2026-Q4', { workflow_id: 'drafter', side: 'production', day })).toEqual(at)
  })
})

describe('hourWalk', () => {
  it('starts at hour + md5(quarter|workflow|side|date"T"hour) mod 1 h and skips its next 32 bits mod 10 calls', () => {
    const hour = Date.UTC(2026, 9, 2, 14)
    const md5 = createHash('md5').update('2026-Q4|drafter|eval|2026-10-02T14').digest('hex')
    expect(hourWalk('2026-Q4', { workflow_id: 'drafter', side: 'eval' }, hour)).toEqual({
      start: new Date(hour + (parseInt(md5.slice(0, 8), 16) % 3_600_000)),
      skip: parseInt(md5.slice(8, 16), 16) % WALK_WINDOW,
    })
  })
  it('falls anywhere in its hour and skips 0 to 9 calls, differently per workflow, side and hour', () => {
    const walks = ['a', 'b', 'c', 'd'].flatMap((w) =>
      (['production', 'eval'] as const).flatMap((side) =>
        Array.from({ length: 60 }, (_, i) => {
          const hour = Date.UTC(2026, 9, 1, i)
          const { start, skip } = hourWalk('2026-Q4', { workflow_id: w, side }, hour)
          return { ms: start.getTime() - hour, skip }
        }),
      ),
    )
    for (const { ms, skip } of walks) expect(ms >= 0 && ms < 3_600_000 && skip >= 0 && skip < 10).toBe(true)
    expect(new Set(walks.map((x) => x.ms)).size).toBe(walks.length)
    expect(new Set(walks.map((x) => Math.floor(x.ms / 900_000))).size).toBe(4)
    expect(new Set(walks.map((x) => x.skip)).size).toBe(10)
  })
})

describe('hourShares', () => {
  // a day: 1 call an hour from 00 to 05, 20 an hour from 09 to 17
  const day = Array.from({ length: 24 }, (_, h) => (h < 6 ? 1 : h >= 9 && h <= 17 ? 20 : 0))
  it("spreads a day's share over its hours in proportion to their calls: at least the floor, at most one more, summing to n", () => {
    for (const draw of [0, 1, 2 ** 31, 2 ** 32 - 1, 123_456_789]) {
      for (const n of [1, 2, 7, 20, 186]) {
        const s = hourShares(day, n, draw)
        expect(s.reduce((a, b) => a + b, 0)).toBe(n)
        s.forEach((m, h) => {
          expect(m).toBeGreaterThanOrEqual(Math.floor((n * day[h]) / 186))
          expect(m).toBeLessThanOrEqual(Math.min(day[h], Math.ceil((n * day[h]) / 186)))
        })
      }
    }
    expect(hourShares(day, 186, 5)).toEqual(day) // every call
  })
  it('draws an hour with probability proportional to its calls (the night: 6 of 186 calls), not to its length', () => {
    // one call a day: the draw's position over the day's calls; 10,000 draws spread over 2³²
    let night = 0
    for (let i = 0; i < 10_000; i++)
      night += hourShares(day, 1, Math.floor(((i + 0.5) / 10_000) * 2 ** 32))
        .slice(0, 6)
        .reduce((a, b) => a + b, 0)
    expect(night / 10_000).toBeCloseTo(6 / 186, 3)
  })
  it('is exact at the boundaries and empty without calls', () => {
    // 2 calls, 1 draw: the first hour when the draw is in the first half of 2³²
    expect(hourShares([1, 1], 1, 2 ** 31 - 1)).toEqual([1, 0])
    expect(hourShares([1, 1], 1, 2 ** 31)).toEqual([0, 1])
    expect(hourShares([0, 0, 0], 3, 7)).toEqual([0, 0, 0])
    expect(hourShares([4, 0], 0, 7)).toEqual([0, 0])
  })
})

describe('stratumWalks', () => {
  const day = Date.UTC(2026, 9, 2)
  const s = { workflow_id: 'w', side: 'production' as const, day: new Date(day).toISOString(), n: 3 }
  it('one walk per hour drawn, inside that hour, from its instant', () => {
    const hours = new Map([
      [day + 2 * 3_600_000, 1],
      [day + 10 * 3_600_000, 30],
      [day + 11 * 3_600_000, 30],
    ])
    const walks = stratumWalks('2026-Q4', s, hours)
    expect(walks.reduce((a, w) => a + w.n, 0)).toBe(3)
    const shares = hourShares(
      Array.from({ length: 24 }, (_, h) => hours.get(day + h * 3_600_000) ?? 0),
      3,
      stratumDraw('2026-Q4', s),
    )
    expect(walks.map((w) => [(w.lo.getTime() - day) / 3_600_000, w.n])).toEqual(shares.flatMap((n, h) => (n ? [[h, n]] : [])))
    for (const w of walks) {
      expect(w.hi.getTime() - w.lo.getTime()).toBe(3_600_000)
      expect({ start: w.start, skip: w.skip }).toEqual(hourWalk('2026-Q4', s, w.lo.getTime()))
    }
  })
  it('a day without hourly counts is one walk of the whole day from its start instant, skipping none', () => {
    expect(stratumWalks('2026-Q4', s, new Map())).toEqual([
      { workflow_id: 'w', lo: new Date(day), start: stratumStart('2026-Q4', s), hi: new Date(day + 86_400_000), skip: 0, n: 3 },
    ])
    expect(stratumWalks('2026-Q4', { ...s, n: 0 }, new Map())).toEqual([])
  })
})
