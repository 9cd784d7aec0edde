import { describe, expect, it } from 'vitest'
import { costLayers, layerOf } from '@/lib/metrics/layers'

describe('layerOf', () => {
  it('puts a retried or failed call in the tax whatever its type, then guardrails, then retrieval, the rest inference', () => {
    expect(layerOf('generation', 'success')).toBe('inference')
    expect(layerOf('generation', 'fallback')).toBe('inference')
    expect(layerOf('generation', 'escalation')).toBe('inference')
    expect(layerOf('other', 'success')).toBe('inference')
    expect(layerOf(null, null)).toBe('inference')
    expect(layerOf('embedding', 'success')).toBe('retrieval')
    expect(layerOf('rerank', 'fallback')).toBe('retrieval')
    expect(layerOf('tool', 'success')).toBe('retrieval')
    expect(layerOf('embedding', 'retry')).toBe('tax')
    expect(layerOf('generation', 'error')).toBe('tax')
    expect(layerOf('guardrail', 'success')).toBe('tax')
  })
})

describe('costLayers', () => {
  it('sums each layer to the micro-dollar and gives its share of the total', () => {
    const rows = [
      { call_type: 'generation', outcome: 'success', cost_usd: '0.100000', events: 10 },
      { call_type: 'generation', outcome: 'retry', cost_usd: '0.020000', events: 2 },
      { call_type: 'embedding', outcome: 'success', cost_usd: '0.000001', events: 100 },
      { call_type: 'tool', outcome: 'success', cost_usd: '0.029999', events: 5 },
      { call_type: 'guardrail', outcome: 'success', cost_usd: '0.050000', events: 7 },
    ]
    expect(costLayers(rows)).toEqual([
      { layer: 'inference', label: 'Provider inference', cost_usd: '0.100000', share: 0.5, events: 10 },
      { layer: 'retrieval', label: 'Retrieval and orchestration', cost_usd: '0.030000', share: 0.15, events: 105 },
      { layer: 'tax', label: 'Retry and quality tax', cost_usd: '0.070000', share: 0.35, events: 9 },
    ])
  })
  it('has no shares when nothing was spent', () => {
    expect(costLayers([]).map((l) => [l.cost_usd, l.share])).toEqual([
      ['0.000000', null],
      ['0.000000', null],
      ['0.000000', null],
    ])
  })
})
