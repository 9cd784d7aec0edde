import { describe, expect, test } from 'vitest'
import {
  fromAnthropicUsage,
  fromGeminiUsage,
  fromOpenAIChatUsage,
  fromOpenAIResponsesUsage,
  fromOtelGenAiAttributes,
  fromProviderUsage,
  type TUsageFields,
} from '@/lib/cost/usage'

// Usage objects below are written as the providers return them on the wire (JSON.parse of
// the literal response text), so key spelling, nesting and nulls are the real ones.
const json = (s: string): unknown => JSON.parse(s)

/** The invariants every result must hold. */
function expectWellFormed(r: TUsageFields) {
  for (const [k, v] of Object.entries(r)) {
    expect(Number.isSafeInteger(v), `${k} = ${v}`).toBe(true)
    expect(v, k).toBeGreaterThanOrEqual(0)
  }
  expect(r.cached_tokens_in + r.cache_write_tokens).toBeLessThanOrEqual(r.tokens_in)
  if (r.reasoning_tokens !== undefined) expect(r.reasoning_tokens).toBeLessThanOrEqual(r.tokens_out)
}

// ---------------------------------------------------------------------------
// OpenAI Chat Completions

// gpt-4o, from OpenAI's prompt-caching guide: 1,920 of 2,006 prompt tokens came from the cache.
const OPENAI_CHAT_CACHED = json(
  '{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}',
)
// o3-mini: reasoning tokens are part of completion_tokens (2,310 = 1,920 reasoning + 390 visible).
const OPENAI_CHAT_O_SERIES = json(
  '{"prompt_tokens":1117,"completion_tokens":2310,"total_tokens":3427,"prompt_tokens_details":{"cached_tokens":1024,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":1920,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}}',
)
// Older models / OpenAI-compatible servers: no detail objects at all.
const OPENAI_CHAT_PLAIN = json('{"prompt_tokens":52,"completion_tokens":11,"total_tokens":63}')

describe('fromOpenAIChatUsage', () => {
  test('prompt_tokens already includes cached_tokens', () => {
    const r = fromOpenAIChatUsage(OPENAI_CHAT_CACHED)
    // 2,006 prompt tokens in all, 1,920 of them cache reads; no cache writes on OpenAI
    expect(r).toStrictEqual({ tokens_in: 2006, cached_tokens_in: 1920, cache_write_tokens: 0, tokens_out: 300, reasoning_tokens: 0 })
  })

  test('o-series: completion_tokens already includes reasoning_tokens', () => {
    const r = fromOpenAIChatUsage(OPENAI_CHAT_O_SERIES)
    // tokens_out stays 2,310 (not 2,310 + 1,920)
    expect(r).toStrictEqual({ tokens_in: 1117, cached_tokens_in: 1024, cache_write_tokens: 0, tokens_out: 2310, reasoning_tokens: 1920 })
  })

  test('no details: zero cache, no reasoning_tokens key', () => {
    expect(fromOpenAIChatUsage(OPENAI_CHAT_PLAIN)).toStrictEqual({ tokens_in: 52, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 11 })
  })

  test('null detail objects (some compatible servers) read as absent', () => {
    const u = json('{"prompt_tokens":40,"completion_tokens":8,"total_tokens":48,"prompt_tokens_details":null,"completion_tokens_details":null}')
    expect(fromOpenAIChatUsage(u)).toStrictEqual({ tokens_in: 40, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 8 })
  })

  test('cache_write_tokens in prompt_tokens_details (newer models) is part of prompt_tokens', () => {
    // 2,600 prompt tokens: 2,000 read from the cache, 400 written to it, 200 neither
    const u = json(
      '{"prompt_tokens":2600,"completion_tokens":120,"total_tokens":2720,"prompt_tokens_details":{"cached_tokens":2000,"cache_write_tokens":400,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0}}',
    )
    expect(fromOpenAIChatUsage(u)).toStrictEqual({ tokens_in: 2600, cached_tokens_in: 2000, cache_write_tokens: 400, tokens_out: 120, reasoning_tokens: 0 })
  })

  test("DeepSeek's prompt_cache_hit_tokens stands in for cached_tokens (hit + miss = prompt_tokens)", () => {
    const u = json(
      '{"prompt_tokens":1330,"completion_tokens":95,"total_tokens":1425,"prompt_tokens_details":{"cached_tokens":1280},"prompt_cache_hit_tokens":1280,"prompt_cache_miss_tokens":50}',
    )
    expect(fromOpenAIChatUsage(u).cached_tokens_in).toBe(1280)
    const older = json('{"prompt_tokens":1330,"completion_tokens":95,"total_tokens":1425,"prompt_cache_hit_tokens":1280,"prompt_cache_miss_tokens":50}')
    expect(fromOpenAIChatUsage(older)).toStrictEqual({ tokens_in: 1330, cached_tokens_in: 1280, cache_write_tokens: 0, tokens_out: 95 })
  })

  test('accepts the whole chat.completion object', () => {
    const resp = json(
      '{"id":"chatcmpl-abc","object":"chat.completion","created":1727000000,"model":"gpt-4o-2024-08-06","choices":[],"usage":{"prompt_tokens":2006,"completion_tokens":300,"total_tokens":2306,"prompt_tokens_details":{"cached_tokens":1920,"audio_tokens":0},"completion_tokens_details":{"reasoning_tokens":0,"audio_tokens":0,"accepted_prediction_tokens":0,"rejected_prediction_tokens":0}},"system_fingerprint":"fp_x"}',
    )
    expect(fromOpenAIChatUsage(resp)).toStrictEqual(fromOpenAIChatUsage(OPENAI_CHAT_CACHED))
  })

  test('inconsistent data: cached above prompt raises tokens_in, never the invariant', () => {
    const r = fromOpenAIChatUsage({ prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 128 } })
    expect(r).toStrictEqual({ tokens_in: 128, cached_tokens_in: 128, cache_write_tokens: 0, tokens_out: 5 })
  })
})

