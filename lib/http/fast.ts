import 'server-only'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { AppError, errorToResponse, forbidden, unauthorized } from '@/lib/errors'
import { bodyEncoding, compressedLimit, gunzipLimited, parseJsonBytes, type TBodyEncoding } from '@/lib/http/body'
import { authenticateApiKey, cachedApiKey, type TKeyPrincipal, type TKeyScope } from '@/lib/auth/api-keys'
import { asOrg } from '@/lib/db'
import { clientAddressOf } from '@/lib/http/client-address'
import { apiSecurityHeaders, servedOverHttps } from '@/lib/http/security-headers'
import { env } from '@/lib/env'
import { REQUEST_ID_HEADER, requestIdFrom } from '@/lib/http/request-id'
import { log, logUnexpected, withLogContext } from '@/lib/log'
import type { TEndpointSpec } from '@/lib/http/endpoint'
import { answerProblem, checkingAnswers } from '@/lib/http/contract-check'

// The web server's fast paths (server.ts): API-key calls to the hottest
// endpoints — ingest and decide, made by our customers' services thousands of
// times a second — answered before Next.js's request pipeline, which costs
// several times the work itself. Plain data in and out; the Next.js routes
// run the same functions, so both paths answer alike.

export type TPlainResponse = { status: number; body: unknown; headers?: Record<string, string> }

const BEARER = /^Bearer\s+(\S+)$/i
const JSON_CONTENT = /^application\/json\b/i

/**
 * The API key of a "Bearer <key>" header, checked for the scope (401 / 403
 * otherwise; 429 once `client`, an address, sent too many invalid keys).
 */
export async function keyFromAuthorization(authorization: string, scope: TKeyScope | undefined, client: string): Promise<TKeyPrincipal> {
  const m = BEARER.exec(authorization)
  if (!m) throw unauthorized('Authorization header must be "Bearer <api key>"')
  const key = await authenticateApiKey(m[1], client)
  if (!scope) throw forbidden('This endpoint needs a signed-in session, not an API key')
  if (!key.scopes.includes(scope)) throw forbidden(`This API key lacks the "${scope}" scope`)
  return key
}

/**
 * An API-key request with a JSON body (at most the endpoint's limit, checked
 * by the caller while reading): authenticate, check the content type, parse,
 * then `answer`; any error becomes its response.
 */
export async function answerWithKey(
  authorization: string,
  contentType: string | undefined,
  bytes: Uint8Array,
  scope: TKeyScope,
  answer: (key: TKeyPrincipal, body: unknown) => Promise<TPlainResponse>,
  client: string,
): Promise<TPlainResponse> {
  try {
    const key = await keyFromAuthorization(authorization, scope, client)
    if (!JSON_CONTENT.test(contentType ?? '')) throw new AppError('unsupported_media_type', 415, 'Content-Type must be application/json')
    const body = parseJsonBytes(bytes)
    return await asOrg(key.orgId, () => answer(key, body))
  } catch (e) {
    return plainError(e)
  }
}

/**
 * answerWithKey without a promise, for an answer this process's memory holds: a cached key with `scope`, a JSON
 * body, and `answer`'s response. Undefined whenever anything more is needed — a read, a refusal, an error — and
 * answerWithKey then answers (a promise costs the whole process: every one pays for AsyncLocalStorage's hooks).
 * No tenant scope is entered: `answer` reads no database.
 */
export function answerWithKeyNow(
  authorization: string,
  contentType: string | undefined,
  bytes: Uint8Array,
  scope: TKeyScope,
  answer: (key: TKeyPrincipal, body: unknown) => TPlainResponse | undefined,
): TPlainResponse | undefined {
  const m = BEARER.exec(authorization)
  const key = m ? cachedApiKey(m[1]) : undefined
  if (!key || !key.scopes.includes(scope) || !JSON_CONTENT.test(contentType ?? '')) return undefined
  let body: unknown
  try {
    body = parseJsonBytes(bytes)
  } catch {
    return undefined
  }
  return answer(key, body)
}

export type TFastRoute = {
  /** the endpoint's declaration (lib/<capability>/api.ts): outside production its answers are checked against it, as withOrg does */
  endpoint?: TEndpointSpec
  /** the endpoint's body limit, as its Next.js route's (its declaration's) */
  maxBytes: number
  /** `client`: the caller's address (clientAddressOf), for the throttle on invalid keys */
  answer: (authorization: string, contentType: string | undefined, bytes: Uint8Array, client: string) => Promise<TPlainResponse>
  /** the same answer when it needs nothing but this process's memory, without a promise; undefined: `answer` gives it */
  answerNow?: (authorization: string, contentType: string | undefined, bytes: Uint8Array) => TPlainResponse | undefined
}

/** The fast route for a request: a POST with an Authorization header to one of `routes`' paths (query string ignored); else null. */
export function fastRouteFor(req: IncomingMessage, routes: ReadonlyMap<string, TFastRoute>): TFastRoute | null {
  if (req.method !== 'POST' || !req.headers.authorization) return null
  const url = req.url ?? ''
  const q = url.indexOf('?')
  return routes.get(q < 0 ? url : url.slice(0, q)) ?? null
}

