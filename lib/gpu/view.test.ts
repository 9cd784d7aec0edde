import { describe, expect, it } from 'vitest'
import { emptyPoolForm, fieldErrors, formToBody, poolToForm, scenarioTrend, utilizationChart } from '@/lib/gpu/view'
import type { TPoolView } from '@/lib/gpu/schema'

const pool: TPoolView = {
  id: 'p1',
  name: 'prod-h100',
  role: 'production',
  gpu_type: 'H100',
  region: null,
  serves: ['kb-search'],
  allocation: 'gpu_seconds',
  shares: null,
  current: {
    effective_from: '2026-11-01T00:00:00.000Z',
    gpu_count: 8,
    pricing: 'hourly',
    gpu_hour_usd: '2.49',
    purchase_usd_per_gpu: null,
    amortization_months: null,
    power_hosting_usd_per_gpu_hour: null,
    effective_gpu_hour_usd: '2.49',
  },
  versions: [],
  created_at: '',
  updated_at: '',
}

describe('pool form', () => {
  it('creates with every field, numbers as numbers', () => {
    const f = {
      ...emptyPoolForm(),
      name: ' prod-h100 ',
      gpu_type: 'H100',
      gpu_count: '8',
      gpu_hour_usd: '2.49',
      serves: 'kb-search, support-agent ,',
      effective_from: '2026-11-01T00:00',
    }
    expect(formToBody(f, null)).toEqual({
      error: null,
      body: {
        name: 'prod-h100',
        role: 'production',
        gpu_type: 'H100',
        region: null,
        serves: ['kb-search', 'support-agent'],
        allocation: 'gpu_seconds',
        shares: null,
        gpu_count: 8,
        pricing: 'hourly',
        gpu_hour_usd: '2.49',
        effective_from: '2026-11-01T00:00:00.000Z',
      },
    })
  })
  it('on edit sends a new version only when size or price changed, and passes bad numbers through for the API to explain', () => {
    const original = poolToForm(pool)
    expect(formToBody({ ...original, region: 'eu-west-1' }, original).body).not.toHaveProperty('gpu_count')
    expect(formToBody({ ...original, gpu_count: 'six' }, original).body).toMatchObject({ gpu_count: 'six', pricing: 'hourly', gpu_hour_usd: '2.49' })
    expect(formToBody({ ...original, allocation: 'share', shares: 'kb-search=3' }, original).body.shares).toEqual({ 'kb-search': 3 })
    expect(formToBody({ ...original, shares: 'kb-search:3' }, original).error).toBe('Shares: "kb-search:3" is not scenario=weight')
  })
  it('maps API error lines to fields', () => {
    expect(fieldErrors(['gpu_count: must be ≥ 0', 'shares.x: is not one of the scenarios the pool serves', 'gpu_count: second'])).toEqual({
      gpu_count: 'must be ≥ 0',
      shares: 'is not one of the scenarios the pool serves',
    })
  })
})

describe('utilizationChart', () => {
  it('gives percent per pool per day, gaps as null, and no line for a pool never measured', () => {
    const c = utilizationChart({
      pools: [{ name: 'a' }, { name: 'b' }] as never,
      utilization: [
        { day: '2026-11-01', values: { a: 0.1234, b: null } },
        { day: '2026-11-02', values: { a: null, b: null } },
      ],
    })
    expect(c.rows).toEqual([
      { day: '2026-11-01', a: 12.3, b: null },
      { day: '2026-11-02', a: null, b: null },
    ])
    expect(c.lines.map((l) => l.key)).toEqual(['a'])
  })
  it('starts where the first sample is', () => {
    const c = utilizationChart({
      pools: [{ name: 'a' }] as never,
      utilization: [
        { day: '2026-11-01', values: { a: null } },
        { day: '2026-11-02', values: { a: 0.5 } },
      ],
    })
    expect(c.rows).toEqual([{ day: '2026-11-02', a: 50 }])
  })
})

describe('scenarioTrend', () => {
  it('lays scenarios out by month, oldest first, ordered by the latest month, gaps as null', () => {
    const t = scenarioTrend(
      [
        {
          month: '2026-11',
          scenarios: [
            { scenario: 'a', total_usd: '5', cost_per_accepted_outcome_usd: '0.5' },
            { scenario: 'b', total_usd: '9', cost_per_accepted_outcome_usd: null },
          ],
        },
        {
          month: '2026-10',
          scenarios: [
            { scenario: 'a', total_usd: '4', cost_per_accepted_outcome_usd: '0.4' },
            { scenario: 'c', total_usd: '99', cost_per_accepted_outcome_usd: null },
          ],
        },
      ],
      2,
    )
    expect(t.months).toEqual(['2026-10', '2026-11'])
    expect(t.rows).toEqual([
      {
        scenario: 'b',
        cells: [
          { month: '2026-10', total_usd: null, per_outcome_usd: null },
          { month: '2026-11', total_usd: '9', per_outcome_usd: null },
        ],
      },
      {
        scenario: 'a',
        cells: [
          { month: '2026-10', total_usd: '4', per_outcome_usd: '0.4' },
          { month: '2026-11', total_usd: '5', per_outcome_usd: '0.5' },
        ],
      },
    ])
  })
})
