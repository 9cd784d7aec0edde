import { describe, expect, it } from 'vitest'
import { PriceBook } from '@/lib/cost/engine'
import {
  answerText,
  cacheTtlFor,
  capMaxTokens,
  confidenceOf,
  DEFAULT_CACHE_TTL_S,
  DEFAULT_RESERVE_INPUT_TOKENS,
  firstTokenLogprob,
  inputEstimate,
  jsonFieldOf,
  maxCostMicros,
  policyAttempts,
  shouldEscalate,
  type TCallPlan,
} from '@/lib/gateway/control'
import type { TLiveVersion } from '@/lib/routing/select'

// The control seam's pure rules on hand-made policy versions and answers.

const ref = (model: string, provider = 'openai') => ({ provider, model })
const version = (over: Partial<TLiveVersion> = {}): TLiveVersion => ({
  version: 1,
  chosen: ref('gpt-4o-mini'),
  selection_reason: 'test',
  cascade: null,
  fallback: null,
  canary: null,
  ...over,
})

describe('output cap', () => {
  it('applies where the request sends none or a larger one', () => {
    expect(capMaxTokens(null, 300)).toBe(300)
    expect(capMaxTokens(1000, 300)).toBe(300)
    expect(capMaxTokens(100, 300)).toBe(100)
    expect(capMaxTokens(100, null)).toBe(100)
    expect(capMaxTokens(null, undefined)).toBeNull()
  })
})

describe('attempts under a policy', () => {
  it('selected model first, then the fallback chain in order, each model once, all capped', () => {
    const v = version({ fallback: ref('gpt-4o'), fallbacks: [ref('gpt-4o'), ref('claude-3-5-haiku', 'anthropic'), ref('gpt-4o-mini')], max_tokens_cap: 256 })
    expect(policyAttempts(v, 4096)).toEqual([
      { model: 'gpt-4o-mini', provider: 'openai', maxTokens: 256, outcomeIfSucceeds: 'success' },
      { model: 'gpt-4o', provider: 'openai', maxTokens: 256, outcomeIfSucceeds: 'fallback' },
      { model: 'claude-3-5-haiku', provider: 'anthropic', maxTokens: 256, outcomeIfSucceeds: 'fallback' },
    ])
  })
  it('a version loaded before fallbacks existed uses its single fallback', () => {
    expect(policyAttempts(version({ fallback: ref('gpt-4o') }), null).map((a) => a.model)).toEqual(['gpt-4o-mini', 'gpt-4o'])
  })
  it('a brown-out model replaces the selected one', () => {
    expect(
      policyAttempts(version({ chosen: ref('gpt-4o'), fallbacks: [ref('gpt-4o')] }), null, ref('gpt-4o-mini')).map((a) => [a.model, a.outcomeIfSucceeds]),
    ).toEqual([
      ['gpt-4o-mini', 'success'],
      ['gpt-4o', 'fallback'],
    ])
  })
})

describe('response cache TTL', () => {
  const h = (x: Record<string, string> = {}) => new Headers(x)
  it("the policy's TTL, a header's, on without a TTL, off; never for a stream", () => {
    expect(cacheTtlFor(false, h(), null)).toBeNull()
    expect(cacheTtlFor(false, h(), 600)).toBe(600)
    expect(cacheTtlFor(false, h({ 'x-outlay-cache': 'on' }), null)).toBe(DEFAULT_CACHE_TTL_S)
    expect(cacheTtlFor(false, h({ 'x-outlay-cache': 'on', 'x-outlay-cache-ttl': '30' }), 600)).toBe(30)
    expect(cacheTtlFor(false, h({ 'x-outlay-cache': 'ON', 'x-outlay-cache-ttl': 'soon' }), 600)).toBe(600)
    expect(cacheTtlFor(false, h({ 'x-outlay-cache': 'on', 'x-outlay-cache-ttl': '999999999' }), null)).toBe(30 * 86_400)
    expect(cacheTtlFor(false, h({ 'x-outlay-cache': 'off' }), 600)).toBeNull()
    expect(cacheTtlFor(false, h({ 'x-outlay-cache-ttl': '30' }), null)).toBeNull() // a TTL alone does not turn the cache on
    expect(cacheTtlFor(true, h({ 'x-outlay-cache': 'on' }), 600)).toBeNull()
  })
})

