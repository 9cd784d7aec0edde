import { describe, expect, it } from 'vitest'
import { effectiveGpuHourUsd, hourlyCosts, idleCost, monthlyMicros, poolCost, quantile, rightSizing, versionAt } from '@/lib/gpu/cost'

const d = (s: string) => new Date(s)

describe('effectiveGpuHourUsd', () => {
  it('keeps an hourly price exactly', () => {
    expect(effectiveGpuHourUsd({ pricing: 'hourly', gpu_hour_usd: '2.49' })).toBe('2.490000000')
  })
  it('amortizes a purchase over months of 730 hours and adds power and hosting', () => {
    // 30,000 / (36 × 730) = 1.141552511415… → 1.141552511; + 0.60
    expect(effectiveGpuHourUsd({ pricing: 'amortized', purchase_usd_per_gpu: '30000', amortization_months: 36, power_hosting_usd_per_gpu_hour: '0.6' })).toBe(
      '1.741552511',
    )
    expect(effectiveGpuHourUsd({ pricing: 'amortized', purchase_usd_per_gpu: '8760', amortization_months: 12, power_hosting_usd_per_gpu_hour: '0' })).toBe(
      '1.000000000',
    )
  })
  it('rounds half up at the 9th decimal', () => {
    // 1 / (1 × 730) = 0.001369863013698… → 0.001369863
    expect(effectiveGpuHourUsd({ pricing: 'amortized', purchase_usd_per_gpu: '1', amortization_months: 1, power_hosting_usd_per_gpu_hour: '0' })).toBe(
      '0.001369863',
    )
    // 5 / 730 = 0.00684931506849… → 0.006849315
    expect(effectiveGpuHourUsd({ pricing: 'amortized', purchase_usd_per_gpu: '5', amortization_months: 1, power_hosting_usd_per_gpu_hour: '0' })).toBe(
      '0.006849315',
    )
  })
  it('refuses zero months', () => {
    expect(() => effectiveGpuHourUsd({ pricing: 'amortized', purchase_usd_per_gpu: '1', amortization_months: 0, power_hosting_usd_per_gpu_hour: '0' })).toThrow(
      RangeError,
    )
  })
})

describe('pool cost over versions', () => {
  const versions = [
    { effective_from: d('2026-11-01T00:00:00Z'), gpu_count: 4, gpu_hour_usd: '2' },
    { effective_from: d('2026-11-02T00:00:00Z'), gpu_count: 8, gpu_hour_usd: '2' },
    { effective_from: d('2026-11-03T12:00:00Z'), gpu_count: 0, gpu_hour_usd: '2' },
  ]
  it('charges each version for its own span: the pool grows and is retired', () => {
    // day 1: 4 × 24 × 2 = 192; day 2 → 3 noon: 8 × 36 × 2 = 576; afterwards 0
    const c = poolCost(versions, d('2026-10-30T00:00:00Z'), d('2026-11-10T00:00:00Z'))
    expect(c.cost_micros).toBe(768_000_000n)
    expect(c.gpu_ms).toBe(BigInt((4 * 24 + 8 * 36) * 3_600_000))
  })
  it('splits an hour a version starts in', () => {
    const v = [
      { effective_from: d('2026-11-01T00:00:00Z'), gpu_count: 1, gpu_hour_usd: '3.6' },
      { effective_from: d('2026-11-01T00:30:00Z'), gpu_count: 2, gpu_hour_usd: '3.6' },
    ]
    const hours = hourlyCosts(v, d('2026-11-01T00:00:00Z'), d('2026-11-01T02:00:00Z'))
    expect(hours.map((h) => [h.gpus, h.cost_micros])).toEqual([
      [1.5, 5_400_000n],
      [2, 7_200_000n],
    ])
  })
  it('finds the version in force and the monthly run-rate', () => {
    expect(versionAt(versions, d('2026-11-02T05:00:00Z'))?.gpu_count).toBe(8)
    expect(versionAt(versions, d('2026-10-01T00:00:00Z'))).toBeNull()
    expect(monthlyMicros({ gpu_count: 8, gpu_hour_usd: '2.49' })).toBe(14_541_600_000n) // 8 × 2.49 × 730
    expect(monthlyMicros(null)).toBe(0n)
  })
})

describe('idleCost', () => {
  const hours = [0, 1, 2].map((i) => ({ hour: new Date(Date.UTC(2026, 10, 1, i)), cost_micros: 10_000_000n }))
  it('is paid × (1 − utilization) hour by hour, and leaves unmeasured hours out', () => {
    const util = new Map([
      [hours[0].hour.getTime(), 0.25],
      [hours[1].hour.getTime(), 1],
    ])
    const r = idleCost(hours, util)
    expect(r.paid_micros).toBe(30_000_000n)
    expect(r.idle_micros).toBe(7_500_000n)
    expect(r.unmeasured_micros).toBe(10_000_000n)
    expect(r.measured_hours).toBe(2)
    expect(r.avg_utilization).toBeCloseTo(0.625, 10)
  })
  it('is the whole cost for an idle pool, zero for a busy one, and clamps bad readings', () => {
    expect(idleCost(hours, new Map(hours.map((h) => [h.hour.getTime(), 0]))).idle_micros).toBe(30_000_000n)
    expect(idleCost(hours, new Map(hours.map((h) => [h.hour.getTime(), 1.2]))).idle_micros).toBe(0n)
    expect(idleCost(hours, new Map()).avg_utilization).toBeNull()
  })
})

describe('right-sizing', () => {
  const base = { pool: 'prod-h100', role: 'production', gpu_type: 'H100', gpu_count: 8, gpu_hour_usd: '2' }
  const twoWeeks = (f: (i: number) => number) => Array.from({ length: 14 * 24 }, (_, i) => f(i))
  it('sizes to the p95 hourly load with 20% headroom and states its evidence', () => {
    // 95% of hours at 10%, 5% at 20%: p95 = 0.2 → ⌈8 × 0.2 / 0.8⌉ = 2
    const hourly = twoWeeks((i) => (i % 20 === 0 ? 0.2 : 0.1))
    const h = rightSizing({ ...base, hourly })!
    expect(quantile(hourly, 0.95)).toBe(0.2)
    expect(h.needed_gpus).toBe(2)
    expect(h.release_gpus).toBe(6)
    expect(h.saving_per_month_micros).toBe(8_760_000_000n) // 6 × 2 × 730
    expect(h.text).toMatch(/^prod-h100 averaged 11% utilization over 14 days .*: 2 of its 8 H100s would carry its p95 load at most 80% busy \(20% headroom\)/)
  })
  it('gives no hint when the load needs the pool, for reserve pools, or without enough samples', () => {
    expect(rightSizing({ ...base, hourly: twoWeeks(() => 0.7) })!.needed_gpus).toBe(7) // ⌈8 × 0.7 / 0.8⌉ = 7: one to spare
    expect(rightSizing({ ...base, hourly: twoWeeks(() => 0.75) })).toBeNull() // ⌈7.5⌉ = 8
    expect(rightSizing({ ...base, role: 'reserve', hourly: twoWeeks(() => 0.01) })).toBeNull()
    expect(rightSizing({ ...base, hourly: Array(100).fill(0.01) })).toBeNull()
  })
  it('does not ask for an extra GPU on a float rounding', () => {
    expect(rightSizing({ ...base, hourly: twoWeeks(() => 0.5) })!.needed_gpus).toBe(5)
  })
  it('keeps at least one GPU', () => {
    expect(rightSizing({ ...base, hourly: twoWeeks(() => 0) })!.needed_gpus).toBe(1)
  })
})
