import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import { once } from 'node:events'
import { AppError } from '@/lib/errors'
import { readLimited } from '@/lib/http/body'
import { clientAddress, clientAddressOf } from '@/lib/http/client-address'
import { apiSecurityHeaders, servedOverHttps } from '@/lib/http/security-headers'
import { env } from '@/lib/env'
import { log } from '@/lib/log'
import type { TGatewayProtocol, THeaderReader } from '@/lib/gateway/control'
import { handleGateway, type TGatewayResponse } from '@/lib/gateway/pipeline'
import { GATEWAY_MAX_BODY_BYTES } from '@/lib/gateway/schema'
import type { TEndpointSpec } from '@/lib/http/endpoint'
import type { TDeclaredRoute } from '@/lib/http/route'
import { PROTOCOLS, providerError } from '@/lib/gateway/protocols'

// The gateway's two doors, one pipeline (lib/gateway/pipeline.ts): the
// Next.js route handlers (app/api/v1/gateway/…), and server.ts's fast path,
// which answers the same paths before Next.js's request pipeline. Both cut
// the upstream call when the client goes away.

export const GATEWAY_ROUTES: ReadonlyMap<string, TGatewayProtocol> = new Map([
  ['/api/v1/gateway/openai/v1/chat/completions', 'openai-chat'],
  ['/api/v1/gateway/openai/v1/responses', 'openai-responses'],
  ['/api/v1/gateway/openai/v1/embeddings', 'openai-embeddings'],
  ['/api/v1/gateway/anthropic/v1/messages', 'anthropic-messages'],
])

const tooLarge = (protocol: TGatewayProtocol, message: string): TGatewayResponse => ({
  status: 413,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(providerError(PROTOCOLS[protocol].family, 413, message))),
})

// ─── Next.js ──────────────────────────────────────────────────────────────────

/** A route handler for one gateway endpoint, carrying its declaration (lib/gateway/api.ts) for the contract test and the OpenAPI document. */
export function gatewayRoute<E extends TEndpointSpec>(protocol: TGatewayProtocol, spec: E): TDeclaredRoute<E> {
  const route = async (req: Request): Promise<Response> => {
    let body: Uint8Array
    try {
      body = await readLimited(req, GATEWAY_MAX_BODY_BYTES)
    } catch (e) {
      return toResponse(tooLarge(protocol, e instanceof AppError ? e.message : 'The body could not be read'))
    }
    const r = await handleGateway({ protocol, headers: req.headers, body, signal: req.signal, client: clientAddress(req.headers) })
    return toResponse(r)
  }
  return Object.assign(route, { endpoint: spec })
}

function toResponse(r: TGatewayResponse): Response {
  if (r.body instanceof Uint8Array) return new Response(r.body as Uint8Array<ArrayBuffer>, { status: r.status, headers: r.headers })
  const it = r.body[Symbol.asyncIterator]()
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { value, done } = await it.next()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    // the client went away mid-stream: end the pipeline's loop, which cuts the upstream request
    async cancel() {
      await it.return?.(undefined)
    },
  })
  return new Response(stream, { status: r.status, headers: r.headers })
}

// ─── the fast path (server.ts) ────────────────────────────────────────────────

/** The gateway endpoint of a request, or null: a POST to one of GATEWAY_ROUTES' paths (query string ignored). */
export function gatewayRouteFor(req: IncomingMessage): TGatewayProtocol | null {
  if (req.method !== 'POST') return null
  const url = req.url ?? ''
  const q = url.indexOf('?')
  return GATEWAY_ROUTES.get(q < 0 ? url : url.slice(0, q)) ?? null
}

/**
 * The request's headers as the pipeline reads them, straight from Node.js's parsed object (names already lower
 * case, repeated headers already joined): a fetch Headers built per call cost more than the reads it serves.
 */
