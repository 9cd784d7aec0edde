import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { asOrg } from '@/lib/db'
import { env } from '@/lib/env'
import { log } from '@/lib/log'
import { AppError } from '@/lib/errors'
import { parseJsonBytes } from '@/lib/http/body'
import { authenticateApiKey, cachedApiKey, type TKeyPrincipal } from '@/lib/auth/api-keys'
import { fromScaled, rescale, toScaled, trimTrailingZeros } from '@/lib/cost/money'
import { COST_SCALE, type PriceBook } from '@/lib/cost/engine'
import type { TUsageFields } from '@/lib/cost/usage'
import { ENVIRONMENTS, TRAFFIC_SOURCES } from '@/lib/domain'
import {
  planCall,
  planCallNow,
  priceBook,
  priceBookNow,
  shouldEscalate,
  storeCached,
  type TGatewayAttribution,
  type TGatewayCall,
  type TGatewayProtocol,
  type THeaderReader,
  type TPlannedAttempt,
} from '@/lib/gateway/control'
import {
  answerModel,
  answerUsage,
  attemptBody,
  inputHash,
  outputText,
  PROTOCOLS,
  providerError,
  requestInfo,
  sha256,
  SseSplitter,
  StreamReader,
  type TFamily,
} from '@/lib/gateway/protocols'
import { upstreamFor, upstreamForNow, type TUpstream } from '@/lib/gateway/providers'
import { readAll, requestUpstream, UpstreamTimeout } from '@/lib/gateway/upstream'
import { recordGatewayEvent, UNLABELED, type TGatewayEvent } from '@/lib/gateway/recorder'
import { GATEWAY_MAX_BODY_BYTES } from '@/lib/gateway/schema'

// One call through the gateway: authenticate the Outlay key, read the request,
// ask the control seam (lib/gateway/control.ts) what to do, carry out its plan
// against the organization's upstream — each attempt measured as an inference
// event (lib/gateway/recorder.ts) — and answer as the provider would.
// Transport-free: the Next.js routes and the web server's fast path
// (lib/gateway/http.ts) both adapt to it. A streamed answer is passed on event
// by event as it arrives, never gathered first.

export type TGatewayRequest = {
  protocol: TGatewayProtocol
  headers: THeaderReader
  body: Uint8Array
  /** aborts when the client goes away: the upstream request is cut with it */
  signal: AbortSignal
  /** the caller's address (lib/http/client-address.ts), for the throttle on invalid keys */
  client: string
}

export type TGatewayResponse = { status: number; headers: Record<string, string>; body: Uint8Array | AsyncIterable<Uint8Array> }

const JSON_TYPE = 'application/json'
const ATTRIBUTION: [keyof TGatewayAttribution, string][] = [
  ['workflowId', 'x-outlay-workflow-id'],
  ['step', 'x-outlay-step'],
  ['runId', 'x-outlay-run-id'],
  ['accountId', 'x-outlay-account-id'],
  ['userId', 'x-outlay-user-id'],
  ['feature', 'x-outlay-feature'],
  ['environment', 'x-outlay-environment'],
  ['trafficSource', 'x-outlay-traffic-source'],
  ['scenarioId', 'x-outlay-scenario-id'],
  ['owner', 'x-outlay-owner'],
  ['promptVersion', 'x-outlay-prompt-version'],
]
/** the step and workflow of a call that names neither (PRODUCT.md: unlabeled spend is shown as such) */
export { UNLABELED }
/** metadata key marking an event as a gateway call (its value: the API) */
export const GATEWAY_MARK = 'outlay.gateway'
const METADATA_PREFIX = 'x-outlay-metadata-'

// What goes upstream besides the body and the key: the provider's own options the SDKs send.
const FORWARD_REQUEST = /^(anthropic-version|anthropic-beta|openai-organization|openai-project|openai-beta|idempotency-key)$/
// What comes back besides the body: the provider's request id, rate-limit and timing headers.
const FORWARD_RESPONSE = /^(content-type|x-request-id|request-id|retry-after|retry-after-ms|openai-.+|anthropic-.+|x-ratelimit-.+)$/

class GatewayError extends Error {
  constructor(
    public readonly status: number,
    message: string,
    public readonly headers: Record<string, string> = {},
  ) {
    super(message)
  }
}