// ---------------------------------------------------------------------------
// OpenAI Responses API

// o4-mini style reasoning response, from OpenAI's reasoning guide.
const OPENAI_RESPONSES_REASONING = json(
  '{"input_tokens":75,"input_tokens_details":{"cached_tokens":0},"output_tokens":1186,"output_tokens_details":{"reasoning_tokens":1024},"total_tokens":1261}',
)
// gpt-4.1 with a warm prompt cache.
const OPENAI_RESPONSES_CACHED = json(
  '{"input_tokens":5208,"input_tokens_details":{"cached_tokens":4864},"output_tokens":412,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":5620}',
)

describe('fromOpenAIResponsesUsage', () => {
  test('output_tokens already includes reasoning_tokens', () => {
    expect(fromOpenAIResponsesUsage(OPENAI_RESPONSES_REASONING)).toStrictEqual({
      tokens_in: 75,
      cached_tokens_in: 0,
      cache_write_tokens: 0,
      tokens_out: 1186,
      reasoning_tokens: 1024,
    })
  })

  test('input_tokens already includes cached_tokens', () => {
    expect(fromOpenAIResponsesUsage(OPENAI_RESPONSES_CACHED)).toStrictEqual({
      tokens_in: 5208,
      cached_tokens_in: 4864,
      cache_write_tokens: 0,
      tokens_out: 412,
      reasoning_tokens: 0,
    })
  })

  test('cache_write_tokens in input_tokens_details is part of input_tokens', () => {
    const u = json(
      '{"input_tokens":2600,"input_tokens_details":{"cached_tokens":2000,"cache_write_tokens":400},"output_tokens":50,"output_tokens_details":{"reasoning_tokens":0},"total_tokens":2650}',
    )
    expect(fromOpenAIResponsesUsage(u)).toMatchObject({ tokens_in: 2600, cached_tokens_in: 2000, cache_write_tokens: 400 })
  })

  test('accepts the whole response object', () => {
    const resp = json(
      '{"id":"resp_67ccd2bed1ec8190","object":"response","created_at":1741476542,"status":"completed","model":"o4-mini-2025-04-16","output":[],"usage":{"input_tokens":75,"input_tokens_details":{"cached_tokens":0},"output_tokens":1186,"output_tokens_details":{"reasoning_tokens":1024},"total_tokens":1261}}',
    )
    expect(fromOpenAIResponsesUsage(resp)).toStrictEqual(fromOpenAIResponsesUsage(OPENAI_RESPONSES_REASONING))
  })
})

// ---------------------------------------------------------------------------
// Anthropic Messages

