import { describe, expect, it } from 'vitest'
import { prepareLive } from '@/lib/routing/live'

describe('prepareLive', () => {
  it('shares per model, escalation and fallback rates, exact cost per call, and publishes per UTC day; empty days stay empty', () => {
    const rows = [
      { bucket: '2026-11-20T00:00:00.000Z', provider: 'openai', model: 'gpt-4o', outcome: 'success', events: 90, cost_usd: '0.405000' },
      { bucket: '2026-11-20T00:00:00.000Z', provider: 'openai', model: 'gpt-4o', outcome: 'fallback', events: 10, cost_usd: '0.045000' },
      { bucket: '2026-11-22T00:00:00.000Z', provider: 'openai', model: 'gpt-4o-mini', outcome: 'success', events: 75, cost_usd: '0.020250' },
      { bucket: '2026-11-22T00:00:00.000Z', provider: 'openai', model: 'gpt-4o', outcome: 'escalation', events: 25, cost_usd: '0.112500' },
    ]
    const v = prepareLive(
      rows,
      [
        { version: 1, published_at: '2026-11-19T10:00:00Z' },
        { version: 2, published_at: '2026-11-21T15:30:00Z' },
        { version: 3, published_at: null },
      ],
      '2026-11-20T00:00:00Z',
      '2026-11-23T00:00:00Z',
    )
    expect(v.models).toEqual(['openai/gpt-4o', 'openai/gpt-4o-mini'])
    expect(v.days).toEqual([
      { day: '2026-11-20', calls: 100, shares: { 'openai/gpt-4o': 1 }, escalation_rate: 0, fallback_rate: 0.1, cost_per_call_usd: '0.004500', published: [] },
      { day: '2026-11-21', calls: 0, shares: {}, escalation_rate: null, fallback_rate: null, cost_per_call_usd: null, published: [2] },
      {
        day: '2026-11-22',
        calls: 100,
        shares: { 'openai/gpt-4o-mini': 0.75, 'openai/gpt-4o': 0.25 },
        escalation_rate: 0.25,
        fallback_rate: 0,
        cost_per_call_usd: '0.001328',
        published: [],
      },
    ])
  })
})
