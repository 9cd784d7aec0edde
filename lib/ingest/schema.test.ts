import { describe, expect, test } from 'vitest'
import { validateEvent } from '@/lib/ingest/schema'

const NOW = new Date('2026-03-15T10:30:00.000Z')
const ctx = { now: NOW }
const base = { id: 'evt-1', workflow_id: 'support-agent', step: 'generate', provider: 'openai', model: 'gpt-4o-mini' }

function errorsOf(raw: unknown, c: Parameters<typeof validateEvent>[1] = ctx): string[] {
  const r = validateEvent(raw, c)
  if (r.ok) throw new Error(`expected a rejection, got ${JSON.stringify(r.event)}`)
  return r.errors
}
function eventOf(raw: unknown, c: Parameters<typeof validateEvent>[1] = ctx) {
  const r = validateEvent(raw, c)
  if (!r.ok) throw new Error(`expected acceptance, got ${JSON.stringify(r.errors)}`)
  return r.event
}

describe('defaults', () => {
  test('a minimal event gets every default', () => {
    expect(eventOf(base)).toEqual({
      ...base,
      timestamp: '2026-03-15T10:30:00.000Z', // = now
      environment: 'production',
      traffic_source: 'production',
      call_type: 'generation',
      outcome: 'success',
      requests: 1,
      // telemetry health: the outcome was filled in, not sent
      defaulted: ['outcome'],
    })
    expect(eventOf({ ...base, outcome: 'success' }).defaulted).toBeUndefined()
  })

  test('environment defaults from the API key, else production', () => {
    expect(eventOf(base, { now: NOW, defaultEnvironment: 'staging' }).environment).toBe('staging')
    expect(eventOf(base, { now: NOW, defaultEnvironment: null }).environment).toBe('production')
    expect(eventOf(base, { now: NOW, defaultEnvironment: 'qa' }).environment).toBe('production') // not a valid environment
    expect(eventOf({ ...base, environment: 'development' }, { now: NOW, defaultEnvironment: 'staging' }).environment).toBe('development')
  })

  test('given values are kept and the timestamp is normalized to UTC', () => {
    const e = eventOf({
      ...base,
      timestamp: '2026-03-15T11:00:00+01:00',
      traffic_source: 'eval',
      call_type: 'embedding',
      outcome: 'retry',
      requests: 3,
      tokens_in: 10,
      cached_tokens_in: 6,
      cache_write_tokens: 4,
      tokens_out: 0,
      metadata: { team: 'core' },
    })
    expect(e).toEqual({
      ...base,
      timestamp: '2026-03-15T10:00:00.000Z',
      environment: 'production',
      traffic_source: 'eval',
      call_type: 'embedding',
      outcome: 'retry',
      requests: 3,
      tokens_in: 10,
      cached_tokens_in: 6,
      cache_write_tokens: 4,
      tokens_out: 0,
      metadata: { team: 'core' },
    })
  })
})

