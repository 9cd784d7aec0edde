// The upstream of npm run bench:gateway, in a process of its own (forked by scripts/bench-gateway.ts): a plain
// node:http server that answers OpenAI's POST /v1/chat/completions in a fixed time, as the provider would shape it
// — the model it was asked for, a usage object; streamed (server-sent events): the status and headers at once,
// the first content chunk after the fixed time, the others spaced in time, then the finish chunk, the usage chunk
// when the request asked for it (stream_options.include_usage, as OpenAI) and [DONE]. Kept cheap so that it is
// never what the benchmark measures; its CPU is reported beside the figures.
import http from 'node:http'

export type TFakeUpstreamOptions = {
  port: number
  /** ms before the answer (non-streamed) or its first content chunk (streamed) */
  firstMs: number
  /** content chunks of a streamed answer */
  chunks: number
  /** ms between two content chunks */
  gapMs: number
}
export type TFakeUpstreamMessage = { ready: number } | { error: string } | { calls: number }

const WORDS = ['The', ' answer', ' is', ' forty', '-two', ' today', ',', ' as', ' measured', '.']
const TEXT = 'The answer is forty-two.'

type TChatRequest = { model?: unknown; stream?: unknown; stream_options?: { include_usage?: unknown } | null; messages?: unknown }

export function startFakeUpstream(o: TFakeUpstreamOptions, onListening: (port: number) => void, onError: (e: Error) => void): { calls: () => number } {
  let calls = 0
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = []
    req.on('data', (c: Buffer) => parts.push(c))
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"message":"not found","type":"invalid_request_error"}}')
        return
      }
      let body: TChatRequest
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8')) as TChatRequest
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":{"message":"invalid JSON","type":"invalid_request_error"}}')
        return
      }
      const n = ++calls
      const id = `chatcmpl-fake${n}`
      const model = typeof body.model === 'string' ? body.model : 'unknown'
      const created = Math.floor(Date.now() / 1000)
      const promptTokens = 20 + (Array.isArray(body.messages) ? body.messages.length : 0)
      const usage = {
        prompt_tokens: promptTokens,
        completion_tokens: o.chunks,
        total_tokens: promptTokens + o.chunks,
        prompt_tokens_details: { cached_tokens: 0 },
      }
      if (body.stream !== true) {
        setTimeout(() => {
          const out = JSON.stringify({
            id,
            object: 'chat.completion',
            created,
            model,
            choices: [{ index: 0, message: { role: 'assistant', content: TEXT, refusal: null }, logprobs: null, finish_reason: 'stop' }],
            usage,
            system_fingerprint: null,
          })
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out), 'x-request-id': id }).end(out)
        }, o.firstMs)
        return
      }
      const withUsage = body.stream_options?.include_usage === true
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({
          id,
          object: 'chat.completion.chunk',
          created,
          model,
          system_fingerprint: null,
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
          ...(withUsage ? { usage: null } : {}),
        })}\n\n`
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': id })
      res.flushHeaders()
      let i = 0
      let timer: NodeJS.Timeout | null = null
      res.on('close', () => timer && clearTimeout(timer))
      const next = () => {
        timer = null
        if (i === 0) res.write(chunk({ role: 'assistant', content: '', refusal: null }, null) + chunk({ content: WORDS[0] }, null))
        else res.write(chunk({ content: WORDS[i % WORDS.length] }, null))
        if (++i < o.chunks) {
          timer = setTimeout(next, o.gapMs)
          return
        }
        let tail = chunk({}, 'stop')
        if (withUsage)
          tail += `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, system_fingerprint: null, choices: [], usage })}\n\n`
        res.end(`${tail}data: [DONE]\n\n`)
      }
      timer = setTimeout(next, o.firstMs)
    })
  })
  server.keepAliveTimeout = 60_000
  server.on('error', onError)
  server.listen(o.port, '127.0.0.1', () => onListening(o.port))
  return { calls: () => calls }
}

// As a forked child: its options in, { ready: port } out; { calls } on request; gone with its parent.
if (process.send) {
  process.once('message', (o: TFakeUpstreamOptions) => {
    const s = startFakeUpstream(
      o,
      (port) => process.send!({ ready: port } satisfies TFakeUpstreamMessage),
      (e) => process.send!({ error: e.message } satisfies TFakeUpstreamMessage, () => process.exit(1)),
    )
    process.on('message', () => process.send!({ calls: s.calls() } satisfies TFakeUpstreamMessage))
  })
  process.on('disconnect', () => process.exit(0))
}