function errorAnswer(family: TFamily, status: number, message: string, headers: Record<string, string> = {}): TGatewayResponse {
  return { status, headers: { 'content-type': JSON_TYPE, ...headers }, body: Buffer.from(JSON.stringify(providerError(family, status, message))) }
}

/** The caller's Outlay key: from this process's memory when it holds it (no promise), else looked up. */
function authenticate(headers: THeaderReader, client: string): TKeyPrincipal | Promise<TKeyPrincipal> {
  const auth = headers.get('authorization')
  const m = auth ? /^Bearer\s+(\S+)$/i.exec(auth) : null
  const raw = m?.[1] ?? headers.get('x-api-key')
  if (!raw) throw new GatewayError(401, 'Send an Outlay API key with the "gateway" scope, as "Authorization: Bearer <key>" or "x-api-key: <key>"')
  const hit = cachedApiKey(raw)
  return hit ? withGatewayScope(hit) : authenticateApiKey(raw, client).then(withGatewayScope)
}

function withGatewayScope(key: TKeyPrincipal): TKeyPrincipal {
  if (!key.scopes.includes('gateway')) throw new GatewayError(403, 'This Outlay API key lacks the "gateway" scope')
  return key
}

function header(headers: THeaderReader, name: string, max = 256): string | null {
  const v = headers.get(name)
  if (v === null || v === '') return null
  if (v.length > max) throw new GatewayError(400, `${name}: must be at most ${max} characters`)
  return v
}

function attributionOf(headers: THeaderReader): TGatewayAttribution {
  const a = Object.fromEntries(ATTRIBUTION.map(([k, h]) => [k, header(headers, h, k === 'promptVersion' ? 128 : 256)])) as TGatewayAttribution
  if (a.environment !== null && !(ENVIRONMENTS as readonly string[]).includes(a.environment))
    throw new GatewayError(400, `x-outlay-environment: must be one of ${ENVIRONMENTS.join(', ')}`)
  if (a.trafficSource !== null && !(TRAFFIC_SOURCES as readonly string[]).includes(a.trafficSource))
    throw new GatewayError(400, `x-outlay-traffic-source: must be one of ${TRAFFIC_SOURCES.join(', ')}`)
  return a
}

function metadataOf(headers: THeaderReader, protocol: TGatewayProtocol): Record<string, string> {
  const md: Record<string, string> = {}
  let n = 0
  headers.forEach((v, k) => {
    if (!k.startsWith(METADATA_PREFIX)) return
    const key = k.slice(METADATA_PREFIX.length)
    if (!key || key.length > 128) throw new GatewayError(400, `${k}: the metadata key must be 1 to 128 characters`)
    if (v.length > 1024) throw new GatewayError(400, `${k}: must be at most 1024 characters`)
    if (++n > 49) throw new GatewayError(400, 'x-outlay-metadata-*: at most 49 metadata headers')
    md[key] = v
  })
  md[GATEWAY_MARK] = protocol
  return md
}

const elapsed = (t0: number) => Math.round((performance.now() - t0) * 1000) / 1000

/** "0.003250000000" → "0.00325"; "0.000000" → "0". */
function plainUsd(s: string): string {
  const t = s.includes('.') ? trimTrailingZeros(s) : s
  return t.endsWith('.') ? t.slice(0, -1) : t
}

/** The upstream's headers a client may see. */
function passHeaders(res: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(res.headers)) {
    if (v === undefined || !FORWARD_RESPONSE.test(k)) continue
    out[k] = Array.isArray(v) ? v.join(', ') : v
  }
  return out
}

export async function handleGateway(req: TGatewayRequest): Promise<TGatewayResponse> {
  const family = PROTOCOLS[req.protocol].family
  try {
    const known = authenticate(req.headers, req.client)
    const key = known instanceof Promise ? await known : known
    if (req.body.byteLength > GATEWAY_MAX_BODY_BYTES) throw new GatewayError(413, `The body exceeds the limit of ${GATEWAY_MAX_BODY_BYTES} bytes`)
    const body = parseJsonBytes(req.body)
    const info = requestInfo(req.protocol, body)
    if (!info.ok) throw new GatewayError(400, info.message)
    const attribution = attributionOf(req.headers)
    const metadata = metadataOf(req.headers, req.protocol)
    const eventId = header(req.headers, 'x-outlay-event-id', 120) ?? `gw_${randomUUID()}`
    const call: TGatewayCall = {
      orgId: key.orgId,
      protocol: req.protocol,
      requestedModel: info.info.model,
      maxTokens: info.info.maxTokens,
      stream: info.info.stream,
      inputHash: inputHash(req.protocol, body as Record<string, unknown>),
      attribution,
      headers: req.headers,
    }
    return await asOrg(key.orgId, () => carryOut(req, call, body as Record<string, unknown>, key, eventId, metadata))
  } catch (e) {
    if (e instanceof GatewayError) return errorAnswer(family, e.status, e.message, e.headers)
    if (e instanceof AppError) return errorAnswer(family, e.httpStatus, e.message, e.headers)
    log({ component: 'gateway' }).error({ err: e }, 'unexpected error')
    return errorAnswer(family, 500, 'Internal error in the Outlay gateway')
  }
}

