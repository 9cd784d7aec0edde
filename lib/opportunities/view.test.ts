import { describe, expect, it } from 'vitest'
import { buildOpportunities } from '@/lib/opportunities/rank'
import { actionHref, DEFAULT_SORT, evidenceLines, nextSort, routingDraftPath, sortOpportunities } from '@/lib/opportunities/view'
import { parseDraftParams } from '@/lib/routing/form'

const list = buildOpportunities({
  from: new Date('2026-11-01T00:00:00Z'),
  to: new Date('2026-12-01T00:00:00Z'),
  repeats: [
    {
      workflow_id: 'w',
      step: 'b',
      repeat_calls: 3,
      repeat_cost_usd: '10.000000',
      repeat_unpriced: 1,
      output_compared: 0,
      output_matched: 0,
      waste_repeat_cost_usd: '0',
      first_calls: 2,
    },
  ],
  stepOutcomes: [
    { workflow_id: 'w', step: 'a', outcome: 'retry', events: 2, cost_usd: '9.999999', unpriced_events: 0 },
    { workflow_id: 'w', step: 'a', outcome: 'success', events: 8, cost_usd: '10.000001', unpriced_events: 0 },
  ],
}).opportunities

describe('the Opportunities table', () => {
  it('sorts by exact money, or by text, and flips on a second click', () => {
    expect(sortOpportunities(list, DEFAULT_SORT).map((o) => o.step)).toEqual(['b', 'a'])
    expect(sortOpportunities(list, { key: 'savings', dir: 'asc' }).map((o) => o.step)).toEqual(['a', 'b'])
    expect(sortOpportunities(list, { key: 'step', dir: 'asc' }).map((o) => o.step)).toEqual(['a', 'b'])
    expect(sortOpportunities(list, { key: 'kind', dir: 'asc' }).map((o) => o.kind)).toEqual(['response_cache', 'retries'])
    expect(nextSort(DEFAULT_SORT, 'savings')).toEqual({ key: 'savings', dir: 'asc' })
    expect(nextSort(DEFAULT_SORT, 'step')).toEqual({ key: 'step', dir: 'asc' })
  })

  it('words the evidence as counts', () => {
    expect(evidenceLines(list[0])).toEqual([
      '3 repeat calls of 5 with an input_hash',
      '2 distinct inputs first seen in the range',
      'deterministic: unknown (no output_hash)',
      '1 unpriced repeats counted at $0',
    ])
    expect(evidenceLines(list[1])).toEqual(['2 retry + 0 error calls of 10', "50% of the step's spend"])
  })
})

describe('action links', () => {
  it('adds the range to the query, before a fragment', () => {
    expect(actionHref('acme', 'workflows/w/steps/s', 30)).toBe('/acme/workflows/w/steps/s?range=30')
    expect(actionHref('acme', 'routing?workflow=w&step=s&max_tokens_cap=400', 7)).toBe('/acme/routing?workflow=w&step=s&max_tokens_cap=400&range=7')
    expect(actionHref('acme', 'fleet#pool-staging-a10', 90)).toBe('/acme/fleet?range=90#pool-staging-a10')
  })

  it('drafts a routing change the editor reads back', () => {
    const path = routingDraftPath({
      workflow_id: 'a b',
      step: 'c/d',
      candidate: 'openai/gpt-4.1-mini',
      max_tokens_cap: 400,
      cache_ttl_s: 60,
      saving: '1.500000',
    })
    expect(parseDraftParams(new URLSearchParams(path.slice('routing?'.length)))).toEqual({
      workflow_id: 'a b',
      step: 'c/d',
      candidate: { provider: 'openai', model: 'gpt-4.1-mini' },
      max_tokens_cap: 400,
      cache_ttl_s: 60,
      saving: '1.500000',
    })
  })
})