// A cache write of a large prompt: only 21 tokens were neither read nor written.
const ANTHROPIC_CACHE_WRITE = json('{"input_tokens":21,"cache_creation_input_tokens":188086,"cache_read_input_tokens":0,"output_tokens":393}')
// Current API: both cache counts plus the per-TTL cache_creation breakdown and service_tier.
const ANTHROPIC_READ_AND_WRITE = json(
  '{"input_tokens":3,"cache_creation_input_tokens":1450,"cache_read_input_tokens":187920,"cache_creation":{"ephemeral_5m_input_tokens":1450,"ephemeral_1h_input_tokens":0},"output_tokens":512,"service_tier":"standard"}',
)
const ANTHROPIC_1H = json(
  '{"input_tokens":12,"cache_creation_input_tokens":2400,"cache_read_input_tokens":5120,"cache_creation":{"ephemeral_5m_input_tokens":400,"ephemeral_1h_input_tokens":2000},"output_tokens":87,"service_tier":"standard","server_tool_use":null}',
)

describe('fromAnthropicUsage', () => {
  test('input_tokens excludes cache tokens: tokens_in is the sum of the three', () => {
    // 21 + 188,086 + 0 = 188,107
    expect(fromAnthropicUsage(ANTHROPIC_CACHE_WRITE)).toStrictEqual({ tokens_in: 188107, cached_tokens_in: 0, cache_write_tokens: 188086, tokens_out: 393 })
  })

  test('cache reads and writes with the cache_creation object', () => {
    // 3 + 187,920 + 1,450 = 189,373
    expect(fromAnthropicUsage(ANTHROPIC_READ_AND_WRITE)).toStrictEqual({
      tokens_in: 189373,
      cached_tokens_in: 187920,
      cache_write_tokens: 1450,
      tokens_out: 512,
    })
    // 12 + 5,120 + 2,400 (400 for 5 minutes + 2,000 for 1 hour) = 7,532
    expect(fromAnthropicUsage(ANTHROPIC_1H)).toStrictEqual({ tokens_in: 7532, cached_tokens_in: 5120, cache_write_tokens: 2400, tokens_out: 87 })
  })

  test('only the cache_creation breakdown: writes are its sum', () => {
    const u = json(
      '{"input_tokens":12,"cache_read_input_tokens":5120,"cache_creation":{"ephemeral_5m_input_tokens":400,"ephemeral_1h_input_tokens":2000},"output_tokens":87}',
    )
    expect(fromAnthropicUsage(u)).toStrictEqual({ tokens_in: 7532, cached_tokens_in: 5120, cache_write_tokens: 2400, tokens_out: 87 })
  })

  test('the top-level cache_creation_input_tokens wins over a disagreeing breakdown', () => {
    // As in Anthropic's prompt-caching docs example, where the two disagree.
    const u = json(
      '{"input_tokens":2048,"cache_read_input_tokens":1800,"cache_creation_input_tokens":248,"output_tokens":503,"cache_creation":{"ephemeral_5m_input_tokens":456,"ephemeral_1h_input_tokens":100}}',
    )
    expect(fromAnthropicUsage(u)).toStrictEqual({ tokens_in: 4096, cached_tokens_in: 1800, cache_write_tokens: 248, tokens_out: 503 })
  })

  test('no caching: cache fields null or absent', () => {
    const u = json('{"input_tokens":2095,"cache_creation_input_tokens":null,"cache_read_input_tokens":null,"output_tokens":503}')
    expect(fromAnthropicUsage(u)).toStrictEqual({ tokens_in: 2095, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 503 })
    // streaming message_delta carries only the cumulative output count
    expect(fromAnthropicUsage(json('{"output_tokens":15}'))).toStrictEqual({ tokens_in: 0, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 15 })
  })

  test('accepts the whole message object', () => {
    const msg = json(
      '{"id":"msg_01XFDUDYJgAACzvnptvVoYEL","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"Hi"}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":21,"cache_creation_input_tokens":188086,"cache_read_input_tokens":0,"output_tokens":393}}',
    )
    expect(fromAnthropicUsage(msg)).toStrictEqual(fromAnthropicUsage(ANTHROPIC_CACHE_WRITE))
  })
})

// ---------------------------------------------------------------------------
// Google Gemini

