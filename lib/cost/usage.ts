/**
 * Maps provider usage objects (and OpenTelemetry GenAI span attributes) onto
 * Outlay's token fields. Pure: no I/O, no dependencies.
 *
 * Outlay's meaning of the fields (see PRODUCT.md, inference events):
 *   tokens_in          ALL input tokens, cache reads and cache writes included
 *   cached_tokens_in   input tokens read from the provider's prompt cache
 *   cache_write_tokens input tokens written to the prompt cache
 *   tokens_out         output tokens, reasoning tokens included
 *   reasoning_tokens   informational: the reasoning part of tokens_out, when the source reports it
 *
 * Every result holds non-negative safe integers with
 * cached_tokens_in + cache_write_tokens ≤ tokens_in (and reasoning_tokens ≤ tokens_out).
 *
 * Providers differ, and most cost bugs come from that:
 *  - OpenAI (Chat Completions `prompt_tokens`, Responses `input_tokens`) INCLUDE cached tokens;
 *    `completion_tokens` / `output_tokens` INCLUDE reasoning tokens.
 *  - Anthropic `input_tokens` EXCLUDES `cache_read_input_tokens` and `cache_creation_input_tokens`,
 *    so tokens_in is the sum of the three.
 *  - Gemini `promptTokenCount` INCLUDES `cachedContentTokenCount` but EXCLUDES `toolUsePromptTokenCount`
 *    (tool results fed back to the model, billed as input); `candidatesTokenCount` EXCLUDES
 *    `thoughtsTokenCount` (billed as output). totalTokenCount = prompt + toolUse + candidates + thoughts.
 */

export type TUsageFields = {
  tokens_in: number
  cached_tokens_in: number
  cache_write_tokens: number
  tokens_out: number
  reasoning_tokens?: number
}

type TRecord = Record<string, unknown>

// ---------------------------------------------------------------------------
// Number handling

/**
 * A token count from an untrusted value, or undefined when missing or invalid.
 * Accepts numbers, bigints, numeric strings, OTLP-JSON AnyValue wrappers
 * ({intValue: "123"}, {doubleValue: 12}, {stringValue: "12"}) and protobuf int64
 * "Long" objects ({low, high}). Negative, non-finite, non-numeric or
 * unsafe (> 2^53 - 1) values are invalid; fractional values are rounded.
 */
function toCount(v: unknown, depth = 0): number | undefined {
  if (typeof v === 'number') {
    if (!Number.isFinite(v) || v < 0) return undefined
    const n = Math.round(v)
    return Number.isSafeInteger(n) ? n : undefined
  }
  if (typeof v === 'bigint') {
    return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined
  }
  if (typeof v === 'string') {
    const s = v.trim()
    // \d+(?:\.\d*)? rather than \d+\.?\d*: the same numbers, and no two ways to split a run of digits (quadratic backtracking on OTLP attribute text).
    if (!/^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(s)) return undefined
    return toCount(Number(s), depth)
  }
  if (isRecord(v) && depth < 3) {
    // OTLP AnyValue (JSON encoding: int64 arrives as a string or a number).
    if ('intValue' in v) return toCount(v.intValue, depth + 1)
    if ('doubleValue' in v) return toCount(v.doubleValue, depth + 1)
    if ('stringValue' in v) return toCount(v.stringValue, depth + 1)
    // protobufjs Long for int64 decoded from OTLP protobuf.
    if (typeof v.low === 'number' && typeof v.high === 'number') {
      if (v.high < 0 && v.unsigned !== true) return undefined
      return toCount((v.high >>> 0) * 2 ** 32 + (v.low >>> 0), depth + 1)
    }
  }
  return undefined
}

/** Non-null, non-undefined, not an empty OTLP AnyValue ({}): the key was reported. */
function isPresent(v: unknown): boolean {
  if (v === undefined || v === null) return false
  if (isRecord(v) && Object.keys(v).length === 0) return false
  return true
}

