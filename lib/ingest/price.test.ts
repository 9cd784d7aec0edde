import { describe, expect, test } from 'vitest'
import { PriceBook } from '@/lib/cost/engine'
import { priceIngestEvent } from '@/lib/ingest/price'
import type { TIngestEvent } from '@/lib/ingest/schema'

const T0 = new Date('2026-01-01T00:00:00.000Z')
// $2.50 in, $10 out per million tokens, and $0.01 per request
const book = new PriceBook([
  { provider: 'openai', model: 'gpt-4o', effective_from: T0, org_id: null, input_per_mtok: '2.50', output_per_mtok: '10.00', per_request: '0.01' },
])
const ev = (over: Partial<TIngestEvent> = {}): TIngestEvent => ({
  id: 'e1',
  timestamp: '2026-03-15T10:30:00.000Z',
  environment: 'production',
  traffic_source: 'production',
  call_type: 'generation',
  outcome: 'success',
  requests: 1,
  workflow_id: 'wf',
  step: 's',
  provider: 'openai',
  model: 'gpt-4o',
  tokens_in: 1000,
  tokens_out: 100,
  ...over,
})

describe('priceIngestEvent', () => {
  test('an ordinary event: the price book', () => {
    expect(priceIngestEvent(book, ev())).toEqual(book.price({ ...ev(), timestamp: new Date('2026-03-15T10:30:00.000Z') }))
    expect(priceIngestEvent(book, ev({ response_cache_hit: false }))).toMatchObject({ priced: true })
    expect((priceIngestEvent(book, ev()) as { cost_usd: string }).cost_usd).not.toBe('0.000000000000')
  })

  test('a response cache hit costs 0, whatever its tokens, requests or model (priced even without a price)', () => {
    const zero = { priced: true, cost_usd: '0.000000000000', cache_savings_usd: '0.000000000000', price_effective_from: null }
    expect(priceIngestEvent(book, ev({ response_cache_hit: true, response_cache_savings_usd: '0.0035' }))).toEqual(zero)
    expect(priceIngestEvent(book, ev({ response_cache_hit: true, tokens_in: 0, tokens_out: 0, requests: 3 }))).toEqual(zero)
    expect(priceIngestEvent(book, ev({ model: 'no-such-model' }))).toMatchObject({ priced: false })
    expect(priceIngestEvent(book, ev({ model: 'no-such-model', response_cache_hit: true }))).toEqual(zero)
  })
})
