import { createHash } from 'node:crypto'
import { fromAnthropicUsage, fromOpenAIChatUsage, fromOpenAIResponsesUsage, type TUsageFields } from '@/lib/cost/usage'
import type { TGatewayProtocol } from '@/lib/gateway/control'

// What differs between the APIs the gateway speaks: where a request goes, where
// its model and output cap are, how its answer reports usage (through
// lib/cost/usage.ts, the one usage mapping), what its output is (for
// output_hash), how a stream carries the same, and the provider's error shape.
// Pure: no I/O.

export type TFamily = 'openai' | 'anthropic'
type TJson = Record<string, unknown>

const isRecord = (v: unknown): v is TJson => typeof v === 'object' && v !== null && !Array.isArray(v)

export type TProtocolSpec = {
  family: TFamily
  /** appended to the provider's base URL (OpenAI-compatible: …/v1; Anthropic: the host, as its SDK's baseURL) */
  path: string
  callType: 'generation' | 'embedding'
  /** the request's output cap field, if the API has one */
  maxTokensField: string | null
  /** alternative cap fields read (first present wins) */
  maxTokensAliases: string[]
  usage: (u: unknown) => TUsageFields
}

export const PROTOCOLS: Record<TGatewayProtocol, TProtocolSpec> = {
  'openai-chat': {
    family: 'openai',
    path: '/chat/completions',
    callType: 'generation',
    maxTokensField: 'max_completion_tokens',
    maxTokensAliases: ['max_completion_tokens', 'max_tokens'],
    usage: fromOpenAIChatUsage,
  },
  'openai-responses': {
    family: 'openai',
    path: '/responses',
    callType: 'generation',
    maxTokensField: 'max_output_tokens',
    maxTokensAliases: ['max_output_tokens'],
    usage: fromOpenAIResponsesUsage,
  },
  // embeddings' usage is {prompt_tokens, total_tokens}: the chat shape
  'openai-embeddings': { family: 'openai', path: '/embeddings', callType: 'embedding', maxTokensField: null, maxTokensAliases: [], usage: fromOpenAIChatUsage },
  'anthropic-messages': {
    family: 'anthropic',
    path: '/v1/messages',
    callType: 'generation',
    maxTokensField: 'max_tokens',
    maxTokensAliases: ['max_tokens'],
    usage: fromAnthropicUsage,
  },
}

/** The default upstream of a family when the organization configured none (with a key per request). */
export const DEFAULT_BASE_URL: Record<TFamily, string> = { openai: 'https://api.openai.com/v1', anthropic: 'https://api.anthropic.com' }

export type TRequestInfo = { model: string; maxTokens: number | null; stream: boolean }

/** The request's model, cap and stream flag; a message naming the field when the body cannot be sent on. */
export function requestInfo(protocol: TGatewayProtocol, body: unknown): { ok: true; info: TRequestInfo } | { ok: false; message: string } {
  if (!isRecord(body)) return { ok: false, message: 'The request body must be a JSON object' }
  if (typeof body.model !== 'string' || body.model.length === 0) return { ok: false, message: 'model: is required (a string)' }
  const spec = PROTOCOLS[protocol]
  let maxTokens: number | null = null
  for (const f of spec.maxTokensAliases) {
    const v = body[f]
    if (typeof v === 'number' && Number.isInteger(v) && v >= 1) {
      maxTokens = v
      break
    }
  }
  return { ok: true, info: { model: body.model, maxTokens, stream: body.stream === true } }
}

/**
 * The body of one attempt: the plan's model and cap in place of the request's.
 * An OpenAI chat stream asks upstream for usage (stream_options.include_usage); `stripUsage` says the client did not
 * ask for it, so the usage chunk is measured and not passed on.
 */
export function attemptBody(
  protocol: TGatewayProtocol,
  body: TJson,
  model: string,
  maxTokens: number | null,
  stream: boolean,
): { body: TJson; stripUsage: boolean } {
  const out: TJson = { ...body, model }
  const spec = PROTOCOLS[protocol]
  if (spec.maxTokensField && maxTokens !== null) {
    const present = spec.maxTokensAliases.find((f) => f in body)
    out[present ?? spec.maxTokensField] = maxTokens
  }
  let stripUsage = false
  if (protocol === 'openai-chat' && stream) {
    const so = isRecord(body.stream_options) ? body.stream_options : {}
    if (so.include_usage !== true) {
      stripUsage = true
      out.stream_options = { ...so, include_usage: true }
    }
  }
  return { body: out, stripUsage }
}