function isRecord(v: unknown): v is TRecord {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function describe(v: unknown): string {
  if (v === null) return 'null'
  if (Array.isArray(v)) return 'an array'
  return typeof v
}

/** First valid count among `keys` of `obj`; `present` says whether any of the keys was reported at all. */
function pick(obj: TRecord | undefined, keys: readonly string[]): { value: number; present: boolean; valid: boolean } {
  let present = false
  if (obj) {
    for (const k of keys) {
      const raw = obj[k]
      if (!isPresent(raw)) continue
      present = true
      const n = toCount(raw)
      if (n !== undefined) return { value: n, present, valid: true }
    }
  }
  return { value: 0, present, valid: false }
}

const num = (obj: TRecord | undefined, ...keys: string[]): number => pick(obj, keys).value

/** A nested object such as `prompt_tokens_details`; null, missing or non-objects read as absent. */
function sub(obj: TRecord | undefined, ...keys: string[]): TRecord | undefined {
  if (!obj) return undefined
  for (const k of keys) {
    const v = obj[k]
    if (isRecord(v)) return v
  }
  return undefined
}

/**
 * The usage object: `u` itself, or — when `u` is a whole response carrying none of
 * the usage fields itself — its `usage` / `usageMetadata` member.
 */
function usageObject(u: unknown, field: string, ownKeys: readonly string[], wrapperKeys: readonly string[]): TRecord {
  if (!isRecord(u)) throw new Error(`${field}: expected an object, got ${describe(u)}`)
  if (ownKeys.some((k) => k in u)) return u
  for (const w of wrapperKeys) {
    if (w in u) {
      const inner = u[w]
      if (!isRecord(inner)) throw new Error(`${w}: expected an object, got ${describe(inner)}`)
      return inner
    }
  }
  return u
}

/**
 * Final clean-up. For providers whose input total INCLUDES the cache tokens, a cache count
 * above the total is inconsistent data: we keep the reported cache counts and raise
 * tokens_in to their sum (never shrink what the provider says it served from or wrote to
 * the cache). Likewise tokens_out is raised to at least reasoning_tokens.
 */
function finish(f: { tokens_in: number; cached: number; write: number; tokens_out: number; reasoning?: number }): TUsageFields {
  const out: TUsageFields = {
    tokens_in: Math.max(f.tokens_in, f.cached + f.write),
    cached_tokens_in: f.cached,
    cache_write_tokens: f.write,
    tokens_out: Math.max(f.tokens_out, f.reasoning ?? 0),
  }
  if (f.reasoning !== undefined) out.reasoning_tokens = f.reasoning
  return out
}

// ---------------------------------------------------------------------------
// OpenAI

// `total_tokens` is shared with the Responses shape, so it identifies neither.
const OPENAI_CHAT_KEYS = ['prompt_tokens', 'completion_tokens', 'prompt_tokens_details', 'completion_tokens_details'] as const

/**
 * OpenAI Chat Completions `usage` (also the shape most OpenAI-compatible APIs return).
 * prompt_tokens INCLUDES prompt_tokens_details.cached_tokens (and cache_write_tokens where
 * reported); completion_tokens INCLUDES completion_tokens_details.reasoning_tokens and
 * rejected prediction tokens. DeepSeek's `prompt_cache_hit_tokens` is read when
 * `cached_tokens` is absent (it is also part of prompt_tokens).
 */
export function fromOpenAIChatUsage(u: unknown): TUsageFields {
  const usage = usageObject(u, 'usage', OPENAI_CHAT_KEYS, ['usage'])
  const ptd = sub(usage, 'prompt_tokens_details')
  const ctd = sub(usage, 'completion_tokens_details')
  const cached = pick(ptd, ['cached_tokens'])
  const reasoning = pick(ctd, ['reasoning_tokens'])
  return finish({
    tokens_in: num(usage, 'prompt_tokens'),
    cached: cached.valid ? cached.value : num(usage, 'prompt_cache_hit_tokens'),
    write: num(ptd, 'cache_write_tokens'),
    tokens_out: num(usage, 'completion_tokens'),
    reasoning: reasoning.valid ? reasoning.value : undefined,
  })
}

const OPENAI_RESPONSES_KEYS = ['input_tokens', 'output_tokens', 'input_tokens_details', 'output_tokens_details'] as const

/**
 * OpenAI Responses API `usage`: input_tokens INCLUDES input_tokens_details.cached_tokens
 * (and cache_write_tokens where reported); output_tokens INCLUDES
 * output_tokens_details.reasoning_tokens.
 */
export function fromOpenAIResponsesUsage(u: unknown): TUsageFields {
  const usage = usageObject(u, 'usage', OPENAI_RESPONSES_KEYS, ['usage'])
  const itd = sub(usage, 'input_tokens_details')
  const otd = sub(usage, 'output_tokens_details')
  const reasoning = pick(otd, ['reasoning_tokens'])
  return finish({
    tokens_in: num(usage, 'input_tokens'),
    cached: num(itd, 'cached_tokens'),
    write: num(itd, 'cache_write_tokens'),
    tokens_out: num(usage, 'output_tokens'),
    reasoning: reasoning.valid ? reasoning.value : undefined,
  })
}

// ---------------------------------------------------------------------------
// Anthropic

const ANTHROPIC_KEYS = ['input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation_input_tokens', 'cache_creation'] as const

/**
 * Anthropic Messages `usage`. input_tokens EXCLUDES cache reads and cache writes, so
 * tokens_in = input_tokens + cache_read_input_tokens + cache_creation_input_tokens.
 * Cache writes come as `cache_creation_input_tokens` (authoritative when present) and/or
 * the breakdown `cache_creation: {ephemeral_5m_input_tokens, ephemeral_1h_input_tokens}`,
 * summed when the top-level count is missing.
 */
export function fromAnthropicUsage(u: unknown): TUsageFields {
  const usage = usageObject(u, 'usage', ANTHROPIC_KEYS, ['usage'])
  const input = num(usage, 'input_tokens')
  const read = num(usage, 'cache_read_input_tokens')
  const top = pick(usage, ['cache_creation_input_tokens'])
  const breakdown = sub(usage, 'cache_creation')
  const write = top.valid ? top.value : num(breakdown, 'ephemeral_5m_input_tokens') + num(breakdown, 'ephemeral_1h_input_tokens')
  return finish({ tokens_in: input + read + write, cached: read, write, tokens_out: num(usage, 'output_tokens') })
}

// ---------------------------------------------------------------------------
// Google Gemini (AI Studio and Vertex AI)

const GEMINI_KEYS = [
  'promptTokenCount',
  'candidatesTokenCount',
  'totalTokenCount',
  'cachedContentTokenCount',
  'thoughtsTokenCount',
  'toolUsePromptTokenCount',
  'prompt_token_count',
  'candidates_token_count',
  'total_token_count',
  'cached_content_token_count',
  'thoughts_token_count',
  'tool_use_prompt_token_count',
] as const

/**
 * Gemini `usageMetadata` (REST camelCase; the snake_case of the Python SDK's
 * model_dump() is accepted too). A whole response carrying `usageMetadata` is accepted.
 *
 *   tokens_in        = promptTokenCount (includes cachedContentTokenCount) + toolUsePromptTokenCount
 *   cached_tokens_in = cachedContentTokenCount
 *   tokens_out       = candidatesTokenCount + thoughtsTokenCount
 *
 * Explicit-cache creation is billed as storage, not in usageMetadata: cache_write_tokens is 0.
 * If totalTokenCount shows the candidates already include the thoughts
 * (total = prompt + toolUse + candidates while thoughts > 0, seen on some early thinking
 * previews), the thoughts are not added a second time.
 */
export function fromGeminiUsage(u: unknown): TUsageFields {
  const m = usageObject(u, 'usageMetadata', GEMINI_KEYS, ['usageMetadata', 'usage_metadata'])
  const prompt = num(m, 'promptTokenCount', 'prompt_token_count')
  const toolUse = num(m, 'toolUsePromptTokenCount', 'tool_use_prompt_token_count')
  const candidates = num(m, 'candidatesTokenCount', 'candidates_token_count')
  const thoughts = pick(m, ['thoughtsTokenCount', 'thoughts_token_count'])
  const total = pick(m, ['totalTokenCount', 'total_token_count'])
  const thoughtsInsideCandidates = thoughts.value > 0 && total.valid && total.value === prompt + toolUse + candidates && candidates >= thoughts.value
  return finish({
    tokens_in: prompt + toolUse,
    cached: num(m, 'cachedContentTokenCount', 'cached_content_token_count'),
    write: 0,
    tokens_out: thoughtsInsideCandidates ? candidates : candidates + thoughts.value,
    reasoning: thoughts.valid ? thoughts.value : undefined,
  })
}

// ---------------------------------------------------------------------------
// OpenTelemetry GenAI semantic conventions

const OTEL_INPUT = ['gen_ai.usage.input_tokens', 'gen_ai.usage.prompt_tokens'] as const
const OTEL_OUTPUT = ['gen_ai.usage.output_tokens', 'gen_ai.usage.completion_tokens'] as const
// Official names first, then the ones older instrumentations emit (OpenLLMetry, Sentry).
const OTEL_CACHE_READ = ['gen_ai.usage.cache_read.input_tokens', 'gen_ai.usage.cache_read_input_tokens', 'gen_ai.usage.input_tokens.cached'] as const
const OTEL_CACHE_WRITE = [
  'gen_ai.usage.cache_creation.input_tokens',
  'gen_ai.usage.cache_creation_input_tokens',
  'gen_ai.usage.input_tokens.cache_write',
] as const
const OTEL_REASONING = ['gen_ai.usage.reasoning.output_tokens', 'gen_ai.usage.output_tokens.reasoning', 'gen_ai.usage.reasoning_tokens'] as const

/**
 * Span attributes (already flattened to key → value; values may be numbers, numeric
 * strings or OTLP-JSON AnyValue objects such as {intValue: "123"}).
 * Returns null when no usage attribute is present.
 *
 * The convention says gen_ai.usage.input_tokens SHOULD include cache reads and cache
 * writes, but instrumentations disagree: many Anthropic instrumentations copy Anthropic's
 * `input_tokens`, which EXCLUDES them. Rule: when cache_read + cache_creation >
 * input_tokens, the input count cannot include them, so it is treated as EXCLUDING them
 * and tokens_in = input_tokens + cache_read + cache_creation. Otherwise input_tokens is
 * taken as inclusive (the convention). An exclusive count that happens to be ≥ the cache
 * tokens cannot be told apart and is read as inclusive.
 * The same reasoning applies to output: output_tokens includes reasoning tokens, unless
 * the reasoning count exceeds it, in which case the two are summed.
 * The legacy gen_ai.usage.prompt_tokens / completion_tokens are used when the current
 * names are absent.
 */
export function fromOtelGenAiAttributes(attrs: Record<string, unknown>): TUsageFields | null {
  if (!isRecord(attrs)) throw new Error(`attributes: expected an object, got ${describe(attrs)}`)
  const input = pick(attrs, OTEL_INPUT)
  const output = pick(attrs, OTEL_OUTPUT)
  const read = pick(attrs, OTEL_CACHE_READ)
  const write = pick(attrs, OTEL_CACHE_WRITE)
  const reasoning = pick(attrs, OTEL_REASONING)
  if (!input.present && !output.present && !read.present && !write.present && !reasoning.present) return null

  const cacheTotal = read.value + write.value
  const tokensIn = cacheTotal > input.value ? input.value + cacheTotal : input.value
  const tokensOut = reasoning.value > output.value ? output.value + reasoning.value : output.value
  return finish({
    tokens_in: tokensIn,
    cached: read.value,
    write: write.value,
    tokens_out: tokensOut,
    reasoning: reasoning.valid ? reasoning.value : undefined,
  })
}

// ---------------------------------------------------------------------------
// Dispatch

type TShape = 'openai-chat' | 'openai-responses' | 'anthropic' | 'gemini'

function has(obj: TRecord, keys: readonly string[]): boolean {
  return keys.some((k) => k in obj)
}

/** The usage shape by its keys; 'ambiguous' for a bare {input_tokens, output_tokens}. */
function detectShape(obj: TRecord): TShape | 'ambiguous' | undefined {
  if (has(obj, GEMINI_KEYS)) return 'gemini'
  if (has(obj, OPENAI_CHAT_KEYS) || has(obj, ['prompt_cache_hit_tokens'])) return 'openai-chat'
  if (has(obj, ['cache_read_input_tokens', 'cache_creation_input_tokens', 'cache_creation'])) return 'anthropic'
  if (has(obj, ['input_tokens_details', 'output_tokens_details'])) return 'openai-responses'
  if (has(obj, ['input_tokens', 'output_tokens'])) return 'ambiguous'
  return undefined
}

function shapeFromProvider(provider: string): TShape | undefined {
  const p = provider.trim().toLowerCase()
  if (/anthropic|claude/.test(p)) return 'anthropic'
  if (/gemini|google|vertex|gcp/.test(p)) return 'gemini'
  if (/openai|azure/.test(p)) return 'openai-chat'
  return undefined
}

const MAPPERS: Record<TShape, (u: unknown) => TUsageFields> = {
  'openai-chat': fromOpenAIChatUsage,
  'openai-responses': fromOpenAIResponsesUsage,
  anthropic: fromAnthropicUsage,
  gemini: fromGeminiUsage,
}

/**
 * Maps a usage object given the provider name (`openai`, `azure.ai.openai`, `anthropic`,
 * `google`, `gcp.gemini`, `gcp.vertex_ai`, …). The object's keys decide first, because
 * the shape follows the API used, not the model vendor (OpenRouter, Anthropic's and
 * Gemini's OpenAI-compatible endpoints all return the OpenAI Chat shape). The name
 * decides only for a bare {input_tokens, output_tokens} (Anthropic vs Responses; both
 * give the same numbers without cache fields) or when no known key is present.
 * A whole response with `usage` / `usageMetadata` is accepted.
 */
export function fromProviderUsage(provider: string, u: unknown): TUsageFields {
  if (typeof provider !== 'string') throw new Error(`provider: expected a string, got ${describe(provider)}`)
  if (!isRecord(u)) throw new Error(`usage: expected an object, got ${describe(u)}`)

  let obj = u
  let shape = detectShape(obj)
  if (shape === undefined) {
    if ('usageMetadata' in obj || 'usage_metadata' in obj) return fromGeminiUsage(obj)
    if ('usage' in obj) {
      const inner = obj.usage
      if (!isRecord(inner)) throw new Error(`usage: expected an object, got ${describe(inner)}`)
      obj = inner
      shape = detectShape(obj)
    }
  }

  const byName = shapeFromProvider(provider)
  if (shape === 'ambiguous') shape = byName === 'anthropic' ? 'anthropic' : 'openai-responses'
  shape ??= byName
  if (shape === undefined) {
    throw new Error(`usage: no recognised token fields for provider "${provider}" (keys: ${Object.keys(obj).join(', ') || 'none'})`)
  }
  return MAPPERS[shape](obj)
}