// gemini-2.5-pro with an implicit-cache hit and thinking: total = 12,873 + 418 + 1,229.
const GEMINI_THOUGHTS_AND_CACHE = json(
  '{"promptTokenCount":12873,"candidatesTokenCount":418,"totalTokenCount":14520,"cachedContentTokenCount":12288,"promptTokensDetails":[{"modality":"TEXT","tokenCount":12873}],"cacheTokensDetails":[{"modality":"TEXT","tokenCount":12288}],"thoughtsTokenCount":1229}',
)
// gemini-3-flash-preview with googleSearch grounding (reported in QuantumNous/new-api#2935):
// total 20,689 = 151 prompt + 18,329 tool-use prompt + 1,089 candidates + 1,120 thoughts.
const GEMINI_GROUNDED = json(
  '{"promptTokenCount":151,"candidatesTokenCount":1089,"totalTokenCount":20689,"toolUsePromptTokenCount":18329,"thoughtsTokenCount":1120,"promptTokensDetails":[{"modality":"TEXT","tokenCount":151}],"toolUsePromptTokensDetails":[{"modality":"TEXT","tokenCount":18329}]}',
)
// gemini-2.0-flash, no thinking, no cache.
const GEMINI_PLAIN = json(
  '{"promptTokenCount":7,"candidatesTokenCount":2,"totalTokenCount":9,"promptTokensDetails":[{"modality":"TEXT","tokenCount":7}],"candidatesTokensDetails":[{"modality":"TEXT","tokenCount":2}]}',
)

describe('fromGeminiUsage', () => {
  test('thoughts are added to output; promptTokenCount already includes the cached content', () => {
    expect(fromGeminiUsage(GEMINI_THOUGHTS_AND_CACHE)).toStrictEqual({
      tokens_in: 12873,
      cached_tokens_in: 12288,
      cache_write_tokens: 0,
      tokens_out: 1647, // 418 + 1,229
      reasoning_tokens: 1229,
    })
  })

  test('toolUsePromptTokenCount is input, outside promptTokenCount', () => {
    const r = fromGeminiUsage(GEMINI_GROUNDED)
    expect(r).toStrictEqual({ tokens_in: 18480, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 2209, reasoning_tokens: 1120 })
    expect(r.tokens_in + r.tokens_out).toBe(20689) // reconciles with totalTokenCount
  })

  test('no thinking, no cache', () => {
    expect(fromGeminiUsage(GEMINI_PLAIN)).toStrictEqual({ tokens_in: 7, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 2 })
  })

  test('candidates that already include the thoughts (total says so) are not double counted', () => {
    // total 1,000 = 100 prompt + 900 candidates, of which 800 are thoughts
    const u = json('{"promptTokenCount":100,"candidatesTokenCount":900,"totalTokenCount":1000,"thoughtsTokenCount":800}')
    expect(fromGeminiUsage(u)).toStrictEqual({ tokens_in: 100, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 900, reasoning_tokens: 800 })
  })

  test('a blocked or empty answer has no candidatesTokenCount', () => {
    const u = json('{"promptTokenCount":2033,"totalTokenCount":2033,"promptTokensDetails":[{"modality":"TEXT","tokenCount":2033}]}')
    expect(fromGeminiUsage(u)).toStrictEqual({ tokens_in: 2033, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 0 })
  })

  test('accepts the whole generateContent response, and the Python SDK snake_case dump', () => {
    const resp = json(
      '{"candidates":[{"content":{"parts":[{"text":"ok"}],"role":"model"},"finishReason":"STOP","index":0}],"usageMetadata":{"promptTokenCount":12873,"candidatesTokenCount":418,"totalTokenCount":14520,"cachedContentTokenCount":12288,"promptTokensDetails":[{"modality":"TEXT","tokenCount":12873}],"cacheTokensDetails":[{"modality":"TEXT","tokenCount":12288}],"thoughtsTokenCount":1229},"modelVersion":"gemini-2.5-pro","responseId":"abc"}',
    )
    expect(fromGeminiUsage(resp)).toStrictEqual(fromGeminiUsage(GEMINI_THOUGHTS_AND_CACHE))
    const snake = json(
      '{"cached_content_token_count":12288,"candidates_token_count":418,"prompt_token_count":12873,"thoughts_token_count":1229,"tool_use_prompt_token_count":null,"total_token_count":14520,"traffic_type":"ON_DEMAND"}',
    )
    expect(fromGeminiUsage(snake)).toStrictEqual(fromGeminiUsage(GEMINI_THOUGHTS_AND_CACHE))
  })
})

// ---------------------------------------------------------------------------
// OpenTelemetry GenAI attributes

