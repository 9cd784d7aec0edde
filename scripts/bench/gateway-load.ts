// A load process of npm run bench:gateway (forked by scripts/bench-gateway.ts, one or more per phase): the
// official `openai` client, unmodified, calling chat completions (streamed or not) at a fixed share of an
// open-loop schedule — request i of the phase is due at startAt + i/rate; process k of n sends the i with
// i mod n = k — against the gateway or straight at the fake upstream. Latency counts from the scheduled time
// (no coordinated omission); streamed, also the time to the first content chunk. The first warmupS seconds of the
// schedule are sent but not measured. Samples go into preallocated typed arrays; the process's own CPU,
// event-loop delay and GC pauses over the measured window are reported beside them (scripts/bench/open-loop.ts).
import http from 'node:http'
import { performance } from 'node:perf_hooks'
import OpenAI from 'openai'
import { clientMonitor, openLoop, type TClientFigures } from './open-loop'

export type TGwLoadRequest = {
  /** `openai`: the official SDK (its fetch costs 1.5–3.8 ms of CPU a call here: 2,000/s is out of reach on 2 cores);
   * `http`: the same requests (path, headers, JSON body) from node:http keep-alive sockets, for the gateway's own cost */
  client: 'openai' | 'http'
  baseURL: string
  apiKey: string
  headers: Record<string, string>
  stream: boolean
  /** the model asked for, and the one the answer must name (the policy's, through the gateway) */
  model: string
  expectModel: string
  maxTokens: number
  /** requests/s of the whole phase (every process together) */
  rate: number
  procs: number
  index: number
  /** the schedule's start, Date.now() time */
  startAt: number
  warmupS: number
  seconds: number
}

export type TGwLoadResult = {
  /** per measured request answered: ms from its scheduled time to the answer's end, to its first content chunk (streamed; else NaN), from its actual send to the end */
  total: number[]
  ttft: number[]
  service: number[]
  /** measured requests sent, answered in full, answered naming the expected model */
  measured: number
  answered: number
  routed: number
  /** failed requests, measured and warm-up; the first few distinct messages */
  errors: number
  warmupErrors: number
  errorSamples: string[]
  /** every request sent, warm-up included */
  sent: number
  wallS: number
  client: TClientFigures
}

