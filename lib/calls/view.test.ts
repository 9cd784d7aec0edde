import { describe, expect, it } from 'vitest'
import { callsApiQuery, callsHref, callsUrlQuery, modelFilters, modelsFilters, parseCallsUrl, timelineBars } from '@/lib/calls/view'
import type { TCall } from '@/lib/calls/schema'

const call = (id: string, timestamp: string, latency_ms: number | null) => ({ id, timestamp, latency_ms }) as TCall

describe('the explorer URL', () => {
  it('round-trips filters and turns a range into the period the other pages read', () => {
    const v = parseCallsUrl(new URLSearchParams('range=7&workflow_id=support&outcome=retry,error&colour=red&step='))
    expect(v).toEqual({ range: 7, from: '', to: '', workflow_id: 'support', outcome: 'retry,error' })
    expect(callsUrlQuery(v)).toBe('range=7&workflow_id=support&outcome=retry%2Cerror')
    const q = callsApiQuery(v, new Date('2026-12-06T10:30:00Z'))
    expect(q).toEqual({ from: '2026-11-30T00:00:00.000Z', to: '2026-12-06T11:00:00.000Z', workflow_id: 'support', outcome: 'retry,error' })
  })

  it('explicit dates win over the range; an unknown range falls back to 30 days', () => {
    const v = parseCallsUrl(new URLSearchParams('range=12&from=2026-11-01&to=2026-11-02'))
    expect(v.range).toBe(30)
    expect(callsUrlQuery(v)).toBe('from=2026-11-01&to=2026-11-02')
    expect(callsApiQuery(v)).toMatchObject({ from: '2026-11-01', to: '2026-11-02' })
  })

  it('drill-down links carry the page range and the row, models split at the first slash', () => {
    expect(callsHref('acme', { range: 30, environment: 'production', workflow_id: 'a b', step: null })).toBe(
      '/acme/calls?range=30&workflow_id=a+b&environment=production',
    )
    expect(modelFilters('openrouter/meta-llama/llama-3')).toEqual({ provider: 'openrouter', model: 'meta-llama/llama-3' })
    expect(modelFilters('(no model)')).toBeNull()
  })

  it('an "Other" row of models links only when provider and model lists select exactly its pairs', () => {
    const all = ['openai/gpt-4o', 'openai/gpt-4o-mini', 'anthropic/haiku', 'anthropic/gpt-4o-mini']
    expect(modelsFilters(['openai/gpt-4o-mini', 'anthropic/haiku'], all)).toBeNull() // would also select anthropic/gpt-4o-mini
    expect(modelsFilters(['openai/gpt-4o-mini', 'anthropic/gpt-4o-mini'], all)).toEqual({ provider: 'openai,anthropic', model: 'gpt-4o-mini' })
    expect(modelsFilters(['(self-hosted)'], all)).toBeNull()
  })
})

describe('the run timeline', () => {
  it('places each call at its offset with its latency as the width, within the axis', () => {
    const bars = timelineBars(
      [call('a', '2026-12-01T00:00:00.000Z', 1000), call('b', '2026-12-01T00:00:01.000Z', 3000), call('c', '2026-12-01T00:00:04.000Z', null)],
      '2026-12-01T00:00:00.000Z',
      4000,
    )
    expect(bars.map((b) => [b.offset_ms, b.left, b.width])).toEqual([
      [0, 0, 0.25],
      [1000, 0.25, 0.75],
      [4000, 1, 0],
    ])
  })
})