// These answers never pass through proxy.ts: they carry the same API security headers themselves. Built once
// (thousands of answers a second: an answer allocates only its body and its length).
const JSON_TYPE = 'application/json; charset=utf-8'
const HEADERS = {
  http: Object.freeze({ ...apiSecurityHeaders({ https: false }), 'content-type': JSON_TYPE }),
  https: Object.freeze({ ...apiSecurityHeaders({ https: true }), 'content-type': JSON_TYPE }),
}

function send(req: IncomingMessage, res: ServerResponse, r: TPlainResponse): void {
  const body = JSON.stringify(r.body)
  const forwardedProto = req.headers['x-forwarded-proto']
  const https = servedOverHttps(Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto, env().NEXTAUTH_URL)
  res.writeHead(r.status, { ...HEADERS[https ? 'https' : 'http'], 'content-length': Buffer.byteLength(body), ...r.headers })
  res.end(body)
}

/**
 * An API path with an empty segment (`/api/v1/policies//publish`, a trailing `/`): no endpoint has one, but
 * Next.js would answer it with a 308 redirect to the path without the slash, which no API client expects and the
 * API's description does not declare. server.ts answers it 404 here instead, in the error shape of every API answer.
 */
export function apiPathWithEmptySegment(req: IncomingMessage): boolean {
  const url = req.url ?? ''
  const q = url.indexOf('?')
  const path = q < 0 ? url : url.slice(0, q)
  return path.startsWith('/api/') && (path.endsWith('/') || path.includes('//'))
}

/** The 404 for apiPathWithEmptySegment. */
export function serveEmptySegment(req: IncomingMessage, res: ServerResponse): void {
  send(req, res, {
    status: 404,
    body: { error: { code: 'not_found', message: `No API endpoint has an empty path segment: ${(req.url ?? '').split('?')[0]}` } },
  })
}

let checking: boolean | undefined
/** Whether answers are checked against their declarations (lib/http/contract-check.ts), read once: production skips it. */
const checkAnswers = () => (checking ??= checkingAnswers())

/** The answer, or a 500 that says how it breaks its endpoint's declaration (as withOrg's check). */
export function checkedAnswer(spec: TEndpointSpec, r: TPlainResponse): TPlainResponse {
  // as the client will read it: fields whose value is undefined are left out
  const problem = answerProblem(spec, r.status, 'application/json', JSON.parse(JSON.stringify(r.body ?? null)))
  if (!problem) return r
  console.error(`[contract] ${spec.method} ${spec.path} (fast path) answered ${r.status}, which does not match its declaration: ${problem}`)
  return { status: 500, body: { error: { code: 'internal', message: `The answer does not match its declared schema: ${problem}` } } }
}

const tooLarge = (message: string): TPlainResponse => ({ status: 413, body: { error: { code: 'payload_too_large', message } } })

/** Read the body (413 past the route's limit, as readJson does), answer, send. */
export function serveFast(req: IncomingMessage, res: ServerResponse, route: TFastRoute): void {
  // As withOrg's (lib/http/request-id.ts): the id on the answer and on the lines logged while answering.
  const requestId = requestIdFrom(req.headers[REQUEST_ID_HEADER])
  res.setHeader(REQUEST_ID_HEADER, requestId)
  let encoding: TBodyEncoding
  try {
    encoding = bodyEncoding(req.headers['content-encoding'])
  } catch (e) {
    req.resume()
    return send(req, res, plainError(e))
  }
  // a gzip body's limit applies once decompressed (as the Next.js routes' readJson)
  const wireLimit = encoding ? compressedLimit(route.maxBytes) : route.maxBytes
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > wireLimit) {
    req.resume()
    return send(req, res, tooLarge(`Body is ${declared} bytes; the limit is ${route.maxBytes} bytes`))
  }
  const chunks: Buffer[] = []
  let size = 0
  req.on('data', (c: Buffer) => {
    size += c.length
    if (size <= wireLimit) chunks.push(c)
  })
  const answered = (r: TPlainResponse) => send(req, res, route.endpoint && checkAnswers() ? checkedAnswer(route.endpoint, r) : r)
  const answer = (bytes: Uint8Array) => {
    let now: TPlainResponse | undefined
    try {
      now = route.answerNow?.(req.headers.authorization!, req.headers['content-type'], bytes)
    } catch {
      now = undefined // the promised path answers, and logs what broke
    }
    if (now) return answered(now)
    withLogContext({ request_id: requestId }, () => route.answer(req.headers.authorization!, req.headers['content-type'], bytes, clientAddressOf(req))).then(
      answered,
      (err: unknown) => {
        withLogContext({ request_id: requestId }, () => log({ component: 'http' }).error({ err }, 'fast path failed'))
        send(req, res, { status: 500, body: { error: { code: 'internal', message: 'Internal error' } } })
      },
    )
  }
  req.on('end', () => {
    if (size > wireLimit) return send(req, res, tooLarge(`Body exceeds the limit of ${route.maxBytes} bytes`))
    const bytes = Buffer.concat(chunks, size)
    if (!encoding) return answer(bytes)
    gunzipLimited(bytes, route.maxBytes).then(answer, (e: unknown) => answered(plainError(e)))
  })
  req.on('error', () => res.destroy())
}

/** An error (AppError: its status and message) as a plain answer. */
function plainError(e: unknown): TPlainResponse {
  const r = errorToResponse(e, logUnexpected)
  return { status: r.status, body: r.body, headers: r.headers }
}