/** OTLP/JSON span attributes (a KeyValue list) flattened the way the OTLP receiver does. */
const otlpAttrs = (s: string): Record<string, unknown> =>
  Object.fromEntries((JSON.parse(s) as { key: string; value: unknown }[]).map((kv) => [kv.key, kv.value]))

describe('fromOtelGenAiAttributes', () => {
  test('current conventions: input_tokens includes the cache reads', () => {
    const attrs = {
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.usage.input_tokens': 2006,
      'gen_ai.usage.output_tokens': 300,
      'gen_ai.usage.cache_read.input_tokens': 1920,
    }
    expect(fromOtelGenAiAttributes(attrs)).toStrictEqual({ tokens_in: 2006, cached_tokens_in: 1920, cache_write_tokens: 0, tokens_out: 300 })
  })

  test('Anthropic instrumentation reporting the uncached input count: cache tokens are added', () => {
    // cache_read + cache_creation (188,086) > input_tokens (21) → input_tokens excludes them
    const attrs = {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': 'claude-sonnet-4-20250514',
      'gen_ai.usage.input_tokens': 21,
      'gen_ai.usage.output_tokens': 393,
      'gen_ai.usage.cache_read.input_tokens': 0,
      'gen_ai.usage.cache_creation.input_tokens': 188086,
    }
    expect(fromOtelGenAiAttributes(attrs)).toStrictEqual({ tokens_in: 188107, cached_tokens_in: 0, cache_write_tokens: 188086, tokens_out: 393 })
  })

  test('an inclusive Anthropic count (as the convention asks) is kept as is', () => {
    const attrs = {
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.usage.input_tokens': 189373, // 3 + 187,920 + 1,450
      'gen_ai.usage.output_tokens': 512,
      'gen_ai.usage.cache_read.input_tokens': 187920,
      'gen_ai.usage.cache_creation.input_tokens': 1450,
    }
    expect(fromOtelGenAiAttributes(attrs)).toStrictEqual({ tokens_in: 189373, cached_tokens_in: 187920, cache_write_tokens: 1450, tokens_out: 512 })
  })

  test('legacy gen_ai.system with prompt_tokens / completion_tokens', () => {
    const attrs = {
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-3.5-turbo',
      'gen_ai.usage.prompt_tokens': 52,
      'gen_ai.usage.completion_tokens': 11,
      'llm.usage.total_tokens': 63,
    }
    expect(fromOtelGenAiAttributes(attrs)).toStrictEqual({ tokens_in: 52, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 11 })
  })

  test('current names win over legacy ones when both are present', () => {
    const attrs = {
      'gen_ai.usage.input_tokens': 120,
      'gen_ai.usage.prompt_tokens': 100,
      'gen_ai.usage.output_tokens': 30,
      'gen_ai.usage.completion_tokens': 25,
    }
    expect(fromOtelGenAiAttributes(attrs)).toMatchObject({ tokens_in: 120, tokens_out: 30 })
  })

  test('OTLP/JSON AnyValue-wrapped values: intValue as string or number, doubleValue, stringValue', () => {
    const attrs = otlpAttrs(`[
      {"key":"gen_ai.provider.name","value":{"stringValue":"openai"}},
      {"key":"gen_ai.request.model","value":{"stringValue":"gpt-4o"}},
      {"key":"gen_ai.usage.input_tokens","value":{"intValue":"2006"}},
      {"key":"gen_ai.usage.output_tokens","value":{"intValue":300}},
      {"key":"gen_ai.usage.cache_read.input_tokens","value":{"doubleValue":1920}},
      {"key":"gen_ai.usage.cache_creation.input_tokens","value":{"stringValue":"0"}}
    ]`)
    expect(fromOtelGenAiAttributes(attrs)).toStrictEqual({ tokens_in: 2006, cached_tokens_in: 1920, cache_write_tokens: 0, tokens_out: 300 })
  })

  test('numeric strings, and int64 as decoded from OTLP protobuf (bigint, Long)', () => {
    expect(fromOtelGenAiAttributes({ 'gen_ai.usage.input_tokens': ' 2006 ', 'gen_ai.usage.output_tokens': '300' })).toMatchObject({
      tokens_in: 2006,
      tokens_out: 300,
    })
    expect(
      fromOtelGenAiAttributes({ 'gen_ai.usage.input_tokens': 2006n, 'gen_ai.usage.output_tokens': { intValue: { low: 300, high: 0, unsigned: false } } }),
    ).toMatchObject({ tokens_in: 2006, tokens_out: 300 })
    // 2^32 + 5 spread over high/low
    expect(fromOtelGenAiAttributes({ 'gen_ai.usage.input_tokens': { intValue: { low: 5, high: 1 } } })?.tokens_in).toBe(4294967301)
  })

  test('older cache attribute names (OpenLLMetry, Sentry)', () => {
    const openllmetry = {
      'gen_ai.system': 'Anthropic',
      'gen_ai.usage.input_tokens': 12,
      'gen_ai.usage.output_tokens': 87,
      'gen_ai.usage.cache_read_input_tokens': 5120,
      'gen_ai.usage.cache_creation_input_tokens': 2400,
    }
    expect(fromOtelGenAiAttributes(openllmetry)).toStrictEqual({ tokens_in: 7532, cached_tokens_in: 5120, cache_write_tokens: 2400, tokens_out: 87 })
    const sentry = { 'gen_ai.usage.input_tokens': 2006, 'gen_ai.usage.input_tokens.cached': 1920, 'gen_ai.usage.output_tokens': 300 }
    expect(fromOtelGenAiAttributes(sentry)).toMatchObject({ tokens_in: 2006, cached_tokens_in: 1920 })
  })

  test('reasoning tokens: informational when inside output_tokens, added when larger', () => {
    expect(
      fromOtelGenAiAttributes({ 'gen_ai.usage.input_tokens': 75, 'gen_ai.usage.output_tokens': 1186, 'gen_ai.usage.reasoning.output_tokens': 1024 }),
    ).toStrictEqual({ tokens_in: 75, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 1186, reasoning_tokens: 1024 })
    // output 162 < reasoning 1024 → the output count left the reasoning out
    expect(
      fromOtelGenAiAttributes({ 'gen_ai.usage.input_tokens': 75, 'gen_ai.usage.output_tokens': 162, 'gen_ai.usage.reasoning.output_tokens': 1024 }),
    ).toMatchObject({ tokens_out: 1186, reasoning_tokens: 1024 })
  })

  test('null when the span carries no usage attribute', () => {
    expect(fromOtelGenAiAttributes({})).toBeNull()
    expect(
      fromOtelGenAiAttributes({
        'gen_ai.operation.name': 'embeddings',
        'gen_ai.provider.name': 'openai',
        'gen_ai.request.model': 'text-embedding-3-small',
        'http.status_code': 200,
      }),
    ).toBeNull()
    // null values and empty AnyValues are not usage
    expect(fromOtelGenAiAttributes({ 'gen_ai.usage.input_tokens': null, 'gen_ai.usage.output_tokens': {} })).toBeNull()
  })

  test('a present but unusable value counts as 0, never NaN', () => {
    const r = fromOtelGenAiAttributes({ 'gen_ai.usage.input_tokens': 'n/a', 'gen_ai.usage.output_tokens': { intValue: 'x' } })
    expect(r).toStrictEqual({ tokens_in: 0, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 0 })
    // only the output count reported
    expect(fromOtelGenAiAttributes({ 'gen_ai.usage.output_tokens': 9 })).toStrictEqual({
      tokens_in: 0,
      cached_tokens_in: 0,
      cache_write_tokens: 0,
      tokens_out: 9,
    })
  })

  test('attributes that are not an object are an error', () => {
    expect(() => fromOtelGenAiAttributes(null as unknown as Record<string, unknown>)).toThrow(/attributes: expected an object, got null/)
  })
})