type TCtx = {
  req: TGatewayRequest
  call: TGatewayCall
  key: TKeyPrincipal
  eventId: string
  metadata: Record<string, string>
  upstream: TUpstream
}

/** The event of one attempt, in the ingest contract's fields. */
function attemptEvent(
  c: TCtx,
  n: number,
  model: string,
  maxTokens: number | null,
  startedAt: Date,
  outcome: string,
  latencyMs: number,
  usage: TUsageFields | null,
  output: string | null,
): TGatewayEvent {
  const a = c.call.attribution
  const ev: TGatewayEvent = {
    id: n === 1 ? c.eventId : `${c.eventId}.${n}`,
    timestamp: startedAt.toISOString(),
    environment: a.environment ?? c.key.defaultEnvironment ?? 'production',
    traffic_source: a.trafficSource ?? 'production',
    workflow_id: a.workflowId ?? UNLABELED,
    step: a.step ?? UNLABELED,
    call_type: PROTOCOLS[c.call.protocol].callType,
    provider: c.upstream.provider,
    model,
    outcome,
    attempt: n,
    latency_ms: latencyMs,
    input_hash: c.call.inputHash,
    metadata: c.metadata,
  }
  if (a.runId) ev.run_id = a.runId
  if (a.feature) ev.feature = a.feature
  if (a.scenarioId) ev.scenario_id = a.scenarioId
  if (a.owner) ev.owner = a.owner
  if (a.accountId) ev.account_id = a.accountId
  if (a.userId) ev.user_id = a.userId
  if (a.promptVersion) ev.prompt_version = a.promptVersion
  if (maxTokens !== null) ev.max_tokens = maxTokens
  if (usage) {
    ev.tokens_in = usage.tokens_in
    ev.cached_tokens_in = usage.cached_tokens_in
    ev.cache_write_tokens = usage.cache_write_tokens
    ev.tokens_out = usage.tokens_out
  }
  if (output !== null) ev.output_hash = sha256(output)
  return ev
}

/**
 * The event's price with the organization's prices, as the ingest worker will compute it; null when unpriced (or
 * when the price book cannot be read). From the book in memory without a promise (a stale copy while one re-read
 * runs): not a PostgreSQL read per call when the cache expires.
 */
function priceOf(orgId: string, ev: TGatewayEvent): string | null | Promise<string | null> {
  const book = priceBookNow(orgId)
  if (!book)
    return priceBook(orgId)
      .then((b) => priceWith(b, ev))
      .catch(() => null) // unpriced, as a book that cannot be read or a price that fails: the call is answered
  try {
    return priceWith(book, ev)
  } catch {
    return null
  }
}

function priceWith(book: PriceBook, ev: TGatewayEvent): string | null {
  const r = book.price({
    provider: ev.provider as string,
    model: ev.model as string,
    timestamp: new Date(ev.timestamp as string),
    requests: 1,
    tokens_in: (ev.tokens_in as number | undefined) ?? 0,
    cached_tokens_in: (ev.cached_tokens_in as number | undefined) ?? 0,
    cache_write_tokens: (ev.cache_write_tokens as number | undefined) ?? 0,
    tokens_out: (ev.tokens_out as number | undefined) ?? 0,
  })
  return r.priced ? r.cost_usd : null
}

