import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import OpenAI from 'openai'
import Anthropic from '@anthropic-ai/sdk'
import { createTestApiKey, ownerPool, useTestServices } from '@/lib/testing/services'
import { FAKE_TEXT, startFakeUpstream, type TFakeUpstream } from '@/lib/testing/fake-upstream'
import { asOrg, closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { putOrgPrices } from '@/lib/prices'
import { gatewayDroppedTotal } from '@/lib/observability/metrics'
import { gatewayRouteFor, serveGateway } from '@/lib/gateway/http'
import { listGatewayProviders, putGatewayProviders } from '@/lib/gateway/providers'
import { flushGatewayEvents, gatewayEventsWaiting, recordGatewayEvent, setGatewayBufferMaxForTests } from '@/lib/gateway/recorder'
import { drainGateway } from '@/lib/gateway/drain'
import { requestUpstream } from '@/lib/gateway/upstream'
import { sha256 } from '@/lib/gateway/protocols'
import { recentGatewayCalls } from '@/lib/gateway/calls'
import { createPolicy, publishDraft } from '@/lib/routing/policies'
import { ZPolicyCreate } from '@/lib/routing/schema'
import { createBudget } from '@/lib/budgets'
import { evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { flushLeases, ledgerUsage } from '@/lib/budgets/ledger'
import * as chatRoute from '@/app/api/v1/gateway/openai/v1/chat/completions/route'
import * as responsesRoute from '@/app/api/v1/gateway/openai/v1/responses/route'
import * as embeddingsRoute from '@/app/api/v1/gateway/openai/v1/embeddings/route'
import * as messagesRoute from '@/app/api/v1/gateway/anthropic/v1/messages/route'

// The gateway end to end on real HTTP: the official `openai` and `@anthropic-ai/sdk` clients, unmodified but for
// their base URL and key, against the gateway — both its doors: the web server's fast path (serveGateway) and the
// Next.js route handlers behind a small HTTP server — and the gateway against a local fake upstream
// (lib/testing/fake-upstream.ts); events stored through the ingest path into the real PostgreSQL.

// Before any lib/ module reads the environment (lib/env.ts parses it once).
Object.assign(process.env, { ALLOW_PRIVATE_UPSTREAMS: 'true', GATEWAY_FIRST_BYTE_TIMEOUT_MS: '1500', GATEWAY_TOTAL_TIMEOUT_MS: '20000' })

let fake: TFakeUpstream
let orgId = ''
let key = ''
let ingestKey = ''
const servers: http.Server[] = []
const doors: Record<'fast path' | 'Next.js route', string> = { 'fast path': '', 'Next.js route': '' }

const NEXT_ROUTES: Record<string, { POST: (req: Request) => Promise<Response> }> = {
  '/api/v1/gateway/openai/v1/chat/completions': chatRoute,
  '/api/v1/gateway/openai/v1/responses': responsesRoute,
  '/api/v1/gateway/openai/v1/embeddings': embeddingsRoute,
  '/api/v1/gateway/anthropic/v1/messages': messagesRoute,
}

/** The Next.js route handlers on a plain HTTP server, as Next.js serves them: a Request whose signal aborts when the client leaves. */
function nextRouteServer(): http.Server {
  return http.createServer(async (req, res) => {
    const route = NEXT_ROUTES[(req.url ?? '').split('?')[0]]
    if (!route || req.method !== 'POST') return void res.writeHead(404).end()
    const ac = new AbortController()
    res.on('close', () => {
      if (!res.writableFinished) ac.abort()
    })
    const chunks: Buffer[] = []
    for await (const c of req) chunks.push(c as Buffer)
    const headers = new Headers()
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
    const response = await route.POST(new Request(`http://127.0.0.1${req.url}`, { method: 'POST', headers, body: Buffer.concat(chunks), signal: ac.signal }))
    res.writeHead(response.status, Object.fromEntries(response.headers))
    if (!response.body) return void res.end()
    const reader = response.body.getReader()
    res.on('close', () => {
      if (!res.writableFinished) void reader.cancel().catch(() => undefined)
    })
    for (;;) {
      const r = await reader.read().catch(() => ({ done: true as const, value: undefined }))
      if (r.done) break
      res.write(r.value)
    }
    res.end()
  })
}

async function listen(s: http.Server): Promise<string> {
  servers.push(s)
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`
}

type TRow = Record<string, any>
/** The stored event of an id, once the gateway's buffer is flushed and the ingest worker's step has run. */
async function stored(id: string): Promise<TRow> {
  await flushGatewayEvents()
  for (const b of await pendingBatches(0)) await processBatch(b)
  const r = await ownerPool().query(
    `SELECT event_id, workflow_id, step, call_type, provider, model, outcome, attempt, latency_ms, tokens_in::int, cached_tokens_in::int, cache_write_tokens::int,
            tokens_out::int, cost_usd::text, input_hash, output_hash, max_tokens, prompt_version, metadata, environment, account_id, run_id, feature,
            response_cache_hit, response_cache_savings_usd::text
     FROM inference_events WHERE org_id = $1 AND event_id = $2`,
    [orgId, id],
  )
  if (!r.rows[0]) throw new Error(`event ${id} was not stored`)
  return r.rows[0]
}

const openaiAt = (base: string, apiKey = key) => new OpenAI({ baseURL: `${base}/api/v1/gateway/openai/v1`, apiKey })
const anthropicAt = (base: string, apiKey = key) => new Anthropic({ baseURL: `${base}/api/v1/gateway/anthropic`, apiKey })
const waitFor = async (ok: () => boolean, ms = 5_000) => {
  const until = Date.now() + ms
  while (!ok()) {
    if (Date.now() > until) throw new Error('timed out waiting')
    await new Promise((r) => setTimeout(r, 20))
  }
}
const lastRequest = () => fake.requests[fake.requests.length - 1]

beforeAll(async () => {
  await useTestServices('gateway')
  orgId = (await createOrgWithAdmin({ org_name: 'Gateway Co', email: 'gw@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  key = (await createTestApiKey(orgId, { name: 'gw', scopes: ['gateway'] })).key
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest only', scopes: ['ingest'] })).key
  fake = await startFakeUpstream()
  await asOrg(orgId, () =>
    putGatewayProviders(orgId, {
      providers: [
        { provider: 'openai', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-openai-0001' },
        { provider: 'anthropic', base_url: fake.url, api_key: 'sk-ant-upstream-0001' },
      ],
    }),
  )
  // the organization's negotiated price for one model (the catalog's for the others)
  await putOrgPrices(orgId, {
    prices: [
      {
        provider: 'openai',
        model: 'gpt-4o-mini',
        effective_from: new Date('2020-01-01T00:00:00Z'),
        input_per_mtok: '0.10',
        cached_input_per_mtok: '0.05',
        output_per_mtok: '0.40',
      },
    ],
  })
  doors['fast path'] = await listen(
    http.createServer((req, res) => {
      const p = gatewayRouteFor(req)
      if (!p) return void res.writeHead(404).end()
      serveGateway(req, res, p)
    }),
  )
  doors['Next.js route'] = await listen(nextRouteServer())
})

afterAll(async () => {
  setGatewayBufferMaxForTests(null)
  for (const s of servers) {
    s.closeAllConnections()
    await new Promise((r) => s.close(r))
  }
  await fake?.close()
  await flushGatewayEvents()
  await closeQueues()
  await closeDb()
})

describe.each(Object.keys(doors) as (keyof typeof doors)[])('the gateway through the %s', (door) => {
  const base = () => doors[door]

  it('OpenAI chat completions: the answer unchanged, the event with its tokens, attribution and price to the micro-dollar', async () => {
    const { data, response } = await openaiAt(base())
      .chat.completions.create(
        { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 256 },
        {
          headers: {
            'x-outlay-workflow-id': 'support-agent',
            'x-outlay-step': 'generate',
            'x-outlay-account-id': 'acme',
            'x-outlay-run-id': 'run-1',
            'x-outlay-prompt-version': 'v7',
            'x-outlay-metadata-ticket': 'T-1',
          },
        },
      )
      .withResponse()
    expect(data.choices[0].message.content).toBe(FAKE_TEXT)
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(200)
    // gpt-4o: (1000 − 200)·2.50 + 200·1.25 + 100·10.00 = 3250 µ$
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.00325')
    expect(response.headers.get('x-outlay-model')).toBe('gpt-4o')
    expect(response.headers.get('x-request-id')).toMatch(/^req_fake_/)
    // the upstream got the organization's upstream key, never the Outlay key, and no Outlay header
    const up = lastRequest()
    expect(up.path).toBe('/v1/chat/completions')
    expect(up.headers.authorization).toBe('Bearer sk-upstream-openai-0001')
    expect(Object.keys(up.headers).filter((h) => h.startsWith('x-outlay'))).toEqual([])
    const ev = await stored(response.headers.get('x-outlay-event-id')!)
    expect(ev).toMatchObject({
      workflow_id: 'support-agent',
      step: 'generate',
      account_id: 'acme',
      run_id: 'run-1',
      prompt_version: 'v7',
      call_type: 'generation',
      provider: 'openai',
      model: 'gpt-4o',
      outcome: 'success',
      attempt: 1,
      tokens_in: 1000,
      cached_tokens_in: 200,
      cache_write_tokens: 0,
      tokens_out: 100,
      cost_usd: '0.003250000000',
      max_tokens: 256,
      output_hash: sha256(FAKE_TEXT),
      environment: 'production',
    })
    expect(ev.input_hash).toMatch(/^[0-9a-f]{64}$/)
    expect(ev.metadata).toEqual({ ticket: 'T-1', 'outlay.gateway': 'openai-chat' })
    expect(ev.latency_ms).toBeGreaterThan(0)
  })

  it('OpenAI chat streaming: chunks pass as they come; usage is asked of upstream and measured, and its chunk stripped when the client did not ask', async () => {
    const { data: stream, response } = await openaiAt(base())
      .chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }], stream: true })
      .withResponse()
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = []
    for await (const c of stream) chunks.push(c)
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('')).toBe(FAKE_TEXT)
    expect(chunks.every((c) => c.choices.length > 0 && !c.usage)).toBe(true)
    expect(lastRequest().body.stream_options).toEqual({ include_usage: true })
    // not known when the headers leave: no cost header on a stream
    expect(response.headers.get('x-outlay-cost-usd')).toBeNull()
    const ev = await stored(response.headers.get('x-outlay-event-id')!)
    expect(ev).toMatchObject({
      workflow_id: 'unlabeled',
      step: 'unlabeled',
      tokens_in: 1000,
      cached_tokens_in: 200,
      tokens_out: 100,
      cost_usd: '0.003250000000',
      outcome: 'success',
      output_hash: sha256(FAKE_TEXT),
    })
  })

  it('OpenAI chat streaming with include_usage: the client gets its usage chunk', async () => {
    const stream = await openaiAt(base()).chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'Hi' }],
      stream: true,
      stream_options: { include_usage: true },
    })
    let usage: OpenAI.CompletionUsage | null | undefined = null
    for await (const c of stream) if (c.usage) usage = c.usage
    expect(usage).toMatchObject({ prompt_tokens: 1000, completion_tokens: 100 })
  })

  it('OpenAI responses, plain and streamed', async () => {
    const client = openaiAt(base())
    const { data, response } = await client.responses
      .create({ model: 'gpt-4o', input: 'Hi', max_output_tokens: 300 }, { headers: { 'x-outlay-workflow-id': 'wf', 'x-outlay-step': 'answer' } })
      .withResponse()
    expect(data.output_text).toBe(FAKE_TEXT)
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.00325')
    expect(await stored(response.headers.get('x-outlay-event-id')!)).toMatchObject({
      workflow_id: 'wf',
      step: 'answer',
      tokens_in: 1000,
      cached_tokens_in: 200,
      tokens_out: 100,
      max_tokens: 300,
      cost_usd: '0.003250000000',
      output_hash: sha256(FAKE_TEXT),
    })

    const { data: stream, response: r2 } = await client.responses.create({ model: 'gpt-4o', input: 'Hi', stream: true }).withResponse()
    let text = ''
    let completed = false
    for await (const e of stream) {
      if (e.type === 'response.output_text.delta') text += e.delta
      if (e.type === 'response.completed') completed = true
    }
    expect(text).toBe(FAKE_TEXT)
    expect(completed).toBe(true)
    expect(await stored(r2.headers.get('x-outlay-event-id')!)).toMatchObject({
      tokens_in: 1000,
      cached_tokens_in: 200,
      tokens_out: 100,
      cost_usd: '0.003250000000',
    })
  })

  it('OpenAI embeddings', async () => {
    const { data, response } = await openaiAt(base())
      .embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] })
      .withResponse()
    expect(data.data).toHaveLength(2)
    expect(data.data[1].embedding).toHaveLength(8)
    // 500 · 0.02 / 1e6
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.00001')
    expect(await stored(response.headers.get('x-outlay-event-id')!)).toMatchObject({
      call_type: 'embedding',
      tokens_in: 500,
      tokens_out: 0,
      cost_usd: '0.000010000000',
      max_tokens: null,
    })
  })

  it('Anthropic messages: input_tokens excludes the cache reads and writes; tokens_in is their sum', async () => {
    const { data, response } = await anthropicAt(base())
      .messages.create(
        { model: 'claude-haiku-4-5', max_tokens: 512, messages: [{ role: 'user', content: 'Hi' }] },
        { headers: { 'x-outlay-workflow-id': 'wf', 'x-outlay-step': 'classify' } },
      )
      .withResponse()
    expect(data.content[0].type === 'text' && data.content[0].text).toBe(FAKE_TEXT)
    const up = lastRequest()
    expect(up.path).toBe('/v1/messages')
    expect(up.headers['x-api-key']).toBe('sk-ant-upstream-0001')
    // the SDK's own API version goes upstream as it sent it
    expect(up.headers['anthropic-version']).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    // claude-haiku-4-5: 1500·1.00 + 1000·0.10 + 500·1.25 + 200·5.00 = 3225 µ$
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.003225')
    expect(await stored(response.headers.get('x-outlay-event-id')!)).toMatchObject({
      provider: 'anthropic',
      model: 'claude-haiku-4-5',
      tokens_in: 3000,
      cached_tokens_in: 1000,
      cache_write_tokens: 500,
      tokens_out: 200,
      max_tokens: 512,
      cost_usd: '0.003225000000',
      output_hash: sha256(FAKE_TEXT),
    })
  })

  it('Anthropic messages streamed: usage from message_start and message_delta', async () => {
    const stream = anthropicAt(base()).messages.stream({ model: 'claude-haiku-4-5', max_tokens: 512, messages: [{ role: 'user', content: 'Hi' }] })
    const final = await stream.finalMessage()
    expect(final.content[0].type === 'text' && final.content[0].text).toBe(FAKE_TEXT)
    expect(final.usage.output_tokens).toBe(200)
    const { response } = await stream.withResponse()
    expect(await stored(response.headers.get('x-outlay-event-id')!)).toMatchObject({
      tokens_in: 3000,
      cached_tokens_in: 1000,
      cache_write_tokens: 500,
      tokens_out: 200,
      cost_usd: '0.003225000000',
      outcome: 'success',
    })
  })

  it("prices with the organization's own prices", async () => {
    const { response } = await openaiAt(base())
      .chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] })
      .withResponse()
    // 800·0.10 + 200·0.05 + 100·0.40 = 130 µ$
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.00013')
    expect((await stored(response.headers.get('x-outlay-event-id')!)).cost_usd).toBe('0.000130000000')
  })

  it('passes upstream errors on unchanged (status and body), and records the attempt as an error', async () => {
    const err = await openaiAt(base())
      .chat.completions.create({ model: 'fail-400', messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e) => e)
    expect(err).toBeInstanceOf(OpenAI.BadRequestError)
    expect(err.status).toBe(400)
    expect(err.error).toEqual({ message: 'fake upstream error 400', type: 'fake_error', code: 'fake_400' })
    const aerr = await anthropicAt(base())
      .messages.create({ model: 'fail-400', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] })
      .catch((e) => e)
    expect(aerr).toBeInstanceOf(Anthropic.BadRequestError)
    expect(aerr.error).toEqual({ type: 'error', error: { type: 'invalid_request_error', message: 'fake upstream error 400' } })
    // a 500 as it came (plain HTTP: the SDKs would retry it)
    const r = await fetch(`${base()}/api/v1/gateway/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-outlay-event-id': `err-500-${door}` },
      body: JSON.stringify({ model: 'fail-500', messages: [] }),
    })
    expect(r.status).toBe(500)
    expect(await r.json()).toEqual({ error: { message: 'fake upstream error 500', type: 'fake_error', code: 'fake_500' } })
    expect(await stored(`err-500-${door}`)).toMatchObject({ outcome: 'error', attempt: 1, model: 'fail-500', tokens_in: 0, cost_usd: null })
  })

  it("answers Outlay's own errors in the provider's shape", async () => {
    const noScope = await openaiAt(base(), ingestKey)
      .chat.completions.create({ model: 'gpt-4o', messages: [] })
      .catch((e) => e)
    expect(noScope).toBeInstanceOf(OpenAI.PermissionDeniedError)
    expect(noScope.error).toMatchObject({ message: 'This Outlay API key lacks the "gateway" scope', type: 'permission_error' })
    const bad = await anthropicAt(base(), 'olay_not-a-key')
      .messages.create({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [] })
      .catch((e) => e)
    expect(bad).toBeInstanceOf(Anthropic.AuthenticationError)
    expect(bad.error).toEqual({ type: 'error', error: { type: 'authentication_error', message: 'Invalid or revoked API key' } })
    const none = await fetch(`${base()}/api/v1/gateway/openai/v1/embeddings`, { method: 'POST', body: '{}' })
    expect(none.status).toBe(401)
    expect((await none.json()).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_api_key' })
    const noModel = await openaiAt(base())
      .embeddings.create({ input: 'x' } as never)
      .catch((e) => e)
    expect(noModel.status).toBe(400)
    expect(noModel.error.message).toBe('model: is required (a string)')
  })

  it('takes an upstream key per request (x-outlay-upstream-key)', async () => {
    await openaiAt(base()).chat.completions.create(
      { model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] },
      { headers: { 'x-outlay-upstream-key': 'sk-per-request-9' } },
    )
    expect(lastRequest().headers.authorization).toBe('Bearer sk-per-request-9')
  })

  it('cuts the upstream request when the client goes away mid-stream', async () => {
    const ac = new AbortController()
    const { data: stream, response } = await openaiAt(base())
      .chat.completions.create({ model: 'slow-stream', messages: [{ role: 'user', content: 'Hi' }], stream: true }, { signal: ac.signal })
      .withResponse()
    const seen = fake.requests.length
    const up = fake.requests[seen - 1]
    let n = 0
    try {
      for await (const _ of stream) if (++n === 2) ac.abort()
    } catch {
      // the SDK may end the loop quietly or with an abort error
    }
    expect(n).toBeLessThan(10)
    // two events arrived while the upstream was still streaming (nothing was gathered first), and the fake upstream
    // sees its answer cut long before its 5 s of events end
    await waitFor(() => fake.aborted.includes(up), 3_000)
    expect((await stored(response.headers.get('x-outlay-event-id')!)).outcome).toBe('error')
  })

  it('cuts an upstream that does not answer at the first-byte timeout (504 in the provider shape)', async () => {
    const r = await fetch(`${base()}/api/v1/gateway/openai/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'x-outlay-event-id': `hang-${door}` },
      body: JSON.stringify({ model: 'hang', messages: [] }),
    })
    expect(r.status).toBe(504)
    expect((await r.json()).error).toMatchObject({
      type: 'api_error',
      code: 'upstream_timeout',
      message: 'Outlay gateway: the upstream did not answer within 1.5 s',
    })
    await waitFor(() => fake.aborted.some((x) => x.body.model === 'hang'))
    expect(await stored(`hang-${door}`)).toMatchObject({ outcome: 'error', tokens_in: 0 })
  })
})

describe('upstream configuration', () => {
  it('stores keys sealed, answers them masked, and rotates them by PUT', async () => {
    const list = await listGatewayProviders(orgId)
    expect(list.map((p) => [p.provider, p.api_key])).toEqual([
      ['anthropic', 'sk-…0001'],
      ['openai', 'sk-…0001'],
    ])
    const raw = await ownerPool().query<{ api_key: string }>('SELECT api_key FROM gateway_providers WHERE org_id = $1', [orgId])
    for (const r of raw.rows) {
      expect(r.api_key.startsWith('enc:v1:')).toBe(true)
      expect(r.api_key).not.toContain('upstream')
    }
    // rotate the OpenAI key; keep Anthropic's by omitting it
    await putGatewayProviders(orgId, {
      providers: [
        { provider: 'openai', base_url: `${fake.url}/v1`, api_key: 'sk-upstream-openai-0002' },
        { provider: 'anthropic', base_url: fake.url },
      ],
    })
    await new Promise((r) => setTimeout(r, 10))
    await openaiAt(doors['fast path']).chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: 'Hi' }] })
    expect(lastRequest().headers.authorization).toBe('Bearer sk-upstream-openai-0002')
    await anthropicAt(doors['fast path']).messages.create({ model: 'claude-haiku-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'Hi' }] })
    expect(lastRequest().headers['x-api-key']).toBe('sk-ant-upstream-0001')
    const audit = await ownerPool().query<{ after: unknown }>(
      `SELECT after FROM audit_log WHERE org_id = $1 AND action = 'gateway_providers.update' ORDER BY seq DESC LIMIT 1`,
      [orgId],
    )
    expect(JSON.stringify(audit.rows[0].after)).not.toContain('upstream-openai')
  })

  it('refuses private upstream addresses at configuration and at connection unless ALLOW_PRIVATE_UPSTREAMS', async () => {
    const err = await putGatewayProviders(orgId, { providers: [{ provider: 'vllm', base_url: 'http://10.0.0.5:8000/v1', api_key: 'k' }] }, false).catch(
      (e) => e,
    )
    expect(err.details.errors).toEqual([
      'providers.0.base_url: 10.0.0.5 resolves to 10.0.0.5, a loopback, private, link-local or metadata address: gateway upstreams must reach a public host',
    ])
    const meta = await putGatewayProviders(orgId, { providers: [{ provider: 'x', base_url: 'http://169.254.169.254/latest', api_key: 'k' }] }, false).catch(
      (e) => e,
    )
    expect(meta.details.errors[0]).toMatch(/metadata address/)
    const opts = { signal: new AbortController().signal, firstByteMs: 1000, allowPrivate: false }
    await expect(requestUpstream(new URL(`${fake.url}/v1/chat/completions`), {}, Buffer.from('{}'), opts)).rejects.toThrow(
      /gateway upstreams must reach a public host/,
    )
    // a name that resolves to a private address: checked by the connection's own lookup
    await expect(requestUpstream(new URL(`http://localhost:${fake.port}/v1/chat/completions`), {}, Buffer.from('{}'), opts)).rejects.toThrow(
      /gateway upstreams must reach a public host/,
    )
  })
})

