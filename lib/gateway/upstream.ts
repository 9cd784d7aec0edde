import http, { type IncomingMessage } from 'node:http'
import { finished } from 'node:stream'
import https from 'node:https'
import type { LookupOptions } from 'node:dns'
import { guardedLookup, literalTargetProblem } from '@/lib/notifications/ssrf'
import { UPSTREAMS } from '@/lib/gateway/providers'

// One request to an upstream provider, on kept-alive connections. The
// connection goes only to an address guardedLookup checked (unless
// ALLOW_PRIVATE_UPSTREAMS): a name re-pointed at a private address after the
// provider was configured is refused here too. Cut when `signal` aborts (the
// client left, or the call's total timeout) and when no status line and
// headers arrived within firstByteMs.

const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 512, keepAliveMsecs: 10_000 }),
}

export class UpstreamTimeout extends Error {
  constructor(
    public readonly phase: 'first_byte' | 'total',
    ms: number,
  ) {
    super(phase === 'first_byte' ? `the upstream did not answer within ${ms / 1000} s` : `the upstream call did not finish within ${ms / 1000} s`)
    this.name = 'UpstreamTimeout'
  }
}

const upstreamLookup = (hostname: string, options: LookupOptions, cb: Parameters<typeof guardedLookup>[2]) => guardedLookup(hostname, options, cb, UPSTREAMS)

/** The upstream's answer (status, headers, body as it streams), or a rejection: timeout, refused address, network error, abort. */
export function requestUpstream(
  url: URL,
  headers: Record<string, string>,
  body: Uint8Array,
  opts: { signal: AbortSignal; firstByteMs: number; allowPrivate: boolean },
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const literal = literalTargetProblem(url, opts.allowPrivate, UPSTREAMS)
    if (literal) return reject(literal)
    if (opts.signal.aborted) return reject(opts.signal.reason)
    const isHttps = url.protocol === 'https:'
    const req = (isHttps ? https : http).request(url, {
      method: 'POST',
      agent: isHttps ? agents.https : agents.http,
      headers: { ...headers, 'content-length': String(body.byteLength) },
      lookup: opts.allowPrivate ? undefined : upstreamLookup,
    })
    const timer = setTimeout(() => req.destroy(new UpstreamTimeout('first_byte', opts.firstByteMs)), opts.firstByteMs)
    const onAbort = () => req.destroy(opts.signal.reason instanceof Error ? opts.signal.reason : new Error('aborted'))
    opts.signal.addEventListener('abort', onAbort, { once: true })
    req.on('response', (res) => {
      clearTimeout(timer)
      // from here the caller reads the body; an abort still ends it (req.destroy destroys the response too)
      res.once('close', () => opts.signal.removeEventListener('abort', onAbort))
      resolve(res)
    })
    req.on('error', (e) => {
      clearTimeout(timer)
      opts.signal.removeEventListener('abort', onAbort)
      reject(e)
    })
    req.end(body)
  })
}

/**
 * The whole body of an answer (an error, or a call that did not stream). Read by its events, not an async iterator:
 * one promise a call instead of several per chunk (each pays Node 20's AsyncLocalStorage hooks on this hot path).
 */
export function readAll(res: IncomingMessage, maxBytes = 64 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    let tooLarge: Error | null = null
    res.on('data', (c: Buffer) => {
      if (tooLarge) return
      size += c.length
      if (size <= maxBytes) return void chunks.push(c)
      tooLarge = new Error(`the upstream answer is larger than ${maxBytes} bytes`)
      res.destroy(tooLarge)
    })
    // the end of the body, or its error, or the connection closed before the end (an abort, a reset)
    finished(res, (err) => (err || tooLarge ? reject(tooLarge ?? err) : resolve(Buffer.concat(chunks, size))))
  })
}