async function carryOut(
  req: TGatewayRequest,
  call: TGatewayCall,
  body: Record<string, unknown>,
  key: TKeyPrincipal,
  eventId: string,
  metadata: Record<string, string>,
): Promise<TGatewayResponse> {
  const family = PROTOCOLS[call.protocol].family
  // From this process's memory when it holds the organization's upstreams, policies, gates and leases (no promise: each
  // pays Node 20's AsyncLocalStorage hooks on this hot path); read from PostgreSQL or Redis when it does not.
  const named = header(req.headers, 'x-outlay-provider', 64)
  const requestKey = header(req.headers, 'x-outlay-upstream-key', 4096)
  const held = upstreamForNow(key.orgId, family, named, requestKey)
  const upstream = held === undefined ? await upstreamFor(key.orgId, family, named, requestKey) : held
  if (!upstream) {
    throw new GatewayError(
      400,
      `No ${family} upstream is configured for this organization: add one in Settings › Gateway (PUT /api/v1/gateway/providers), or send the provider's key in x-outlay-upstream-key`,
    )
  }
  const plan = planCallNow(call) ?? (await planCall(call))
  if (plan.kind === 'deny') return errorAnswer(family, plan.status, plan.message, plan.headers)
  const c: TCtx = { req, call, key, eventId, metadata, upstream }
  if (plan.kind === 'cached') {
    // Answered without going upstream: the event says so (PRODUCT.md: response_cache_hit, cost 0 — the ingest worker
    // prices it so —, the savings the original call's cost, every attempt of it).
    const ev = attemptEvent(
      c,
      1,
      answerModel(call.protocol, plan.body) ?? call.requestedModel,
      call.maxTokens,
      new Date(),
      'success',
      0,
      null,
      outputText(call.protocol, plan.body),
    )
    ev.response_cache_hit = true
    if (plan.savingsMicros !== null) ev.response_cache_savings_usd = plainUsd(fromScaled(plan.savingsMicros, 6))
    recordGatewayEvent(key.orgId, ev)
    return {
      status: 200,
      headers: { 'content-type': JSON_TYPE, 'x-outlay-event-id': ev.id, 'x-outlay-model': ev.model as string, 'x-outlay-cost-usd': '0', ...plan.headers },
      body: Buffer.from(JSON.stringify(plan.body)),
    }
  }

  const e = env()
  const url = new URL(upstream.baseUrl.replace(/\/+$/, '') + PROTOCOLS[call.protocol].path)
  const upstreamHeaders: Record<string, string> = {
    'content-type': JSON_TYPE,
    accept: req.headers.get('accept') ?? (call.stream ? 'text/event-stream' : JSON_TYPE),
    'accept-encoding': 'identity',
  }
  req.headers.forEach((v, k) => {
    if (FORWARD_REQUEST.test(k)) upstreamHeaders[k] = v
  })
  if (family === 'anthropic') {
    upstreamHeaders['x-api-key'] = upstream.apiKey
    upstreamHeaders['anthropic-version'] ??= '2023-06-01'
  } else upstreamHeaders.authorization = `Bearer ${upstream.apiKey}`
  // Every attempt after the first sends another model (each model once): the client's idempotency key named the first request.
  const headersFor = (n: number): Record<string, string> => {
    if (n === 1 || upstreamHeaders['idempotency-key'] === undefined) return upstreamHeaders
    const { 'idempotency-key': _named, ...rest } = upstreamHeaders
    return rest
  }

  // The call's cost so far, every attempt's, exact (COST_SCALE); unpriced once an attempt that spent tokens had no price.
  let spent = 0n
  let unpriced = false
  // The ledger's settlement: in memory on a leased reservation; a run cap's goes to Redis, and the answer does not wait
  // for it (this process's next command queues behind it on the same connection). It logs its own failure.
  const settle = () => {
    if (!plan.settle) return
    const failed = (err: unknown) => log({ component: 'gateway' }).warn({ err }, 'settle failed')
    try {
      const p = plan.settle(unpriced ? null : rescale(spent, COST_SCALE, 6))
      if (p) p.catch(failed)
    } catch (err) {
      failed(err)
    }
  }
  const count = (usd: string | null, usage: TUsageFields | null) => {
    if (usd !== null) spent += toScaled(usd, COST_SCALE)
    else if (usage) unpriced = true
  }

  /** One upstream attempt: its request (cut when the client goes away, or at the total timeout) and its event. */
  const begin = (attempt: TPlannedAttempt, n: number) => {
    const startedAt = new Date()
    const t0 = performance.now()
    const { body: sent, stripUsage } = attemptBody(call.protocol, body, attempt.model, attempt.maxTokens, call.stream)
    const ac = new AbortController()
    const onClientGone = () => ac.abort(req.signal.reason ?? new Error('the client went away'))
    if (req.signal.aborted) onClientGone()
    req.signal.addEventListener('abort', onClientGone, { once: true })
    const total = setTimeout(() => ac.abort(new UpstreamTimeout('total', e.GATEWAY_TOTAL_TIMEOUT_MS)), e.GATEWAY_TOTAL_TIMEOUT_MS)
    const done = () => {
      clearTimeout(total)
      req.signal.removeEventListener('abort', onClientGone)
    }
    const record = (outcome: string, usage: TUsageFields | null, output: string | null, model = attempt.model) => {
      const ev = attemptEvent(c, n, model, attempt.maxTokens, startedAt, outcome, elapsed(t0), usage, output)
      recordGatewayEvent(key.orgId, ev)
      return ev
    }
    const request = () =>
      requestUpstream(url, headersFor(n), Buffer.from(JSON.stringify(sent)), {
        signal: ac.signal,
        firstByteMs: e.GATEWAY_FIRST_BYTE_TIMEOUT_MS,
        allowPrivate: e.ALLOW_PRIVATE_UPSTREAMS,
      })
    return { ac, done, record, request, stripUsage }
  }
  type TAttempt = ReturnType<typeof begin>

  /** A non-streamed answer, read whole and measured as its attempt's event (tokens, price). */
  type TAnswer = { status: number; res: IncomingMessage; raw: Buffer; answer: unknown; model: string; ev: TGatewayEvent; usd: string | null }
  const measure = (x: TAttempt, attempt: TPlannedAttempt, status: number, res: IncomingMessage, raw: Buffer): TAnswer | Promise<TAnswer> => {
    let answer: unknown = null
    try {
      answer = JSON.parse(raw.toString('utf8'))
    } catch {
      // not JSON: passed on as it came, measured without usage
    }
    const usage = answerUsage(call.protocol, answer)
    const model = answerModel(call.protocol, answer) ?? attempt.model
    const ev = x.record(attempt.outcomeIfSucceeds, usage, outputText(call.protocol, answer), model)
    const priced = usage ? priceOf(key.orgId, ev) : null
    const answered = (usd: string | null): TAnswer => {
      count(usd, usage)
      return { status, res, raw, answer, model, ev, usd }
    }
    return priced instanceof Promise ? priced.then(answered) : answered(priced)
  }

  /**
   * The cascade's next step after an answer to the model `asked` (the ladder's name for it, not the dated name
   * the upstream may answer with): null keeps the answer. Only a generation's answer has a confidence to read.
   */
  const escalation = (a: TAnswer, asked: string): TPlannedAttempt | null =>
    plan.cascade && a.answer !== null && PROTOCOLS[call.protocol].callType === 'generation' ? shouldEscalate(plan, a.answer, asked) : null

  /** One escalation: null when it failed (its event says `error`; the call keeps the answer it has). */
  const escalate = async (attempt: TPlannedAttempt, n: number): Promise<TAnswer | null> => {
    const x = begin(attempt, n)
    let res: IncomingMessage
    let raw: Buffer
    try {
      res = await x.request()
      raw = await readAll(res)
    } catch {
      x.done()
      x.record('error', null, null)
      return null
    }
    x.done()
    const status = res.statusCode ?? 502
    if (status < 200 || status >= 300) {
      x.record('error', null, null)
      return null
    }
    return measure(x, attempt, status, res, raw)
  }

  for (const [i, attempt] of plan.attempts.entries()) {
    const n = i + 1
    const last = i === plan.attempts.length - 1
    const x = begin(attempt, n)
    const { ac, done, record, stripUsage } = x

    let res: IncomingMessage
    try {
      res = await x.request()
    } catch (err) {
      done()
      if (req.signal.aborted) {
        record('error', null, null)
        settle()
        return errorAnswer(family, 499 as number, 'The client closed the request')
      }
      record(last ? 'error' : 'retry', null, null)
      if (!last) continue
      settle()
      if (err instanceof UpstreamTimeout) return errorAnswer(family, 504, `Outlay gateway: ${err.message}`)
      return errorAnswer(family, 502, `Outlay gateway: the upstream could not be reached: ${(err as Error).message}`)
    }

    const status = res.statusCode ?? 502
    if (status < 200 || status >= 300) {
      // the upstream's error, unchanged (status and body) — unless another attempt may still answer
      const failedBody = await readAll(res).catch(() => Buffer.alloc(0))
      done()
      const retryable = status === 429 || status >= 500
      record(retryable && !last ? 'retry' : 'error', null, null)
      if (retryable && !last) continue
      settle()
      return { status, headers: { ...passHeaders(res), ...plan.headers }, body: failedBody }
    }

    const isStream = call.stream && /text\/event-stream/i.test(String(res.headers['content-type'] ?? ''))
    if (!isStream) {
      let raw: Buffer
      try {
        raw = await readAll(res)
      } catch (err) {
        done()
        record('error', null, null)
        settle()
        if (req.signal.aborted) return errorAnswer(family, 499 as number, 'The client closed the request')
        if (ac.signal.reason instanceof UpstreamTimeout) return errorAnswer(family, 504, `Outlay gateway: ${ac.signal.reason.message}`)
        return errorAnswer(family, 502, `Outlay gateway: the upstream answer broke off: ${(err as Error).message}`)
      }
      done()
      const measured = measure(x, attempt, status, res, raw)
      let final = measured instanceof Promise ? await measured : measured
      // The cascade: a low-confidence answer of the selected model goes one model up the ladder (attempt n + 1,
      // outcome escalation), again with that model's answer, until one is confident enough or the ladder ends. The
      // client gets the last. A fallback's answer is kept: the ladder starts at the selected model, which failed.
      let asked = attempt.model
      let m = n
      const rungs = n === 1 ? (plan.cascade?.ladder.length ?? 0) : 0
      for (let next = escalation(final, asked); next && m - n < rungs; next = escalation(final, asked)) {
        const better = await escalate(next, ++m)
        if (!better) break
        final = better
        asked = next.model
      }
      const callMicros = unpriced ? null : rescale(spent, COST_SCALE, 6)
      // The cache store and the ledger's settlement are sent now, but the answer does not wait for Redis to confirm
      // them: this process's later commands (the next call's reservation or cache read) queue behind them on the
      // same connection, and neither changes what the client gets. Both log their own failure.
      if (plan.cacheTtlS !== null && final.answer !== null) {
        // what a hit saves: this call's cost, every attempt's
        void storeCached(key.orgId, call.inputHash, plan.cacheTtlS, final.answer, callMicros).catch((err) =>
          log({ component: 'gateway' }).warn({ err }, 'cache store failed'),
        )
      }
      settle()
      const headers: Record<string, string> = { ...passHeaders(final.res), ...plan.headers, 'x-outlay-event-id': final.ev.id, 'x-outlay-model': final.model }
      // the call's cost: every attempt's (an escalated call paid for the answer it did not keep)
      if (final.usd !== null && !unpriced) headers['x-outlay-cost-usd'] = plainUsd(fromScaled(spent, COST_SCALE))
      return { status: final.status, headers, body: final.raw }
    }

    // A stream: the status and headers now (the cost is not known yet: no x-outlay-cost-usd), then each event as it comes.
    // A streamed answer is passed on as it comes, so it is never escalated.
    const orgId = key.orgId
    const reader = new StreamReader(call.protocol, stripUsage)
    const splitter = new SseSplitter()
    async function* pass(): AsyncGenerator<Uint8Array> {
      let finished = false
      try {
        for await (const chunk of res as AsyncIterable<Buffer>) {
          const events = splitter.push(chunk)
          if (!stripUsage) {
            for (const x of events) reader.event(x.name, x.data)
            yield chunk
            continue
          }
          let out = ''
          for (const x of events) if (!reader.event(x.name, x.data)) out += x.raw
          if (out) yield Buffer.from(out)
        }
        const rest = splitter.rest()
        if (stripUsage && rest) yield Buffer.from(rest)
        finished = !ac.signal.aborted
      } finally {
        done()
        if (!finished) res.destroy()
        const usage = reader.usage()
        const model = reader.model ?? attempt.model
        await asOrg(orgId, async () => {
          const ev = record(finished && !reader.failed ? attempt.outcomeIfSucceeds : 'error', usage, reader.output(), model)
          const usd = usage ? await priceOf(orgId, ev) : null
          count(usd, usage)
          settle()
        })
      }
    }
    const headers = {
      ...passHeaders(res),
      ...plan.headers,
      'x-outlay-event-id': n === 1 ? eventId : `${eventId}.${n}`,
      'x-outlay-model': attempt.model,
      'cache-control': 'no-cache',
    }
    return { status, headers, body: pass() }
  }
  // planCall gave no attempt
  settle()
  return errorAnswer(family, 500, 'Outlay gateway: the call plan has no attempt')
}