function run(o: TGwLoadRequest): Promise<TGwLoadResult> {
  const client = new OpenAI({ baseURL: o.baseURL, apiKey: o.apiKey, maxRetries: 0, timeout: 30_000, defaultHeaders: o.headers })
  const all = o.rate * (o.warmupS + o.seconds)
  const warm = o.rate * o.warmupS
  // this process's requests: global index i = j·procs + index
  const mine = Math.max(0, Math.ceil((all - o.index) / o.procs))
  const t0 = o.startAt - performance.timeOrigin // the schedule's start on performance.now()'s clock
  const at = (j: number) => t0 + ((j * o.procs + o.index) * 1000) / o.rate
  const firstMeasured = Math.max(0, Math.ceil((warm - o.index) / o.procs))
  const n = mine - firstMeasured
  const total = new Float64Array(n).fill(NaN),
    ttft = new Float64Array(n).fill(NaN),
    service = new Float64Array(n).fill(NaN),
    routedAt = new Uint8Array(n)
  let errors = 0,
    warmupErrors = 0,
    settled = 0,
    measureStart = 0
  const errorSamples = new Set<string>()
  const monitor = clientMonitor()
  const messages = (i: number): OpenAI.Chat.ChatCompletionMessageParam[] => [
    { role: 'system', content: 'You answer in one short sentence.' },
    { role: 'user', content: `Question ${i}: what is the answer, as measured today?` },
  ]

  // the http client: one keep-alive agent; the body the SDK would send; the answer's model found by a string search
  const url = new URL(`${o.baseURL.replace(/\/+$/, '')}/chat/completions`)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 })
  const headers = {
    ...o.headers,
    authorization: `Bearer ${o.apiKey}`,
    'content-type': 'application/json',
    accept: o.stream ? 'text/event-stream' : 'application/json',
  }
  const modelMark = `"model":"${o.expectModel}`
  const httpCall = (i: number, onFirst: () => void, done: (model: boolean) => void, failed: (e: unknown) => void) => {
    const body = JSON.stringify({ model: o.model, messages: messages(i), max_tokens: o.maxTokens, ...(o.stream ? { stream: true } : {}) })
    const req = http.request(url, { method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = ''
      let first = false
      res.setEncoding('utf8')
      res.on('data', (c: string) => {
        if (!first && o.stream && c.includes('"content":"')) {
          first = true
          onFirst()
        }
        if (text.length < 4096) text += c
      })
      res.on('end', () => ((res.statusCode ?? 0) === 200 ? done(text.includes(modelMark)) : failed(new Error(`HTTP ${res.statusCode}: ${text.slice(0, 120)}`))))
      res.on('error', failed)
    })
    req.setTimeout(30_000, () => req.destroy(new Error('timed out')))
    req.on('error', failed)
    req.end(body)
  }

  return new Promise((resolve) => {
    const finish = () => {
      const c = monitor.stop()
      agent.destroy()
      const ok = [...total.keys()].filter((k) => !Number.isNaN(total[k]))
      resolve({
        total: ok.map((k) => total[k]),
        ttft: ok.map((k) => ttft[k]),
        service: ok.map((k) => service[k]),
        measured: n,
        answered: ok.length,
        routed: ok.filter((k) => routedAt[k]).length,
        errors,
        warmupErrors,
        errorSamples: [...errorSamples],
        sent: mine,
        wallS: (performance.now() - measureStart) / 1000,
        client: c,
      })
    }
    const settle = () => {
      if (++settled === mine) finish()
    }
    const fail = (k: number) => (e: unknown) => {
      if (k >= 0) errors++
      else warmupErrors++
      if (errorSamples.size < 5) errorSamples.add(e instanceof Error ? `${e.constructor.name}: ${e.message}`.slice(0, 200) : String(e))
      settle()
    }
    if (mine === 0) return finish()
    const send = (j: number, scheduled: number) => {
      const k = j - firstMeasured // < 0: warm-up
      if (k === 0) {
        measureStart = scheduled
        monitor.start()
      }
      const start = performance.now()
      const i = j * o.procs + o.index
      if (o.client === 'http') {
        let first = NaN
        httpCall(
          i,
          () => {
            first = performance.now()
          },
          (routed) => {
            if (k >= 0) {
              const end = performance.now()
              total[k] = end - scheduled
              ttft[k] = first - scheduled
              service[k] = end - start
              routedAt[k] = routed ? 1 : 0
            }
            settle()
          },
          fail(k),
        )
        return
      }
      if (!o.stream) {
        client.chat.completions.create({ model: o.model, messages: messages(i), max_tokens: o.maxTokens }).then((r) => {
          if (k >= 0) {
            const end = performance.now()
            total[k] = end - scheduled
            service[k] = end - start
            routedAt[k] = r.model === o.expectModel ? 1 : 0
          }
          settle()
        }, fail(k))
        return
      }
      void (async () => {
        const s = await client.chat.completions.create({ model: o.model, messages: messages(i), max_tokens: o.maxTokens, stream: true })
        let first = NaN
        let model = ''
        for await (const c of s) {
          if (Number.isNaN(first) && c.choices[0]?.delta?.content) first = performance.now()
          model ||= c.model
        }
        if (k >= 0) {
          const end = performance.now()
          total[k] = end - scheduled
          ttft[k] = first - scheduled
          service[k] = end - start
          routedAt[k] = model === o.expectModel ? 1 : 0
        }
        settle()
      })().catch(fail(k))
    }
    openLoop(mine, at, send)
  })
}

// As a forked child: { ready: true } once loaded (the client imported), then one TGwLoadRequest in, one TGwLoadResult out.
if (process.send) {
  process.send({ ready: true })
  process.once('message', (o: TGwLoadRequest) => {
    void run(o).then((r) => process.send!(r, () => process.exit(0)))
  })
  process.on('disconnect', () => process.exit(0))
}
