import http from 'node:http'
import type { AddressInfo } from 'node:net'

// A local stand-in for OpenAI's and Anthropic's APIs, for the gateway's tests
// (integration and end-to-end): the same paths, answer shapes and stream
// events as the real APIs, with usage that includes cached and cache-write
// tokens. The model name asks for a behaviour:
//   fail-400 / fail-404 / fail-429 / fail-500 / fail-503  that status, with the provider's error body
//   hang                                                  never answers
//   slow-stream                                           a stream of 100 events, 50 ms apart
// Anything else is answered at once, echoing the model, with FAKE_TEXT or the
// text set for the model (answerText: a cascade's JSON answer with its confidence).

export type TFakeRequest = { path: string; headers: http.IncomingHttpHeaders; body: Record<string, any> }

export type TFakeUpstream = {
  url: string
  port: number
  requests: TFakeRequest[]
  /** requests whose answer the client (the gateway) cut before it ended */
  aborted: TFakeRequest[]
  /** the next `n` requests answer `status` (whatever their model) */
  failNext: (n: number, status: number) => void
  /** the text of a model's non-streamed answers (chat, responses, messages); null: FAKE_TEXT again */
  answerText: (model: string, text: string | null) => void
  close: () => Promise<void>
}

export const FAKE_USAGE = {
  openai: {
    prompt_tokens: 1000,
    completion_tokens: 100,
    total_tokens: 1100,
    prompt_tokens_details: { cached_tokens: 200, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
  responses: {
    input_tokens: 1000,
    input_tokens_details: { cached_tokens: 200 },
    output_tokens: 100,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 1100,
  },
  embeddings: { prompt_tokens: 500, total_tokens: 500 },
  anthropic: { input_tokens: 1500, cache_creation_input_tokens: 500, cache_read_input_tokens: 1000, output_tokens: 200 },
}
export const FAKE_TEXT = 'Hello from the fake upstream.'
const PIECES = ['Hello ', 'from ', 'the ', 'fake ', 'upstream.']

const sse = (data: unknown, event?: string) => `${event ? `event: ${event}\n` : ''}data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function errorBody(anthropic: boolean, status: number) {
  const message = `fake upstream error ${status}`
  return anthropic
    ? { type: 'error', error: { type: status === 429 ? 'rate_limit_error' : status >= 500 ? 'api_error' : 'invalid_request_error', message } }
    : { error: { message, type: 'fake_error', code: `fake_${status}` } }
}

function chatStream(model: string, includeUsage: boolean): string[] {
  const base = { id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model, system_fingerprint: null }
  const u = includeUsage ? { usage: null } : {}
  const out = [sse({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, logprobs: null, finish_reason: null }], ...u })]
  for (const p of PIECES) out.push(sse({ ...base, choices: [{ index: 0, delta: { content: p }, logprobs: null, finish_reason: null }], ...u }))
  out.push(sse({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: 'stop' }], ...u }))
  if (includeUsage) out.push(sse({ ...base, choices: [], usage: FAKE_USAGE.openai }))
  out.push(sse('[DONE]'))
  return out
}

function responseObject(model: string, status: string, withOutput: boolean, text = FAKE_TEXT) {
  return {
    id: 'resp_fake',
    object: 'response',
    created_at: 1_700_000_000,
    status,
    model,
    error: null,
    incomplete_details: null,
    instructions: null,
    output: withOutput
      ? [{ type: 'message', id: 'msg_fake', status: 'completed', role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] }]
      : [],
    parallel_tool_calls: true,
    tool_choice: 'auto',
    tools: [],
    usage: withOutput ? FAKE_USAGE.responses : null,
  }
}

function responsesStream(model: string): string[] {
  let seq = 0
  const ev = (type: string, rest: Record<string, unknown>) => sse({ type, sequence_number: seq++, ...rest }, type)
  const out = [ev('response.created', { response: responseObject(model, 'in_progress', false) })]
  for (const p of PIECES) out.push(ev('response.output_text.delta', { item_id: 'msg_fake', output_index: 0, content_index: 0, delta: p, logprobs: [] }))
  out.push(ev('response.completed', { response: responseObject(model, 'completed', true) }))
  return out
}

function anthropicMessage(model: string, text = FAKE_TEXT) {
  return {
    id: 'msg_fake',
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: FAKE_USAGE.anthropic,
  }
}

function anthropicStream(model: string): string[] {
  const start = { ...anthropicMessage(model), content: [], stop_reason: null, usage: { ...FAKE_USAGE.anthropic, output_tokens: 1 } }
  const out = [
    sse({ type: 'message_start', message: start }, 'message_start'),
    sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }, 'content_block_start'),
    sse({ type: 'ping' }, 'ping'),
  ]
  for (const p of PIECES) out.push(sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } }, 'content_block_delta'))
  out.push(sse({ type: 'content_block_stop', index: 0 }, 'content_block_stop'))
  out.push(
    sse(
      { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: FAKE_USAGE.anthropic.output_tokens } },
      'message_delta',
    ),
  )
  out.push(sse({ type: 'message_stop' }, 'message_stop'))
  return out
}

function embedding(encoding: string | undefined, n: number) {
  const v = Array.from({ length: 8 }, (_, i) => (i + n) / 10)
  return encoding === 'base64' ? Buffer.from(new Float32Array(v).buffer).toString('base64') : v
}

export async function startFakeUpstream(port = 0): Promise<TFakeUpstream> {
  const requests: TFakeRequest[] = []
  const aborted: TFakeRequest[] = []
  const failing = { n: 0, status: 500 }
  const texts = new Map<string, string>()
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', async () => {
      let body: Record<string, any> = {}
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        // answered below as a bad request
      }
      const path = (req.url ?? '').split('?')[0]
      const r: TFakeRequest = { path, headers: req.headers, body }
      requests.push(r)
      res.on('close', () => {
        if (!res.writableFinished) aborted.push(r)
      })
      const anthropic = path.endsWith('/v1/messages')
      const model = String(body.model ?? '')
      const json = (status: number, b: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': `req_fake_${requests.length}` })
        res.end(JSON.stringify(b))
      }
      const forced = failing.n > 0 ? (failing.n--, failing.status) : null
      const fail = forced ?? (/^fail-(\d{3})$/.exec(model) ? Number(model.slice(5)) : null)
      if (fail) return json(fail, errorBody(anthropic, fail))
      if (model === 'hang') return // never answers (the socket stays open until the client cuts it)
      if (!model) return json(400, errorBody(anthropic, 400))

      let events: string[] | null = null
      if (body.stream === true) {
        if (path.endsWith('/chat/completions')) events = chatStream(model, body.stream_options?.include_usage === true)
        else if (path.endsWith('/responses')) events = responsesStream(model)
        else if (anthropic) events = anthropicStream(model)
      }
      if (events) {
        res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-request-id': `req_fake_${requests.length}` })
        if (model === 'slow-stream') {
          const first = events[0]
          res.write(first)
          for (let i = 0; i < 100 && !res.destroyed; i++) {
            await sleep(50)
            if (!res.destroyed) res.write(events[Math.min(1, events.length - 1)])
          }
          if (!res.destroyed) res.end(events.slice(1).join(''))
          return
        }
        // each event in its own write, a little apart: the gateway must pass them on as they come
        for (const e of events) {
          if (res.destroyed) return
          res.write(e)
          await sleep(2)
        }
        return res.end()
      }
      const text = texts.get(model) ?? FAKE_TEXT
      if (path.endsWith('/chat/completions')) {
        return json(200, {
          id: 'chatcmpl-fake',
          object: 'chat.completion',
          created: 1_700_000_000,
          model,
          system_fingerprint: null,
          choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, logprobs: null, finish_reason: 'stop' }],
          usage: FAKE_USAGE.openai,
        })
      }
      if (path.endsWith('/responses')) return json(200, responseObject(model, 'completed', true, text))
      if (path.endsWith('/embeddings')) {
        const inputs = Array.isArray(body.input) ? body.input : [body.input]
        return json(200, {
          object: 'list',
          model,
          data: inputs.map((_: unknown, i: number) => ({ object: 'embedding', index: i, embedding: embedding(body.encoding_format, i) })),
          usage: FAKE_USAGE.embeddings,
        })
      }
      if (anthropic) return json(200, anthropicMessage(model, text))
      json(404, errorBody(anthropic, 404))
    })
  })
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r))
  const p = (server.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${p}`,
    port: p,
    requests,
    aborted,
    failNext: (n, status) => Object.assign(failing, { n, status }),
    answerText: (model, text) => {
      if (text === null) texts.delete(model)
      else texts.set(model, text)
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections()
        server.close(() => r())
      }),
  }
}