describe('measurement never blocks the call', () => {
  it('answers while PostgreSQL is stalled; the buffer is bounded, the overflow counted, the rest stored once the database is back', async () => {
    const client = openaiAt(doors['fast path'])
    const call = (id: string) =>
      client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: id }] }, { headers: { 'x-outlay-event-id': id } })
    await flushGatewayEvents()
    setGatewayBufferMaxForTests(2)
    const dropped0 = await gatewayDroppedTotal()
    const lock = await ownerPool().connect()
    try {
      await lock.query('BEGIN')
      await lock.query('LOCK TABLE ingest_batches IN ACCESS EXCLUSIVE MODE')
      const first = await call('stall-1')
      expect(first.choices[0].message.content).toBe(FAKE_TEXT)
      // the flush of stall-1 is now waiting on the lock
      await new Promise((r) => setTimeout(r, 400))
      for (const id of ['stall-2', 'stall-3', 'stall-4']) expect((await call(id)).choices[0].message.content).toBe(FAKE_TEXT)
      // three waiting, room for two: the oldest went, counted
      expect((await gatewayDroppedTotal()) - dropped0).toBe(1)
    } finally {
      await lock.query('ROLLBACK')
      lock.release()
    }
    await flushGatewayEvents()
    for (const b of await pendingBatches(0)) await processBatch(b)
    const r = await ownerPool().query<{ event_id: string }>(
      `SELECT event_id FROM inference_events WHERE org_id = $1 AND event_id LIKE 'stall-%' ORDER BY event_id`,
      [orgId],
    )
    expect(r.rows.map((x) => x.event_id)).toEqual(['stall-1', 'stall-3', 'stall-4'])
    setGatewayBufferMaxForTests(null)
  })

  it('stores a steady stream of calls in a batch per flush interval, not in a batch per call', async () => {
    // A flush that follows the last one at once stored ~9 events a batch at 500 calls/s (bench:gateway): a round
    // trip to PostgreSQL and a queue job per handful of calls, and a worker transaction each.
    await flushGatewayEvents()
    const before = await ownerPool().query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_batches WHERE org_id = $1', [orgId])
    const started = Date.now()
    const ids: string[] = []
    while (Date.now() - started < 600) {
      const id = `steady-${ids.length}`
      ids.push(id)
      recordGatewayEvent(orgId, {
        id,
        timestamp: new Date().toISOString(),
        workflow_id: 'steady',
        step: 'answer',
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens_in: 10,
        tokens_out: 2,
        outcome: 'success',
      })
      await new Promise((r) => setTimeout(r, 2))
    }
    const elapsed = Date.now() - started
    await flushGatewayEvents()
    const after = await ownerPool().query<{ n: number }>('SELECT count(*)::int AS n FROM ingest_batches WHERE org_id = $1', [orgId])
    // one flush at most every 100 ms while events arrive, and the last one after them
    expect(after.rows[0].n - before.rows[0].n).toBeLessThanOrEqual(Math.ceil(elapsed / 100) + 2)
    for (const b of await pendingBatches(0)) await processBatch(b)
    const r = await ownerPool().query<{ n: number }>(`SELECT count(*)::int AS n FROM inference_events WHERE org_id = $1 AND event_id LIKE 'steady-%'`, [orgId])
    expect(r.rows[0].n).toBe(ids.length)
  })
})