// ---------------------------------------------------------------------------
// Dispatch

describe('fromProviderUsage', () => {
  test('by provider name and shape', () => {
    expect(fromProviderUsage('openai', OPENAI_CHAT_CACHED)).toStrictEqual(fromOpenAIChatUsage(OPENAI_CHAT_CACHED))
    expect(fromProviderUsage('openai', OPENAI_RESPONSES_REASONING)).toStrictEqual(fromOpenAIResponsesUsage(OPENAI_RESPONSES_REASONING))
    expect(fromProviderUsage('azure.ai.openai', OPENAI_RESPONSES_CACHED)).toStrictEqual(fromOpenAIResponsesUsage(OPENAI_RESPONSES_CACHED))
    expect(fromProviderUsage('anthropic', ANTHROPIC_CACHE_WRITE)).toStrictEqual(fromAnthropicUsage(ANTHROPIC_CACHE_WRITE))
    expect(fromProviderUsage('Anthropic', ANTHROPIC_READ_AND_WRITE)).toStrictEqual(fromAnthropicUsage(ANTHROPIC_READ_AND_WRITE))
    expect(fromProviderUsage('google', GEMINI_THOUGHTS_AND_CACHE)).toStrictEqual(fromGeminiUsage(GEMINI_THOUGHTS_AND_CACHE))
    expect(fromProviderUsage('gcp.vertex_ai', GEMINI_GROUNDED)).toStrictEqual(fromGeminiUsage(GEMINI_GROUNDED))
  })

  test('the shape beats the name (OpenAI-compatible endpoints of other vendors, routers)', () => {
    // Anthropic's / Gemini's OpenAI-compatible endpoints and OpenRouter return the Chat shape
    expect(fromProviderUsage('anthropic', OPENAI_CHAT_PLAIN)).toStrictEqual(fromOpenAIChatUsage(OPENAI_CHAT_PLAIN))
    expect(fromProviderUsage('gemini', OPENAI_CHAT_O_SERIES)).toStrictEqual(fromOpenAIChatUsage(OPENAI_CHAT_O_SERIES))
    expect(fromProviderUsage('openrouter', OPENAI_CHAT_CACHED)).toStrictEqual(fromOpenAIChatUsage(OPENAI_CHAT_CACHED))
    // Claude on Bedrock InvokeModel returns the Anthropic shape
    expect(fromProviderUsage('aws.bedrock', ANTHROPIC_CACHE_WRITE).tokens_in).toBe(188107)
  })

  test('a bare {input_tokens, output_tokens} goes by name', () => {
    const bare = json('{"input_tokens":2095,"output_tokens":503}')
    expect(fromProviderUsage('anthropic', bare)).toStrictEqual({ tokens_in: 2095, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 503 })
    expect(fromProviderUsage('openai', bare)).toStrictEqual({ tokens_in: 2095, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 503 })
  })

  test('whole responses are unwrapped', () => {
    const msg = { id: 'msg_1', type: 'message', usage: ANTHROPIC_CACHE_WRITE }
    expect(fromProviderUsage('anthropic', msg).tokens_in).toBe(188107)
    const gen = { candidates: [], usageMetadata: GEMINI_GROUNDED, modelVersion: 'gemini-3-flash-preview' }
    expect(fromProviderUsage('google', gen).tokens_in).toBe(18480)
  })

  test('no recognised keys: the name decides, an unknown name is an error', () => {
    expect(fromProviderUsage('openai', {})).toStrictEqual({ tokens_in: 0, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 0 })
    expect(() => fromProviderUsage('acme-llm', { tokens: 5 })).toThrow(/usage: no recognised token fields for provider "acme-llm"/)
  })

  test('a usage that is not an object is an error naming the field', () => {
    expect(() => fromProviderUsage('openai', null)).toThrow(/usage: expected an object, got null/)
    expect(() => fromProviderUsage('openai', { id: 'chatcmpl-1', usage: null })).toThrow(/usage: expected an object, got null/)
  })
})