describe('errors are "field: reason"', () => {
  test('unknown field', () => {
    expect(errorsOf({ ...base, foo: 1 })).toEqual(['foo: unknown field'])
    expect(errorsOf({ ...base, tokensIn: 1, cost: 2 })).toEqual(['tokensIn: unknown field', 'cost: unknown field'])
    // a top-level "__proto__" from JSON.parse is an unknown field too
    expect(errorsOf(JSON.parse(JSON.stringify(base).replace('{', '{"__proto__":{"x":1},')))).toEqual(['__proto__: unknown field'])
  })

  test('missing workflow_id', () => {
    const { workflow_id: _, ...rest } = base
    expect(errorsOf(rest)).toEqual(['workflow_id: is required'])
  })

  test('wrong type', () => {
    expect(errorsOf({ ...base, tokens_in: '12' })).toEqual(['tokens_in: must be a number'])
    expect(errorsOf({ ...base, workflow_id: 12 })).toEqual(['workflow_id: must be a string'])
    expect(errorsOf({ ...base, workflow_id: null })).toEqual(['workflow_id: must be a string'])
    expect(errorsOf({ ...base, latency_ms: true })).toEqual(['latency_ms: must be a number'])
  })

  test('negative tokens', () => {
    expect(errorsOf({ ...base, tokens_in: -1 })).toEqual(['tokens_in: must be ≥ 0'])
    expect(errorsOf({ ...base, tokens_out: -5 })).toEqual(['tokens_out: must be ≥ 0'])
  })

  test('non-integer tokens', () => {
    expect(errorsOf({ ...base, tokens_in: 1.5 })).toEqual(['tokens_in: must be an integer'])
    expect(errorsOf({ ...base, cached_tokens_in: 0.1 })).toEqual(['cached_tokens_in: must be an integer'])
  })

  test('cached_tokens_in > tokens_in', () => {
    expect(errorsOf({ ...base, tokens_in: 10, cached_tokens_in: 11 })).toEqual(['cached_tokens_in: must be ≤ tokens_in (10)'])
    expect(errorsOf({ ...base, cached_tokens_in: 5 })).toEqual(['cached_tokens_in: must be ≤ tokens_in (0)']) // tokens_in missing = 0
  })

  test('cached + write > tokens_in', () => {
    expect(errorsOf({ ...base, tokens_in: 10, cached_tokens_in: 6, cache_write_tokens: 5 })).toEqual([
      'cache_write_tokens: cached_tokens_in + cache_write_tokens must be ≤ tokens_in (10)',
    ])
    // 6 + 4 = 10 is allowed
    expect(eventOf({ ...base, tokens_in: 10, cached_tokens_in: 6, cache_write_tokens: 4 }).cache_write_tokens).toBe(4)
  })

  test('provider/model required without gpu_seconds, optional with it', () => {
    const { provider: _p, model: _m, ...rest } = base
    expect(errorsOf(rest)).toEqual(['provider: is required unless gpu_seconds is given', 'model: is required unless gpu_seconds is given'])
    expect(errorsOf({ ...rest, model: 'gpt-4o' })).toEqual(['provider: is required unless gpu_seconds is given'])
    expect(eventOf({ ...rest, gpu_seconds: 1.5, gpu_pool: 'a100-prod' })).toEqual({
      ...rest,
      gpu_seconds: 1.5,
      gpu_pool: 'a100-prod',
      timestamp: '2026-03-15T10:30:00.000Z',
      environment: 'production',
      traffic_source: 'production',
      call_type: 'generation',
      outcome: 'success',
      requests: 1,
      defaulted: ['outcome'],
    })
  })

  test('timestamp more than 5 minutes in the future', () => {
    expect(eventOf({ ...base, timestamp: '2026-03-15T10:35:00.000Z' }).timestamp).toBe('2026-03-15T10:35:00.000Z') // exactly now + 5 min
    expect(errorsOf({ ...base, timestamp: '2026-03-15T10:35:00.001Z' })).toEqual(['timestamp: is more than 5 minutes in the future'])
  })

  test('timestamp older than 400 days', () => {
    // 2026-03-15 − 400 days = 2025-02-08 (365 days back is 2025-03-15, 35 more is 2025-02-08)
    expect(eventOf({ ...base, timestamp: '2025-02-08T10:30:00.000Z' }).timestamp).toBe('2025-02-08T10:30:00.000Z')
    expect(errorsOf({ ...base, timestamp: '2025-02-08T10:29:59.999Z' })).toEqual(['timestamp: is older than 400 days'])
  })

  test('timestamp that is not an ISO-8601 date-time', () => {
    expect(errorsOf({ ...base, timestamp: 'yesterday' })).toEqual(['timestamp: must be an ISO-8601 date-time, e.g. 2026-01-31T12:00:00Z'])
    expect(errorsOf({ ...base, timestamp: 1773570600000 })).toEqual(['timestamp: must be an ISO-8601 date-time, e.g. 2026-01-31T12:00:00Z'])
  })

  test('invalid enum', () => {
    expect(errorsOf({ ...base, environment: 'prod' })).toEqual(['environment: must be one of production, staging, development'])
    expect(errorsOf({ ...base, traffic_source: 'test' })).toEqual(['traffic_source: must be one of production, eval, replay, ops'])
    expect(errorsOf({ ...base, call_type: 'chat' })).toEqual(['call_type: must be one of generation, embedding, rerank, tool, guardrail, other'])
    expect(errorsOf({ ...base, outcome: 'ok' })).toEqual(['outcome: must be one of success, retry, fallback, escalation, error'])
  })

  test('requests must be ≥ 1', () => {
    expect(errorsOf({ ...base, requests: 0 })).toEqual(['requests: must be ≥ 1'])
  })

  test('metadata with 51 keys (50 is fine)', () => {
    const meta = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']))
    expect(errorsOf({ ...base, metadata: meta(51) })).toEqual(['metadata: must have at most 50 keys'])
    expect(Object.keys(eventOf({ ...base, metadata: meta(50) }).metadata ?? {})).toHaveLength(50)
  })

  test('metadata with a non-string value', () => {
    expect(errorsOf({ ...base, metadata: { team: 'core', tier: 3 } })).toEqual(['metadata.tier: values must be strings'])
  })

  test('metadata key "__proto__" (an own key, from JSON.parse)', () => {
    const raw = JSON.parse(
      `{"id":"evt-1","workflow_id":"support-agent","step":"generate","provider":"openai","model":"gpt-4o-mini","metadata":{"__proto__":"x","team":"core"}}`,
    )
    expect(Object.hasOwn(raw.metadata, '__proto__')).toBe(true)
    expect(errorsOf(raw)).toEqual(['metadata.__proto__: key "__proto__" is not allowed'])
  })

  test('id longer than 128 characters (128 is fine)', () => {
    expect(errorsOf({ ...base, id: 'x'.repeat(129) })).toEqual(['id: must be at most 128 characters'])
    expect(eventOf({ ...base, id: 'x'.repeat(128) }).id).toHaveLength(128)
    expect(errorsOf({ ...base, id: '' })).toEqual(['id: must not be empty'])
  })

  test('several problems are all reported', () => {
    const { step: _, ...rest } = base
    expect(errorsOf({ ...rest, tokens_in: -3, foo: 'bar' })).toEqual(['step: is required', 'tokens_in: must be ≥ 0', 'foo: unknown field'])
  })
})

