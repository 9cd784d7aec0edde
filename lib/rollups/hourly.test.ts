import { describe, expect, test } from 'vitest'
import { ROLLUP_DIMENSIONS, aggregate, hourOf, type TRollupContribution } from '@/lib/rollups/hourly'
import { fromScaled } from '@/lib/cost/money'

const DIMS = {
  environment: 'production',
  traffic_source: 'production',
  workflow_id: 'support-agent',
  step: 'generate',
  call_type: 'generation',
  feature: 'chat',
  account_id: 'acct-1',
  provider: 'openai',
  model: 'gpt-4o-mini',
  outcome: 'success',
} as const

function c(o: Partial<Omit<TRollupContribution, 'dims'>> & { dims?: Partial<TRollupContribution['dims']> } = {}): TRollupContribution {
  const { dims, ...rest } = o
  return {
    timestamp: '2026-03-15T10:05:00.000Z',
    runs: 0,
    requests: 1,
    tokens_in: 100,
    cached_tokens_in: 20,
    cache_write_tokens: 5,
    tokens_out: 10,
    gpu_seconds: null,
    cost_usd: '0.000100000000',
    cache_savings_usd: '0.000010000000',
    response_cache_hit: false,
    response_cache_savings_usd: null,
    reported_cost_usd: null,
    latency_ms: null,
    ...rest,
    dims: { ...DIMS, ...dims },
  }
}

describe('hourOf', () => {
  test('truncates to the UTC hour', () => {
    expect(hourOf('2026-03-15T10:59:59.999Z')).toBe('2026-03-15T10:00:00.000Z')
    expect(hourOf('2026-03-15T10:00:00.000Z')).toBe('2026-03-15T10:00:00.000Z')
    expect(hourOf('2026-03-15T12:30:00+02:00')).toBe('2026-03-15T10:00:00.000Z')
  })
})