/** JSON with object keys sorted at every level: the same request hashes the same whatever its key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`
  if (isRecord(v)) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`)
      .join(',')}}`
  }
  return JSON.stringify(v) ?? 'null'
}

// How the answer is delivered is not part of the input: a streamed and a plain call of the same request are repeats.
const NOT_INPUT = new Set(['stream', 'stream_options'])

/** input_hash: sha256 of the API and the canonical request (model, messages or input, parameters). */
export function inputHash(protocol: TGatewayProtocol, body: TJson): string {
  const input: TJson = {}
  for (const [k, v] of Object.entries(body)) if (!NOT_INPUT.has(k)) input[k] = v
  return createHash('sha256')
    .update(`${protocol}\n${canonicalJson(input)}`)
    .digest('hex')
}

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex')

/** The answer's output as text (content, tool calls' arguments, embeddings), for output_hash; null when there is none. */
export function outputText(protocol: TGatewayProtocol, answer: unknown): string | null {
  if (!isRecord(answer)) return null
  const parts: string[] = []
  if (protocol === 'openai-chat') {
    for (const c of Array.isArray(answer.choices) ? answer.choices : []) {
      const m = isRecord(c) && isRecord(c.message) ? c.message : null
      if (!m) continue
      if (typeof m.content === 'string') parts.push(m.content)
      for (const t of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
        if (isRecord(t) && isRecord(t.function)) parts.push(`${String(t.function.name ?? '')}(${String(t.function.arguments ?? '')})`)
      }
    }
  } else if (protocol === 'openai-responses') {
    for (const o of Array.isArray(answer.output) ? answer.output : []) {
      if (!isRecord(o)) continue
      if (o.type === 'function_call') parts.push(`${String(o.name ?? '')}(${String(o.arguments ?? '')})`)
      for (const c of Array.isArray(o.content) ? o.content : []) if (isRecord(c) && typeof c.text === 'string') parts.push(c.text)
    }
  } else if (protocol === 'openai-embeddings') {
    for (const d of Array.isArray(answer.data) ? answer.data : []) if (isRecord(d)) parts.push(JSON.stringify(d.embedding ?? null))
  } else {
    for (const c of Array.isArray(answer.content) ? answer.content : []) {
      if (!isRecord(c)) continue
      if (typeof c.text === 'string') parts.push(c.text)
      else if (c.type === 'tool_use') parts.push(`${String(c.name ?? '')}(${JSON.stringify(c.input ?? null)})`)
    }
  }
  return parts.length ? parts.join('') : null
}

/** The model that answered, as the answer names it. */
export function answerModel(protocol: TGatewayProtocol, answer: unknown): string | null {
  if (!isRecord(answer)) return null
  const a = protocol === 'openai-responses' && isRecord(answer.response) ? answer.response : answer
  return typeof a.model === 'string' ? a.model : null
}

/** The answer's usage mapped to Outlay's token fields; null when it reports none (or one that does not read). */
export function answerUsage(protocol: TGatewayProtocol, answer: unknown): TUsageFields | null {
  if (!isRecord(answer) || !isRecord(answer.usage)) return null
  try {
    return PROTOCOLS[protocol].usage(answer.usage)
  } catch {
    return null
  }
}

// ─── streams ──────────────────────────────────────────────────────────────────

/**
 * Reads a stream's server-sent events as they pass: the model, the usage and
 * the output text; `drop` says whether an event is the usage chunk the client
 * did not ask for (OpenAI chat with stripUsage: the chunk whose choices are
 * empty and that carries usage).
 */
export class StreamReader {
  model: string | null = null
  private usageRaw: TJson | null = null
  private text: string[] = []
  private tools = new Map<string, string>()
  /** an error event seen in the stream (the upstream failed mid-answer) */
  failed = false

  constructor(
    private protocol: TGatewayProtocol,
    private stripUsage: boolean,
  ) {}