describe('response cache hits (an Outlay extension: docs/gateway.md)', () => {
  test('response_cache_hit and its savings are kept as sent; absent, the event is not a hit', () => {
    const e = eventOf({ ...base, response_cache_hit: true, response_cache_savings_usd: '0.00325' })
    expect(e).toMatchObject({ response_cache_hit: true, response_cache_savings_usd: '0.00325' })
    expect(eventOf({ ...base, response_cache_hit: true }).response_cache_savings_usd).toBeUndefined()
    expect(eventOf({ ...base, response_cache_hit: false }).response_cache_hit).toBe(false)
    expect(eventOf(base)).not.toHaveProperty('response_cache_hit')
    expect(eventOf({ ...base, response_cache_hit: true, response_cache_savings_usd: '0' }).response_cache_savings_usd).toBe('0')
  })

  test('response_cache_hit is a boolean; the savings a non-negative decimal string, only on a hit', () => {
    expect(errorsOf({ ...base, response_cache_hit: 'true' })).toEqual(['response_cache_hit: must be true or false'])
    expect(errorsOf({ ...base, response_cache_hit: true, response_cache_savings_usd: 0.003 })).toEqual([
      'response_cache_savings_usd: must be a decimal string, e.g. "0.00325"',
    ])
    for (const bad of ['-1', '1e-3', '0.0000000000001', 'abc', '']) {
      expect(errorsOf({ ...base, response_cache_hit: true, response_cache_savings_usd: bad }), bad).toEqual([
        'response_cache_savings_usd: must be a decimal string ≥ 0 with at most 12 decimals, e.g. "0.00325"',
      ])
    }
    expect(errorsOf({ ...base, response_cache_hit: true, response_cache_savings_usd: '1000001' })).toEqual(['response_cache_savings_usd: must be ≤ 1000000'])
    expect(errorsOf({ ...base, response_cache_savings_usd: '0.1' })).toEqual([
      'response_cache_savings_usd: is only for a response cache hit (response_cache_hit: true)',
    ])
    expect(errorsOf({ ...base, response_cache_hit: false, response_cache_savings_usd: '0.1' })).toEqual([
      'response_cache_savings_usd: is only for a response cache hit (response_cache_hit: true)',
    ])
  })
})

// PostgreSQL stores neither a NUL nor an unpaired surrogate in text: such an event was accepted, then failed its
// batch in the worker on every retry, with the organization's other batches of the same transaction.
describe('text PostgreSQL can store', () => {
  test('a NUL or an unpaired surrogate in any text field is refused by name', () => {
    expect(errorsOf({ ...base, workflow_id: 'qa\u0000wf' })).toEqual(['workflow_id: must not contain the NUL character (\\u0000)'])
    expect(errorsOf({ ...base, step: 'gen\ud800' })).toEqual(['step: must be valid Unicode text (it holds an unpaired surrogate such as \\ud800)'])
    expect(errorsOf({ ...base, id: '\udc00' })[0]).toMatch(/^id: must be valid Unicode text/)
    expect(errorsOf({ ...base, metadata: { k: 'v\u0000' } })).toEqual(['metadata.k: must not contain the NUL character (\\u0000)'])
    expect(errorsOf({ ...base, metadata: { 'k\u0000': 'v' } })[0].startsWith('metadata.k\u0000: ')).toBe(true) // a key: refused under its name
  })
  test('paired surrogates (emoji) and other control characters are text', () => {
    expect(eventOf({ ...base, workflow_id: 'support 💸', step: 'tab\there' }).workflow_id).toBe('support 💸')
  })
})