describe('aggregate', () => {
  test('groups by hour and dimensions', () => {
    const rows = aggregate([
      c({ timestamp: '2026-03-15T10:05:00.000Z' }),
      c({ timestamp: '2026-03-15T10:59:59.999Z' }), // same hour, same dims
      c({ timestamp: '2026-03-15T11:00:00.000Z' }), // next hour
      c({ timestamp: '2026-03-15T10:30:00.000Z', dims: { model: 'gpt-4o' } }), // same hour, other model
    ])
    expect(rows.map((r) => [r.hour, r.dims[8], r.events])).toEqual([
      ['2026-03-15T10:00:00.000Z', 'gpt-4o', 1n],
      ['2026-03-15T10:00:00.000Z', 'gpt-4o-mini', 2n],
      ['2026-03-15T11:00:00.000Z', 'gpt-4o-mini', 1n],
    ])
    // 2 events × (100 in, 20 cached, 5 write, 10 out, 1 request)
    expect(rows[1]).toMatchObject({ requests: 2n, tokensIn: 200n, cachedIn: 40n, cacheWrite: 10n, tokensOut: 20n })
  })

  test('dims follow ROLLUP_DIMENSIONS and a missing dimension is ""', () => {
    const [row] = aggregate([c({ dims: { feature: null, account_id: undefined, provider: null, model: null } })])
    expect(ROLLUP_DIMENSIONS).toEqual([
      'environment',
      'traffic_source',
      'workflow_id',
      'step',
      'call_type',
      'feature',
      'account_id',
      'provider',
      'model',
      'outcome',
    ])
    expect(row.dims).toEqual(['production', 'production', 'support-agent', 'generate', 'generation', '', '', '', '', 'success'])
    // null and '' land in the same group
    expect(aggregate([c({ dims: { feature: null } }), c({ dims: { feature: '' } })]).map((r) => r.events)).toEqual([2n])
  })

  test('unpriced counted when cost_usd is null; money sums are exact decimals', () => {
    const [row] = aggregate([
      c({ cost_usd: '0.100000000000', cache_savings_usd: '0.000000000001' }),
      c({ cost_usd: '0.200000000000', cache_savings_usd: null }),
      c({ cost_usd: null, cache_savings_usd: null }),
      c({ cost_usd: '0.000000000001', cache_savings_usd: '-0.000000000002' }),
    ])
    expect(row.events).toBe(4n)
    expect(row.unpriced).toBe(1n)
    // 0.1 + 0.2 + 0.000000000001 = 0.300000000001 (scale 12, no float drift)
    expect(row.cost).toBe(300_000_000_001n)
    expect(fromScaled(row.cost, 12)).toBe('0.300000000001')
    // savings 0.000000000001 − 0.000000000002 = −0.000000000001 (nulls skipped)
    expect(fromScaled(row.savings, 12)).toBe('-0.000000000001')
  })

  test('response cache hits counted, their savings summed exactly (a hit without savings counts, adds nothing)', () => {
    const [row] = aggregate([
      c({ cost_usd: '0.000000000000', response_cache_hit: true, response_cache_savings_usd: '0.1' }),
      c({ cost_usd: '0.000000000000', response_cache_hit: true, response_cache_savings_usd: '0.200000000001' }),
      c({ cost_usd: '0.000000000000', response_cache_hit: true, response_cache_savings_usd: undefined }),
      c({ cost_usd: '0.300000000000' }),
    ])
    expect(row.events).toBe(4n)
    expect(row.responseCacheHits).toBe(3n)
    expect(fromScaled(row.responseCacheSavings, 12)).toBe('0.300000000001')
    expect(fromScaled(row.cost, 12)).toBe('0.300000000000')
  })

  test('reported cost, GPU seconds and latency', () => {
    const [row] = aggregate([
      c({ reported_cost_usd: 0.1, gpu_seconds: 1.5, latency_ms: 120.5 }),
      c({ reported_cost_usd: 0.2, gpu_seconds: 0.25, latency_ms: 80 }),
      c({ reported_cost_usd: null, gpu_seconds: null, latency_ms: null }),
    ])
    // reported 0.1 + 0.2 = 0.3 exactly (each number read as its decimal), scale 12
    expect(fromScaled(row.reported, 12)).toBe('0.300000000000')
    // 1.5 + 0.25 = 1.75 s = 1,750,000 µs
    expect(row.gpuMicros).toBe(1_750_000n)
    // 120.5 + 80 = 200.5 over 2 calls
    expect(row.latencySum).toBe(200.5)
    expect(row.latencyCount).toBe(2n)
  })

  test('deterministic key order whatever the input order', () => {
    const items = [
      c({ timestamp: '2026-03-15T11:10:00.000Z', dims: { environment: 'staging' } }),
      c({ timestamp: '2026-03-15T09:10:00.000Z', dims: { account_id: 'acct-2' } }),
      c({ timestamp: '2026-03-15T11:20:00.000Z', dims: { environment: 'production' } }),
      c({ timestamp: '2026-03-15T09:50:00.000Z', dims: { account_id: 'acct-1' } }),
      c({ timestamp: '2026-03-14T23:59:59.000Z' }),
    ]
    const expected = [
      ['2026-03-14T23:00:00.000Z', 'production', 'acct-1'],
      ['2026-03-15T09:00:00.000Z', 'production', 'acct-1'],
      ['2026-03-15T09:00:00.000Z', 'production', 'acct-2'],
      ['2026-03-15T11:00:00.000Z', 'production', 'acct-1'],
      ['2026-03-15T11:00:00.000Z', 'staging', 'acct-1'],
    ]
    const keys = (xs: TRollupContribution[]) => aggregate(xs).map((r) => [r.hour, r.dims[0], r.dims[6]])
    expect(keys(items)).toEqual(expected)
    expect(keys([...items].reverse())).toEqual(expected)
    expect(keys([items[2], items[4], items[0], items[3], items[1]])).toEqual(expected)
  })

  test('no items, no rows', () => {
    expect(aggregate([])).toEqual([])
  })
})