  /** Read one event; true when it must not be passed on. */
  event(name: string | null, data: string): boolean {
    if (data === '[DONE]' || data === '') return false
    let j: unknown
    try {
      j = JSON.parse(data)
    } catch {
      return false
    }
    if (!isRecord(j)) return false
    const type = typeof j.type === 'string' ? j.type : name
    if (this.protocol === 'openai-chat') {
      if (typeof j.model === 'string') this.model ??= j.model
      if (isRecord(j.usage)) this.usageRaw = j.usage
      const choices = Array.isArray(j.choices) ? j.choices : []
      for (const c of choices) {
        const d = isRecord(c) && isRecord(c.delta) ? c.delta : null
        if (!d) continue
        if (typeof d.content === 'string') this.text.push(d.content)
        for (const t of Array.isArray(d.tool_calls) ? d.tool_calls : []) {
          if (!isRecord(t)) continue
          const k = String(t.index ?? 0)
          const f = isRecord(t.function) ? t.function : {}
          this.tools.set(k, (this.tools.get(k) ?? '') + String(f.name ?? '') + String(f.arguments ?? ''))
        }
      }
      if (isRecord(j.error)) this.failed = true
      return this.stripUsage && isRecord(j.usage) && choices.length === 0
    }
    if (this.protocol === 'openai-responses') {
      if (type === 'response.output_text.delta' && typeof j.delta === 'string') this.text.push(j.delta)
      if (type === 'response.function_call_arguments.delta' && typeof j.delta === 'string') this.text.push(j.delta)
      if (isRecord(j.response)) {
        if (typeof j.response.model === 'string') this.model = j.response.model
        if (isRecord(j.response.usage)) this.usageRaw = j.response.usage
      }
      if (type === 'response.failed' || type === 'error') this.failed = true
      return false
    }
    // Anthropic: message_start has the model and the input side of usage; message_delta the output count (and,
    // from newer versions, the final input counts): later counts replace earlier ones, field by field.
    if (type === 'message_start' && isRecord(j.message)) {
      if (typeof j.message.model === 'string') this.model = j.message.model
      if (isRecord(j.message.usage)) this.usageRaw = { ...j.message.usage }
    } else if (type === 'message_delta' && isRecord(j.usage)) {
      const u: TJson = { ...(this.usageRaw ?? {}) }
      for (const [k, v] of Object.entries(j.usage)) if (v !== null && v !== undefined) u[k] = v
      this.usageRaw = u
    } else if (type === 'content_block_delta' && isRecord(j.delta)) {
      if (typeof j.delta.text === 'string') this.text.push(j.delta.text)
      if (typeof j.delta.partial_json === 'string') this.text.push(j.delta.partial_json)
    } else if (type === 'error') this.failed = true
    return false
  }

  usage(): TUsageFields | null {
    if (!this.usageRaw) return null
    try {
      return PROTOCOLS[this.protocol].usage(this.usageRaw)
    } catch {
      return null
    }
  }

  output(): string | null {
    const all = this.text.join('') + [...this.tools.values()].join('')
    return all.length ? all : null
  }
}

/**
 * Splits a byte stream into server-sent events (a blank line ends one), as the
 * bytes arrive. Each event comes with its raw bytes, to be passed on unchanged.
 */
export class SseSplitter {
  private buf = ''
  private decoder = new TextDecoder()

  /** The complete events in this chunk (and what earlier chunks left). */
  push(chunk: Uint8Array): { raw: string; name: string | null; data: string }[] {
    this.buf += this.decoder.decode(chunk, { stream: true })
    const out: { raw: string; name: string | null; data: string }[] = []
    for (;;) {
      const m = /\r\n\r\n|\n\n|\r\r/.exec(this.buf)
      if (!m) break
      const end = m.index + m[0].length
      const raw = this.buf.slice(0, end)
      this.buf = this.buf.slice(end)
      out.push({ raw, ...parseEvent(raw) })
    }
    return out
  }

  /** What is left at the end (an event without its closing blank line). */
  rest(): string {
    return this.buf + this.decoder.decode()
  }
}

function parseEvent(raw: string): { name: string | null; data: string } {
  let name: string | null = null
  const data: string[] = []
  for (const line of raw.split(/\r\n|\n|\r/)) {
    if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5))
    else if (line.startsWith('event:')) name = line.slice(line[6] === ' ' ? 7 : 6)
  }
  return { name, data: data.join('\n') }
}

// ─── errors in the provider's shape ───────────────────────────────────────────

const OPENAI_TYPES: Record<number, [type: string, code: string | null]> = {
  400: ['invalid_request_error', null],
  401: ['invalid_request_error', 'invalid_api_key'],
  403: ['permission_error', null],
  404: ['invalid_request_error', 'not_found'],
  413: ['invalid_request_error', 'payload_too_large'],
  415: ['invalid_request_error', null],
  429: ['rate_limit_error', 'rate_limit_exceeded'],
  502: ['api_error', 'upstream_unreachable'],
  504: ['api_error', 'upstream_timeout'],
}
const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  415: 'invalid_request_error',
  429: 'rate_limit_error',
  502: 'api_error',
  504: 'timeout_error',
}

/** An error of Outlay's own (bad key, no provider, budget) as the provider's SDK expects to read it. */
export function providerError(family: TFamily, status: number, message: string): unknown {
  if (family === 'anthropic') return { type: 'error', error: { type: ANTHROPIC_TYPES[status] ?? 'api_error', message } }
  const [type, code] = OPENAI_TYPES[status] ?? ['api_error', null]
  return { error: { message, type, code } }
}