describe('confidence of an answer', () => {
  const chat = (content: string, logprob?: number) => ({
    choices: [{ message: { role: 'assistant', content }, ...(logprob === undefined ? {} : { logprobs: { content: [{ token: 'x', logprob }] } }) }],
  })
  it('reads the text of chat, Responses and Anthropic answers', () => {
    expect(answerText(chat('hi'))).toBe('hi')
    expect(
      answerText({
        output: [
          {
            type: 'message',
            content: [
              { type: 'output_text', text: 'a' },
              { type: 'output_text', text: 'b' },
            ],
          },
        ],
      }),
    ).toBe('ab')
    expect(
      answerText({
        content: [
          { type: 'text', text: 'claude' },
          { type: 'tool_use', name: 'x' },
        ],
      }),
    ).toBe('claude')
    expect(answerText('nope')).toBeNull()
  })
  it('a numeric JSON field by its path, fenced JSON included; anything else is null', () => {
    expect(jsonFieldOf(chat('{"label":"a","confidence":0.42}'), 'confidence')).toBe(0.42)
    expect(jsonFieldOf(chat('```json\n{"meta":{"score":"0.9"}}\n```'), 'meta.score')).toBe(0.9)
    expect(jsonFieldOf(chat('{"confidence":"high"}'), 'confidence')).toBeNull()
    expect(jsonFieldOf(chat('not json'), 'confidence')).toBeNull()
    expect(jsonFieldOf(chat('{"a":1}'), 'a.b')).toBeNull()
  })
  it("the first token's probability from its logprob", () => {
    expect(firstTokenLogprob(chat('x', -0.5))).toBe(-0.5)
    expect(firstTokenLogprob({ output: [{ content: [{ type: 'output_text', text: 'x', logprobs: [{ token: 'x', logprob: -2 }] }] }] })).toBe(-2)
    expect(firstTokenLogprob(chat('x'))).toBeNull()
    expect(confidenceOf({ from: 'first_token_logprob', field: null }, chat('x', Math.log(0.25)))).toBeCloseTo(0.25, 12)
    expect(confidenceOf({ from: 'reported', field: null }, chat('x', 0))).toBeNull()
  })
})

describe('shouldEscalate', () => {
  const ladder = ['gpt-4o-mini', 'gpt-4o', 'o1'].map((model) => ({ model, provider: 'openai', maxTokens: 200, outcomeIfSucceeds: 'escalation' as const }))
  const plan = (from: 'json_field' | 'first_token_logprob' | 'reported', first = 'gpt-4o-mini'): TCallPlan => ({
    kind: 'forward',
    attempts: [{ model: first, maxTokens: 200, outcomeIfSucceeds: 'success' }],
    headers: {},
    cacheTtlS: null,
    cascade: { ladder, threshold: 0.7, from, field: 'confidence' },
  })
  const answer = (c: unknown) => ({ choices: [{ message: { content: JSON.stringify({ confidence: c }) } }] })
  it('moves one model up from the model that answered while the confidence is below the threshold', () => {
    expect(shouldEscalate(plan('json_field'), answer(0.5))?.model).toBe('gpt-4o')
    expect(shouldEscalate(plan('json_field'), answer(0.5), 'gpt-4o')?.model).toBe('o1')
    expect(shouldEscalate(plan('json_field'), answer(0.5), 'o1')).toBeNull()
    expect(shouldEscalate(plan('json_field'), answer(0.7))).toBeNull() // at the threshold: kept
  })
  it('an answer without the confidence escalates; a model off the ladder starts at its first', () => {
    expect(shouldEscalate(plan('json_field'), { choices: [{ message: { content: 'plain text' } }] })?.model).toBe('gpt-4o')
    expect(shouldEscalate(plan('json_field', 'gpt-3.5-turbo'), answer(0.1))?.model).toBe('gpt-4o-mini')
  })
  it('never for a reported confidence, a plan without a cascade, or a deny', () => {
    expect(shouldEscalate(plan('reported'), answer(0.1))).toBeNull()
    expect(shouldEscalate({ kind: 'forward', attempts: [], headers: {}, cacheTtlS: null }, answer(0.1))).toBeNull()
    expect(shouldEscalate({ kind: 'deny', status: 429, message: 'x', headers: {} }, answer(0.1))).toBeNull()
  })
})

describe("a call's maximum cost", () => {
  const book = new PriceBook([{ provider: 'openai', model: 'm', effective_from: new Date(0), input_per_mtok: '2.5', output_per_mtok: '10', org_id: 'org' }])
  it('input estimate × input price + max output × output price, rounded up to a micro-dollar; 0 when unpriced', () => {
    expect(maxCostMicros(book, 'openai', 'm', 1000, 1000, new Date())).toBe(12_500n) // $0.0025 + $0.01
    expect(maxCostMicros(book, 'openai', 'm', 1, 0, new Date())).toBe(3n) // $0.0000025 rounds up to 3 micro-dollars
    expect(maxCostMicros(book, 'openai', 'm', 0, null, new Date())).toBe(40_960n) // no max_tokens: 4,096 reserved
    expect(maxCostMicros(book, 'openai', 'unknown-model-xyz', 1000, 1000, new Date())).toBe(0n)
  })
  it('estimates input tokens from the body size', () => {
    expect(inputEstimate(new Headers({ 'content-length': '4001' }))).toBe(1001)
    expect(inputEstimate(new Headers())).toBe(DEFAULT_RESERVE_INPUT_TOKENS)
  })
})