class NodeHeaders implements THeaderReader {
  constructor(private readonly h: IncomingHttpHeaders) {}
  get(name: string): string | null {
    const v = this.h[name.toLowerCase()]
    return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v
  }
  forEach(fn: (value: string, name: string) => void): void {
    for (const [k, v] of Object.entries(this.h)) if (v !== undefined) fn(Array.isArray(v) ? v.join(', ') : v, k)
  }
}

/** Answer a gateway request on the plain Node.js server, streaming the answer as it comes. */
export function serveGateway(req: IncomingMessage, res: ServerResponse, protocol: TGatewayProtocol): void {
  const ac = new AbortController()
  // 'close' before the answer ended: the client went away
  res.on('close', () => {
    if (!res.writableFinished) ac.abort(new Error('the client went away'))
  })
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > GATEWAY_MAX_BODY_BYTES) {
    req.resume()
    void send(req, res, tooLarge(protocol, `Body is ${declared} bytes; the limit is ${GATEWAY_MAX_BODY_BYTES} bytes`), ac.signal)
    return
  }
  const chunks: Buffer[] = []
  let size = 0
  req.on('data', (c: Buffer) => {
    size += c.length
    if (size <= GATEWAY_MAX_BODY_BYTES) chunks.push(c)
  })
  req.on('error', () => res.destroy())
  req.on('end', () => {
    if (size > GATEWAY_MAX_BODY_BYTES) return void send(req, res, tooLarge(protocol, `Body exceeds the limit of ${GATEWAY_MAX_BODY_BYTES} bytes`), ac.signal)
    handleGateway({ protocol, headers: new NodeHeaders(req.headers), body: Buffer.concat(chunks, size), signal: ac.signal, client: clientAddressOf(req) })
      .then((r) => send(req, res, r, ac.signal))
      .catch((e) => {
        log({ component: 'gateway' }).error({ err: e }, 'unexpected error')
        if (!res.headersSent)
          send(
            req,
            res,
            {
              status: 500,
              headers: { 'content-type': 'application/json' },
              body: Buffer.from(JSON.stringify(providerError(PROTOCOLS[protocol].family, 500, 'Internal error in the Outlay gateway'))),
            },
            ac.signal,
          )
        else res.destroy()
      })
  })
}

// built once: every answer carries them
const SECURITY = { http: Object.freeze(apiSecurityHeaders({ https: false })), https: Object.freeze(apiSecurityHeaders({ https: true })) }

/** Write an answer: a whole body at once (no promise), a stream as it comes (sendStream). */
function send(req: IncomingMessage, res: ServerResponse, r: TGatewayResponse, signal: AbortSignal): void | Promise<void> {
  const forwardedProto = req.headers['x-forwarded-proto']
  const security = SECURITY[servedOverHttps(Array.isArray(forwardedProto) ? forwardedProto[0] : forwardedProto, env().NEXTAUTH_URL) ? 'https' : 'http']
  if (!(r.body instanceof Uint8Array)) return sendStream(res, r.status, r.headers, security, r.body, signal)
  if (signal.aborted) return
  res.writeHead(r.status, { ...security, ...r.headers, 'content-length': r.body.byteLength })
  res.end(r.body)
}

async function sendStream(
  res: ServerResponse,
  status: number,
  headers: Record<string, string>,
  security: Readonly<Record<string, string>>,
  body: AsyncIterable<Uint8Array>,
  signal: AbortSignal,
): Promise<void> {
  const it = body[Symbol.asyncIterator]()
  res.writeHead(status, { ...security, ...headers })
  res.flushHeaders()
  try {
    for (;;) {
      if (signal.aborted) break
      const { value, done } = await it.next()
      if (done) break
      if (!res.write(value)) await Promise.race([once(res, 'drain'), once(res, 'close')])
    }
  } catch {
    // the upstream broke off mid-stream: the client sees the stream end early
    res.destroy()
    return
  } finally {
    await it.return?.(undefined)
  }
  if (signal.aborted) res.destroy()
  else res.end()
}