describe('routing acts through the pipe: fallbacks, cascades, the response cache', () => {
  const mini = { provider: 'openai', model: 'gpt-4o-mini' } // the organization's price: 130 µ$ for the fake's usage
  const big = { provider: 'openai', model: 'gpt-4o' } // the catalog's: 3,250 µ$
  const chat = (
    workflow: string,
    step: string,
    id: string,
    content = 'Classify: my card was charged twice',
    extra: Record<string, string> = {},
    model = 'gpt-3.5-turbo', // what the client asks for: a policy replaces it
  ) =>
    openaiAt(doors['fast path'])
      .chat.completions.create(
        { model, messages: [{ role: 'user', content }] },
        { headers: { 'x-outlay-workflow-id': workflow, 'x-outlay-step': step, 'x-outlay-event-id': id, ...extra } },
      )
      .withResponse()
  const publish = async (body: Record<string, unknown>) => {
    const p = await createPolicy(orgId, ZPolicyCreate.parse(body), 'test')
    await publishDraft(orgId, p.id, 'gateway pipe test', 'test')
  }
  const eventsLike = async (prefix: string) => {
    await stored(prefix) // flushed and processed
    const r = await ownerPool().query<{ event_id: string; attempt: number; outcome: string; model: string; cost_usd: string | null }>(
      `SELECT event_id, attempt, outcome, model, cost_usd::text FROM inference_events WHERE org_id = $1 AND (event_id = $2 OR event_id LIKE $2 || '.%')
       ORDER BY attempt`,
      [orgId, prefix],
    )
    return r.rows
  }
  const unsure = JSON.stringify({ label: 'billing', confidence: 0.4 })
  const sure = JSON.stringify({ label: 'refund', confidence: 0.93 })

  beforeAll(async () => {
    // a cascade on triage/classify: gpt-4o-mini first; below 0.7 confidence (a JSON field of the answer) gpt-4o
    await publish({
      workflow_id: 'triage',
      step: 'classify',
      candidates: [mini],
      cascade: { models: [mini, big], confidence_threshold: 0.7, confidence_from: 'json_field', confidence_field: 'confidence' },
    })
    // the same, but the model above fails
    await publish({
      workflow_id: 'triage',
      step: 'classify-broken',
      candidates: [mini],
      cascade: {
        models: [mini, { provider: 'openai', model: 'fail-503' }],
        confidence_threshold: 0.7,
        confidence_from: 'json_field',
        confidence_field: 'confidence',
      },
    })
    // a fallback chain on drafts/write: a model that fails with 500, one that is rate limited, then gpt-4o-mini
    await publish({
      workflow_id: 'drafts',
      step: 'write',
      candidates: [{ provider: 'openai', model: 'fail-500' }],
      fallbacks: [
        { provider: 'openai', model: 'fail-429' },
        { provider: 'openai', model: 'gpt-4o-mini' },
      ],
    })
  })
  afterEach(() => {
    fake.answerText('gpt-4o-mini', null)
    fake.answerText('gpt-4o', null)
  })

  it('escalates a low-confidence answer one model up the ladder: two upstream calls, two events, the second answer', async () => {
    const b = await createBudget(orgId, {
      name: 'triage ledger',
      environment: null,
      workflow_id: 'triage',
      account_id: null,
      feature: null,
      traffic_sources: ['production'],
      period: 'day',
      rolling_days: null,
      metric: 'spend',
      amount_usd: '10',
      thresholds: [50, 80, 100],
      hard_cutoff: true,
      cutoff_action: 'deny',
      throttle_per_minute: 60,
      owner: null,
    })
    await evaluateOrgAlerts(orgId, new Date(), { kinds: ['budget'] }) // the ledgered budget is published, nothing spent yet
    fake.answerText('gpt-4o-mini', unsure)
    fake.answerText('gpt-4o', sure)
    const before = fake.requests.length
    const { data, response } = await chat('triage', 'classify', 'cascade-1')
    expect(data.choices[0].message.content).toBe(sure)
    expect(fake.requests.slice(before).map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'gpt-4o'])
    expect(response.headers.get('x-outlay-model')).toBe('gpt-4o')
    expect(response.headers.get('x-outlay-event-id')).toBe('cascade-1.2')
    // the call's cost, both attempts: 130 + 3,250 µ$
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.00338')
    expect(await eventsLike('cascade-1')).toEqual([
      { event_id: 'cascade-1', attempt: 1, outcome: 'success', model: 'gpt-4o-mini', cost_usd: '0.000130000000' },
      { event_id: 'cascade-1.2', attempt: 2, outcome: 'escalation', model: 'gpt-4o', cost_usd: '0.003250000000' },
    ])
    expect((await stored('cascade-1')).output_hash).toBe(sha256(unsure))
    expect(await stored('cascade-1.2')).toMatchObject({ output_hash: sha256(sure), workflow_id: 'triage', step: 'classify', tokens_in: 1000 })
    // the reservation (which held one escalation) settled with what both attempts cost
    await flushLeases(true) // the settled spend moves from this process's lease into the ledger
    expect(await ledgerUsage(b.id, { period: 'day', rolling_days: null }, new Date())).toEqual({ spent: 3380n, held: 0n })
  })

  it('keeps an answer whose confidence clears the bar: one upstream call, no escalation', async () => {
    fake.answerText('gpt-4o-mini', JSON.stringify({ label: 'billing', confidence: 0.9 }))
    fake.answerText('gpt-4o', sure)
    const before = fake.requests.length
    const { data, response } = await chat('triage', 'classify', 'cascade-2', 'Classify: where is my parcel')
    expect(JSON.parse(data.choices[0].message.content!)).toEqual({ label: 'billing', confidence: 0.9 })
    expect(fake.requests.slice(before).map((r) => r.body.model)).toEqual(['gpt-4o-mini'])
    expect(response.headers.get('x-outlay-model')).toBe('gpt-4o-mini')
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.00013')
    expect(await eventsLike('cascade-2')).toEqual([{ event_id: 'cascade-2', attempt: 1, outcome: 'success', model: 'gpt-4o-mini', cost_usd: '0.000130000000' }])
  })

  it('drains on shutdown: the buffered events are stored and the budget lease given back with its settled spend', async () => {
    const id = (await ownerPool().query<{ id: string }>(`SELECT id FROM budgets WHERE org_id = $1 AND name = 'triage ledger'`, [orgId])).rows[0].id
    await flushLeases(true)
    const before = await ledgerUsage(id, { period: 'day', rolling_days: null }, new Date())
    fake.answerText('gpt-4o-mini', JSON.stringify({ label: 'billing', confidence: 0.9 }))
    const { response } = await chat('triage', 'classify', 'drain-1', 'Classify: drain')
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.00013')
    expect(gatewayEventsWaiting()).toBe(1) // in this process's buffer, not stored yet
    expect((await ledgerUsage(id, { period: 'day', rolling_days: null }, new Date())).held).toBeGreaterThan(0n) // the lease
    await drainGateway()
    expect(gatewayEventsWaiting()).toBe(0)
    expect(await ledgerUsage(id, { period: 'day', rolling_days: null }, new Date())).toEqual({ spent: before.spent + 130n, held: 0n })
    for (const b of await pendingBatches(0)) await processBatch(b)
    expect(await eventsLike('drain-1')).toEqual([{ event_id: 'drain-1', attempt: 1, outcome: 'success', model: 'gpt-4o-mini', cost_usd: '0.000130000000' }])
  })

  it('keeps the answer it has when the escalation fails (its event an error)', async () => {
    fake.answerText('gpt-4o-mini', unsure)
    const before = fake.requests.length
    const { data, response } = await chat('triage', 'classify-broken', 'cascade-3')
    expect(data.choices[0].message.content).toBe(unsure)
    expect(fake.requests.slice(before).map((r) => r.body.model)).toEqual(['gpt-4o-mini', 'fail-503'])
    expect(response.headers.get('x-outlay-model')).toBe('gpt-4o-mini')
    expect(response.headers.get('x-outlay-event-id')).toBe('cascade-3')
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.00013')
    expect(await eventsLike('cascade-3')).toEqual([
      { event_id: 'cascade-3', attempt: 1, outcome: 'success', model: 'gpt-4o-mini', cost_usd: '0.000130000000' },
      { event_id: 'cascade-3.2', attempt: 2, outcome: 'error', model: 'fail-503', cost_usd: null },
    ])
  })

  it('does not escalate a streamed answer (passed on as it came)', async () => {
    fake.answerText('gpt-4o-mini', unsure)
    const before = fake.requests.length
    const stream = await openaiAt(doors['fast path']).chat.completions.create(
      { model: 'gpt-3.5-turbo', messages: [{ role: 'user', content: 'Classify: stream' }], stream: true },
      { headers: { 'x-outlay-workflow-id': 'triage', 'x-outlay-step': 'classify', 'x-outlay-event-id': 'cascade-stream' } },
    )
    for await (const _ of stream) {
      // drained
    }
    expect(fake.requests.slice(before).map((r) => r.body.model)).toEqual(['gpt-4o-mini'])
    expect(await eventsLike('cascade-stream')).toHaveLength(1)
  })

  it('tries the fallback chain in order: 500, 429, then an answer — three events, attempts 1 to 3', async () => {
    const before = fake.requests.length
    const { data, response } = await chat('drafts', 'write', 'chain-1')
    expect(data.choices[0].message.content).toBe(FAKE_TEXT)
    expect(fake.requests.slice(before).map((r) => r.body.model)).toEqual(['fail-500', 'fail-429', 'gpt-4o-mini'])
    expect(response.headers.get('x-outlay-model')).toBe('gpt-4o-mini')
    expect(response.headers.get('x-outlay-event-id')).toBe('chain-1.3')
    expect(response.headers.get('x-outlay-cost-usd')).toBe('0.00013')
    expect(await eventsLike('chain-1')).toEqual([
      { event_id: 'chain-1', attempt: 1, outcome: 'retry', model: 'fail-500', cost_usd: null },
      { event_id: 'chain-1.2', attempt: 2, outcome: 'retry', model: 'fail-429', cost_usd: null },
      { event_id: 'chain-1.3', attempt: 3, outcome: 'fallback', model: 'gpt-4o-mini', cost_usd: '0.000130000000' },
    ])
  })

  it("records a cache hit as the contract says: response_cache_hit, cost 0, savings the original call's cost", async () => {
    const on = { 'x-outlay-cache': 'on', 'x-outlay-cache-ttl': '60' }
    const content = `Summarize ticket ${Date.now()}`
    const first = await chat('support-agent', 'summarize', 'cache-1', content, on, 'gpt-4o') // no policy: the model asked
    expect(first.response.headers.get('x-outlay-cache')).toBe('miss')
    const requests = fake.requests.length
    const second = await chat('support-agent', 'summarize', 'cache-2', content, on, 'gpt-4o')
    expect(fake.requests.length).toBe(requests) // answered without going upstream
    expect(second.response.headers.get('x-outlay-cache')).toBe('hit')
    expect(second.response.headers.get('x-outlay-cost-usd')).toBe('0')
    expect(second.data.choices[0].message.content).toBe(first.data.choices[0].message.content)
    expect(await stored('cache-1')).toMatchObject({ response_cache_hit: false, response_cache_savings_usd: null, cost_usd: '0.003250000000' })
    const hit = await stored('cache-2')
    expect(hit).toMatchObject({ response_cache_hit: true, cost_usd: '0.000000000000', outcome: 'success', tokens_in: 0, model: 'gpt-4o' })
    expect(hit.metadata).toEqual({ 'outlay.gateway': 'openai-chat' })
    // the savings are the first call's cost, to the micro-dollar
    const same = await ownerPool().query<{ equal: boolean }>(
      `SELECT round(a.cost_usd, 6) = b.response_cache_savings_usd AS equal FROM inference_events a, inference_events b
       WHERE a.org_id = $1 AND b.org_id = $1 AND a.event_id = 'cache-1' AND b.event_id = 'cache-2'`,
      [orgId],
    )
    expect(same.rows[0].equal).toBe(true)
    expect(hit.response_cache_savings_usd).toBe('0.003250000000')
    // the Gateway page's live list says so
    const calls = await asOrg(orgId, () => recentGatewayCalls(orgId, { limit: 50 }))
    expect(calls.calls.find((c) => c.id === 'cache-2')).toMatchObject({
      response_cache_hit: true,
      response_cache_savings_usd: '0.003250',
      cost_usd: '0.000000',
    })
    expect(calls.calls.find((c) => c.id === 'cache-1')).toMatchObject({ response_cache_hit: false, response_cache_savings_usd: null })
  })

  it("caches an escalated call's final answer; a hit saves what the whole call cost (both attempts)", async () => {
    fake.answerText('gpt-4o-mini', unsure)
    fake.answerText('gpt-4o', sure)
    const on = { 'x-outlay-cache': 'on' }
    const content = `Classify ticket ${Date.now()}`
    const first = await chat('triage', 'classify', 'cache-cascade-1', content, on)
    expect(first.response.headers.get('x-outlay-cost-usd')).toBe('0.00338')
    const second = await chat('triage', 'classify', 'cache-cascade-2', content, on)
    expect(second.data.choices[0].message.content).toBe(sure)
    expect(second.response.headers.get('x-outlay-model')).toBe('gpt-4o')
    expect(await stored('cache-cascade-2')).toMatchObject({
      response_cache_hit: true,
      cost_usd: '0.000000000000',
      response_cache_savings_usd: '0.003380000000',
    })
  })
})