// ---------------------------------------------------------------------------
// Errors and invariants

describe('invalid input', () => {
  test.each([
    ['fromOpenAIChatUsage', fromOpenAIChatUsage, 'usage'],
    ['fromOpenAIResponsesUsage', fromOpenAIResponsesUsage, 'usage'],
    ['fromAnthropicUsage', fromAnthropicUsage, 'usage'],
    ['fromGeminiUsage', fromGeminiUsage, 'usageMetadata'],
  ] as const)('%s throws a clear error for a non-object', (_name, fn, field) => {
    expect(() => fn(null)).toThrow(new RegExp(`^${field}: expected an object, got null$`))
    expect(() => fn(undefined)).toThrow(`${field}: expected an object, got undefined`)
    expect(() => fn('{"prompt_tokens":1}')).toThrow(`${field}: expected an object, got string`)
    expect(() => fn(42)).toThrow(`${field}: expected an object, got number`)
    expect(() => fn([1, 2])).toThrow(`${field}: expected an object, got an array`)
  })

  test('garbage numbers become 0, never NaN or negative', () => {
    const u = {
      prompt_tokens: 'abc',
      completion_tokens: -5,
      prompt_tokens_details: { cached_tokens: Number.NaN },
      completion_tokens_details: { reasoning_tokens: Number.POSITIVE_INFINITY },
    }
    expect(fromOpenAIChatUsage(u)).toStrictEqual({ tokens_in: 0, cached_tokens_in: 0, cache_write_tokens: 0, tokens_out: 0 })
    expect(fromAnthropicUsage({ input_tokens: '12', cache_read_input_tokens: true, cache_creation_input_tokens: '1e400', output_tokens: 7.6 })).toStrictEqual({
      tokens_in: 12,
      cached_tokens_in: 0,
      cache_write_tokens: 0,
      tokens_out: 8,
    })
    expect(fromGeminiUsage({ promptTokenCount: '0x10', candidatesTokenCount: [], thoughtsTokenCount: {} })).toStrictEqual({
      tokens_in: 0,
      cached_tokens_in: 0,
      cache_write_tokens: 0,
      tokens_out: 0,
    })
    expect(fromOpenAIResponsesUsage({ input_tokens: 2 ** 60, output_tokens: '9007199254740993' })).toStrictEqual({
      tokens_in: 0,
      cached_tokens_in: 0,
      cache_write_tokens: 0,
      tokens_out: 0,
    })
  })

  // OTLP attribute text reaches these readers: a long run of digits that is not a number is refused after
  // linear work (the old \d+\.?\d* took seconds at 200k digits; yielding lets vitest's timeout catch a slow one).
  test('a long run of digits that is not a number is garbage, read at once', async () => {
    for (const junk of ['1'.repeat(200_000) + 'x', '9'.repeat(200_000) + 'e+', `+${'0'.repeat(200_000)}.`]) {
      expect(fromOpenAIChatUsage({ prompt_tokens: junk, completion_tokens: '12.' })).toStrictEqual({
        tokens_in: 0,
        cached_tokens_in: 0,
        cache_write_tokens: 0,
        tokens_out: 12,
      })
      await new Promise((done) => setTimeout(done, 0))
    }
  })

  test('every real example and every garbage variant satisfies the invariants', () => {
    const results: (TUsageFields | null)[] = [
      fromOpenAIChatUsage(OPENAI_CHAT_CACHED),
      fromOpenAIChatUsage(OPENAI_CHAT_O_SERIES),
      fromOpenAIChatUsage(OPENAI_CHAT_PLAIN),
      fromOpenAIResponsesUsage(OPENAI_RESPONSES_REASONING),
      fromOpenAIResponsesUsage(OPENAI_RESPONSES_CACHED),
      fromAnthropicUsage(ANTHROPIC_CACHE_WRITE),
      fromAnthropicUsage(ANTHROPIC_READ_AND_WRITE),
      fromAnthropicUsage(ANTHROPIC_1H),
      fromGeminiUsage(GEMINI_THOUGHTS_AND_CACHE),
      fromGeminiUsage(GEMINI_GROUNDED),
      fromGeminiUsage(GEMINI_PLAIN),
    ]
    const junk: unknown[] = [undefined, null, -1, 1.5, Number.NaN, '12', 'x', {}, { intValue: '7' }, [], true, 5n]
    for (const a of junk) {
      for (const b of junk) {
        results.push(
          fromOpenAIChatUsage({
            prompt_tokens: a,
            completion_tokens: b,
            prompt_tokens_details: { cached_tokens: b, cache_write_tokens: a },
            completion_tokens_details: { reasoning_tokens: a },
          }),
          fromOpenAIResponsesUsage({
            input_tokens: a,
            output_tokens: b,
            input_tokens_details: { cached_tokens: b },
            output_tokens_details: { reasoning_tokens: a },
          }),
          fromAnthropicUsage({
            input_tokens: a,
            cache_read_input_tokens: b,
            cache_creation: { ephemeral_5m_input_tokens: a, ephemeral_1h_input_tokens: b },
            output_tokens: b,
          }),
          fromGeminiUsage({ promptTokenCount: a, cachedContentTokenCount: b, candidatesTokenCount: a, thoughtsTokenCount: b, toolUsePromptTokenCount: a }),
          fromOtelGenAiAttributes({
            'gen_ai.usage.input_tokens': a,
            'gen_ai.usage.cache_read.input_tokens': b,
            'gen_ai.usage.cache_creation.input_tokens': a,
            'gen_ai.usage.output_tokens': b,
          }),
        )
      }
    }
    for (const r of results) if (r) expectWellFormed(r)
  })
})
