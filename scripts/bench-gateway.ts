// npm run bench:gateway — what Outlay's gateway adds to a model call (issue 18, "Speed").
//
// The official `openai` client, unmodified, calls chat completions (streamed and not) through the gateway
// (/api/v1/gateway/openai/v1, server.ts's fast path, lib/gateway/*) to a fake upstream that answers in a fixed
// time (scripts/bench/fake-upstream.ts, a process of its own), and, in the same run at the same rate, straight at
// that fake upstream. Per rate and mode it prints both latency distributions and the latency the gateway added
// (gateway minus direct, percentile by percentile; streamed: also the time to the first content chunk), the web
// process's CPU per call, and the target (p99 added ≤ 2 ms at 500 requests/s, ≤ 5 ms at 2,000).
//
// The gateway runs as in production with everything on: a published routing policy on the bench's step (its
// model replaces the requested one; every answer is checked), a ledgered hard-cutoff budget covering every call
// (large enough never to trip: each call reserves its maximum cost in Redis and settles), and recording (each
// call an inference event stored by the worker; at the end the events are counted through GET /api/v1/metrics).
//
// Load is open loop from processes of their own (scripts/bench/gateway-load.ts; --procs): latency counts from each
// request's scheduled time (no coordinated omission), and each load process reports its own CPU, event-loop delay
// and GC pauses, so a client stall shows as such. Phases run one after another (direct, the floor, then through the gateway,
// per mode and rate) with a warm-up each; the machine's busy cores and the share of them that was none of the
// bench's processes are printed beside each phase: this machine is shared.
//
// Starts its own stack (database outlay_bench_gateway[_$OUTLAY_TEST_RUN], web + one worker) or targets a running
// one (--url/--key: a key with the gateway, read and write scopes, a stack started with ALLOW_PRIVATE_UPSTREAMS=true).
import { type ChildProcess, fork } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import IORedis from 'ioredis'
import {
  fmt,
  groupTicks,
  intOption,
  loadAverage,
  log,
  machineBusyTicks,
  percentile,
  pidTicks,
  readProcs,
  cmdline,
  portInUse,
  request,
  runMain,
  sleep,
  type TStarted,
} from './bench/common'
import type { TFakeUpstreamMessage, TFakeUpstreamOptions } from './bench/fake-upstream'
import { FLOOR_PROXY_CHILD, type TFloorProxyMessage, type TFloorProxyOptions } from './bench/floor-proxy'
import type { TGwLoadRequest, TGwLoadResult } from './bench/gateway-load'
import { profileLines, summariseProfile, type TProfSummary } from './bench/profile'
import { startOwnStack } from './bench/stack'

/** p99 latency the gateway may add, in ms, at these rates (issue 18). */
const TARGET_P99_ADDED_MS: Record<number, number> = { 500: 2, 2000: 5 }
/** the direct calls' p99 may exceed their median by this much for the added latency to be read (a quiet machine: 2–4 ms) */
const DIRECT_SPREAD_MAX_MS = 10
const RUN = /^[a-z0-9_]+$/.test(process.env.OUTLAY_TEST_RUN ?? '') ? `_${process.env.OUTLAY_TEST_RUN}` : ''
const BENCH_DB = `outlay_bench_gateway${RUN}`
const QUEUE_PREFIX = `outlay-bench-gateway${RUN.replace(/_/g, '-')}`
const GATEWAY_PATH = '/api/v1/gateway/openai/v1'
/** what the client asks for, and what the step's published policy answers with */
const REQUESTED_MODEL = 'gpt-4o'
const POLICY_MODEL = 'gpt-4o-mini'
/** the bench's upstream, added to the organization's providers (the others are kept): named as OpenAI, so that
 * the calls are priced with OpenAI's prices as real ones are */
const PROVIDER = 'openai'
const STEP = 'answer'
const MAX_TOKENS = 64

const HELP = `Usage: npm run bench:gateway -- [options]

  --rates R,R        requests/s, open loop, each measured (default 500,2000)
  --modes M,M        chat (not streamed) and/or stream (default chat,stream)
  --duration S       measured seconds per phase (default 20)
  --warmup S         seconds of load at the same rate before each phase is measured (default 5)
  --procs N          load processes per phase (default: one per 1,000 requests/s)
  --client C         openai (the official SDK, default) or http (the same requests from node:http keep-alive
                     sockets: the SDK's fetch costs more CPU than this machine has at 2,000/s; this measures the
                     gateway's own added latency there)
  --upstream-ms MS   the fake upstream's answer time; streamed: its first content chunk (default 20)
  --chunks N         content chunks of a streamed answer (default 5)
  --chunk-gap-ms MS  between two chunks (default 5)
  --no-floor         skip the floor phase: the same calls through a minimal node:http proxy (scripts/bench/floor-proxy.ts:
                     no Outlay code), what Node.js's HTTP server and client alone add on this machine under this load
  --floor-port P     port of that proxy (default: the upstream's port + 1)
  --port P           port of the own web app (default 3302)
  --upstream-port P  port of the fake upstream (default 3303)
  --build            run \`npm run build\` first (also done when .next/BUILD_ID is missing)
  --cpu-prof         profile the web server over each measured window through the gateway and print where its CPU
                     went (own stack; scripts/bench/prof-on-signal.cjs)
  --url URL --key K  target a running stack (127.0.0.1 only): a key with the gateway, read and write scopes; the stack
                     must run with ALLOW_PRIVATE_UPSTREAMS=true (the fake upstream is on 127.0.0.1). The bench adds a
                     provider "${PROVIDER}" to the organization's providers (keeping the others; refused if it has
                     one already), a routing policy and a budget on a workflow of its own.
  --queue-prefix P   with --url: the stack's QUEUE_PREFIX (the bench reads its budget's ledger in Redis)
  --web-pid PID      with --url: the web server's process, to measure its CPU
  --pg URL           PostgreSQL server URL without database (default postgresql://postgres@127.0.0.1:5432)
  --redis URL        Redis URL (default redis://127.0.0.1:6379)
  --json             also print one JSON line with every figure
`

type TMode = 'chat' | 'stream'
type TOpts = {
  rates: number[]
  modes: TMode[]
  duration: number
  warmup: number
  procs: number
  client: 'openai' | 'http'
  upstreamMs: number
  chunks: number
  chunkGapMs: number
  port: number
  upstreamPort: number
  floor: boolean
  floorPort: number
  build: boolean
  cpuProf: boolean
  url?: string
  key?: string
  webPid?: number
  pgServer: string
  redisUrl: string
  queuePrefix: string
  json: boolean
}

function clientOption(v: string | undefined): TOpts['client'] {
  if (v === undefined || v === 'openai' || v === 'http') return v ?? 'openai'
  throw new Error(`--client: "${v}" is neither openai nor http`)
}

function parseOptions(): TOpts {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      rates: { type: 'string' },
      modes: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      procs: { type: 'string' },
      client: { type: 'string' },
      'upstream-ms': { type: 'string' },
      chunks: { type: 'string' },
      'chunk-gap-ms': { type: 'string' },
      port: { type: 'string' },
      'upstream-port': { type: 'string' },
      'no-floor': { type: 'boolean' },
      'floor-port': { type: 'string' },
      build: { type: 'boolean' },
      'cpu-prof': { type: 'boolean' },
      url: { type: 'string' },
      key: { type: 'string' },
      'web-pid': { type: 'string' },
      pg: { type: 'string' },
      redis: { type: 'string' },
      'queue-prefix': { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) {
    process.stdout.write(HELP)
    process.exit(0)
  }
  const int = intOption
  if ((values.url === undefined) !== (values.key === undefined)) throw new Error('--url and --key go together')
  if ((values.url === undefined) !== (values['queue-prefix'] === undefined)) throw new Error('--queue-prefix goes with --url (and is needed there)')
  if (values.url !== undefined && !['127.0.0.1', 'localhost'].includes(new URL(values.url).hostname)) throw new Error('--url: only 127.0.0.1 is allowed')
  if (values['web-pid'] !== undefined && values.url === undefined) throw new Error('--web-pid goes with --url (the own stack measures its web server itself)')
  if (values['cpu-prof'] && values.url !== undefined) throw new Error('--cpu-prof profiles the own stack: not with --url')
  const modes = (values.modes ?? 'chat,stream').split(',').map((m) => m.trim())
  for (const m of modes) if (m !== 'chat' && m !== 'stream') throw new Error(`--modes: "${m}" is neither chat nor stream`)
  return {
    rates: (values.rates ?? '500,2000').split(',').map((r) => int('rates', r.trim(), 0, 1, 50_000)),
    modes: modes as TMode[],
    duration: int('duration', values.duration, 20, 1, 3600),
    warmup: int('warmup', values.warmup, 5, 0, 600),
    procs: int('procs', values.procs, 0, 1, 16),
    client: clientOption(values.client),
    upstreamMs: int('upstream-ms', values['upstream-ms'], 20, 0, 10_000),
    chunks: int('chunks', values.chunks, 5, 1, 1000),
    chunkGapMs: int('chunk-gap-ms', values['chunk-gap-ms'], 5, 0, 10_000),
    port: int('port', values.port, 3302, 1, 65535),
    upstreamPort: int('upstream-port', values['upstream-port'], 3303, 1, 65535),
    floor: !values['no-floor'],
    floorPort: int('floor-port', values['floor-port'], int('upstream-port', values['upstream-port'], 3303, 1, 65535) + 1, 1, 65535),
    build: values.build ?? false,
    cpuProf: values['cpu-prof'] ?? false,
    url: values.url?.replace(/\/+$/, ''),
    key: values.key,
    webPid: values['web-pid'] === undefined ? undefined : int('web-pid', values['web-pid'], 0, 1, 2 ** 22),
    pgServer: (values.pg ?? 'postgresql://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
    redisUrl: values.redis ?? 'redis://127.0.0.1:6379',
    queuePrefix: values['queue-prefix'] ?? QUEUE_PREFIX,
    json: values.json ?? false,
  }
}

// ---------------------------------------------------------------- processes

type TStack = { base: URL; key: string; web?: TStarted; worker?: TStarted; webPid?: number; profDir?: string }

/** The fake upstream in a process of its own; it exits with this one (its IPC channel closes). */
async function startUpstream(o: TOpts): Promise<{ child: ChildProcess; url: string }> {
  if (await portInUse(o.upstreamPort)) throw new Error(`port ${o.upstreamPort} is already in use: stop what listens there or pass --upstream-port`)
  const child = fork(path.join(__dirname, 'bench', 'fake-upstream.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
  const first = await new Promise<TFakeUpstreamMessage>((resolve, reject) => {
    child.once('message', (m) => resolve(m as TFakeUpstreamMessage))
    child.once('exit', (code) => reject(new Error(`the fake upstream exited (${code}) during start-up`)))
    child.send({ port: o.upstreamPort, firstMs: o.upstreamMs, chunks: o.chunks, gapMs: o.chunkGapMs } satisfies TFakeUpstreamOptions)
  })
  if (!('ready' in first)) throw new Error(`the fake upstream did not start: ${JSON.stringify(first)}`)
  return { child, url: `http://127.0.0.1:${first.ready}` }
}

/** The floor proxy (scripts/bench/floor-proxy.ts) in a process of its own, with the web server's young-generation size
 * (npm start's --max-semi-space-size); it exits with this one. */
async function startFloor(o: TOpts, upstreamUrl: string): Promise<{ child: ChildProcess; url: string }> {
  if (await portInUse(o.floorPort)) throw new Error(`port ${o.floorPort} is already in use: stop what listens there or pass --floor-port`)
  const child = fork(path.join(__dirname, 'bench', 'floor-proxy.ts'), [], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [FLOOR_PROXY_CHILD]: '1' },
    // as npm start passes OUTLAY_SEMI_SPACE_MB, unquoted: a size, and any V8 flags after it
    execArgv: [...process.execArgv, ...`--max-semi-space-size=${process.env.OUTLAY_SEMI_SPACE_MB ?? 64}`.split(/\s+/)],
  })
  const first = await new Promise<TFloorProxyMessage>((resolve, reject) => {
    child.once('message', (m) => resolve(m as TFloorProxyMessage))
    child.once('exit', (code) => reject(new Error(`the floor proxy exited (${code}) during start-up`)))
    child.send({ port: o.floorPort, upstream: upstreamUrl } satisfies TFloorProxyOptions)
  })
  if (!('ready' in first)) throw new Error(`the floor proxy did not start: ${JSON.stringify(first)}`)
  return { child, url: `http://127.0.0.1:${first.ready}` }
}

// ---------------------------------------------------------------- set-up through the API

type TSetup = { workflow: string; headers: Record<string, string>; gatewayCalls: number; policyId: string; budgetId: string }

async function api(agent: http.Agent, s: TStack, method: 'GET' | 'POST' | 'PUT', p: string, body?: unknown) {
  const r = await request(agent, s.base, method, p, s.key, body === undefined ? undefined : JSON.stringify(body))
  if (r.status >= 400) throw new Error(`${method} ${p}: ${r.status} ${r.body.slice(0, 400)}`)
  return JSON.parse(r.body) as Record<string, unknown>
}

/**
 * The budget's real-time ledger in Redis (lib/budgets/ledger.ts): whether the evaluation published it among the
 * organization's ledgered budgets (what the gateway reads every second), and what the calls settled on it today.
 */
async function ledgerState(redisUrl: string, prefix: string, budgetId: string): Promise<{ published: boolean; spentMicros: number; heldMicros: number }> {
  const redis = new IORedis(redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true })
  try {
    await redis.connect()
    let published = false
    for (let cursor = '0'; ; ) {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:budget-ledgers:*`, 'COUNT', 1000)
      for (const k of keys) if ((await redis.get(k))?.includes(budgetId)) published = true
      cursor = next
      if (cursor === '0' || published) break
    }
    const h = await redis.hgetall(`${prefix}:budget-ledger:${budgetId}:d${new Date().toISOString().slice(0, 10)}`)
    // held: the calls reserved directly, and the web processes' live leases (L:<process>, expiring at T:<process>)
    let held = Number(h.held ?? 0)
    for (const [k, v] of Object.entries(h)) if (k.startsWith('L:') && Number(h[`T:${k.slice(2)}`] ?? 0) >= Date.now()) held += Number(v)
    return { published, spentMicros: Number(h.spent ?? 0), heldMicros: held }
  } finally {
    redis.disconnect()
  }
}

/**
 * The bench's upstream among the organization's providers, a routing policy on its step (published: its model
 * replaces the requested one), and a hard-cutoff budget covering the step, large enough never to trip; returns
 * once the budget's ledger is published (each call then reserves its maximum cost and settles) and an answer
 * through the gateway names the policy's model.
 */
async function setUp(agent: http.Agent, s: TStack, o: TOpts, upstreamUrl: string): Promise<TSetup> {
  const workflow = `bench-gw-${Date.now().toString(36)}`
  const providers = (await api(agent, s, 'GET', '/api/v1/gateway/providers')).providers as { provider: string; base_url: string }[]
  const theirs = providers.find((p) => p.provider === PROVIDER && p.base_url !== `${upstreamUrl}/v1`)
  if (theirs) throw new Error(`the organization has an "${PROVIDER}" provider (${theirs.base_url}): use one without (the bench would replace it)`)
  const kept = providers.filter((p) => p.provider !== PROVIDER).map((p) => ({ provider: p.provider, base_url: p.base_url }))
  try {
    await api(agent, s, 'PUT', '/api/v1/gateway/providers', {
      providers: [...kept, { provider: PROVIDER, base_url: `${upstreamUrl}/v1`, api_key: 'sk-bench-fake-upstream-0000' }],
    })
  } catch (e) {
    throw new Error(`${(e as Error).message}\n(a stack of your own must run with ALLOW_PRIVATE_UPSTREAMS=true: the fake upstream is on 127.0.0.1)`)
  }
  const created = await api(agent, s, 'POST', '/api/v1/policies', {
    workflow_id: workflow,
    step: STEP,
    candidates: [{ provider: 'openai', model: POLICY_MODEL }],
  })
  const policyId = (created.policy as { id: string }).id
  await api(agent, s, 'POST', `/api/v1/policies/${policyId}/publish`, { note: `bench:gateway: route ${workflow}/${STEP} to ${POLICY_MODEL}` })
  const { budget } = (await api(agent, s, 'POST', '/api/v1/budgets', {
    name: `bench:gateway ${workflow}`,
    workflow_id: workflow,
    period: 'day',
    metric: 'spend',
    amount_usd: '1000000',
    hard_cutoff: true,
    cutoff_action: 'deny',
  })) as { budget: { id: string } }
  const t0 = Date.now()
  // creating a budget queues its evaluation at once, which publishes the ledgered budgets; the gateway re-reads them every second
  while (!(await ledgerState(o.redisUrl, o.queuePrefix, budget.id)).published) {
    if (Date.now() - t0 > 90_000) throw new Error(`the budget's ledger was not published within 90 s (is a worker running on queue prefix ${o.queuePrefix}?)`)
    await sleep(250)
  }
  await sleep(1500)
  const headers = { 'x-outlay-workflow-id': workflow, 'x-outlay-step': STEP }
  const call = (h: Record<string, string>, model: string, maxTokens: number) =>
    request(
      agent,
      s.base,
      'POST',
      `${GATEWAY_PATH}/chat/completions`,
      s.key,
      JSON.stringify({ model, max_tokens: maxTokens, messages: [{ role: 'user', content: 'set-up call' }] }),
      10_000,
      h,
    )
  // the policy: the answer names its model
  let gatewayCalls = 0
  for (let last = ''; ; await sleep(250)) {
    const r = await call(headers, REQUESTED_MODEL, MAX_TOKENS)
    gatewayCalls++
    if (r.status === 200 && r.headers['x-outlay-model'] === POLICY_MODEL && r.headers['x-outlay-policy-id'] === policyId) break
    last = `${r.status} x-outlay-model ${r.headers['x-outlay-model']} ${r.body.slice(0, 200)}`
    if (Date.now() - t0 > 90_000) throw new Error(`the published policy did not reach the gateway within 90 s (last answer: ${last})`)
  }
  log(
    `set up in ${fmt(Date.now() - t0)} ms: provider ${PROVIDER} → ${upstreamUrl}/v1, policy ${policyId} (${REQUESTED_MODEL} → ${POLICY_MODEL}), budget ${budget.id}`,
  )
  return { workflow, headers, gatewayCalls, policyId, budgetId: budget.id }
}

// ---------------------------------------------------------------- one phase

type TTarget = 'direct' | 'floor' | 'gateway'
type TCpu = { web: number; worker: number; upstream: number; floor: number; machine: number; at: number }
type TProcs = { child: ChildProcess; url: string; floor: { child: ChildProcess; url: string } | null }
type TPhase = {
  target: TTarget
  mode: TMode
  rate: number
  procs: number
  measured: number
  answered: number
  routed: number
  errors: number
  warmup_errors: number
  error_samples: string[]
  sent: number
  achieved_rate: number
  p50_ms: number
  p90_ms: number
  p99_ms: number
  max_ms: number
  ttft_p50_ms: number | null
  ttft_p99_ms: number | null
  service_p50_ms: number
  service_p99_ms: number
  web_cores: number
  web_cpu_ms_per_call: number
  worker_cores: number
  upstream_cores: number
  /** the floor proxy's CPU (floor phases) */
  floor_cores: number
  floor_cpu_ms_per_call: number
  clients: {
    cpu_cores: number
    /** the load processes' CPU over the measured window ÷ the requests scheduled in it */
    cpu_ms_per_call: number
    loop_delay_p99_ms: number
    loop_delay_max_ms: number
    gc_pauses: number
    gc_total_ms: number
    gc_max_ms: number
  }
  machine_busy_cores: number
  others_cores: number
  load_average: number[]
  /** --cpu-prof: the web server's profile over the measured window (gateway phases) */
  profile?: TProfSummary | null
}

/** The process of the web server's group that runs server.ts (npm and tsx's launcher are its parents). */
function serverPid(s: TStack): number | null {
  const procs = [...readProcs().values()].filter((p) => p.pgrp === s.web?.pid && /server\.ts/.test(cmdline(p.pid)))
  return procs.sort((a, b) => b.ticks - a.ticks)[0]?.pid ?? null
}

/** Profile the web server from now until the returned function is called (scripts/bench/prof-on-signal.cjs). */
function profileWindow(s: TStack): () => Promise<TProfSummary | null> {
  const pid = s.profDir ? serverPid(s) : null
  if (!pid || !s.profDir) return async () => null
  const dir = s.profDir
  const before = new Set(fs.readdirSync(dir))
  process.kill(pid, 'SIGUSR2')
  return async () => {
    process.kill(pid, 'SIGUSR2')
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await sleep(200)) {
      const f = fs.readdirSync(dir).find((x) => x.endsWith('.cpuprofile') && !before.has(x))
      if (f) return summariseProfile(path.join(dir, f))
    }
    return null
  }
}

function cpuNow(s: TStack, upstream: TProcs): TCpu {
  return {
    floor: pidTicks(upstream.floor?.child.pid),
    web: s.web ? groupTicks(s.web.pid) : pidTicks(s.webPid),
    worker: groupTicks(s.worker?.pid),
    upstream: pidTicks(upstream.child.pid),
    machine: machineBusyTicks(),
    at: performance.now(),
  }
}

/** One phase: `procs` load processes sending `rate` requests/s together, warm-up then measured window. */
async function phase(o: TOpts, s: TStack, upstream: TProcs, setup: TSetup, target: TTarget, mode: TMode, rate: number): Promise<TPhase> {
  const procs = o.procs || Math.max(1, Math.ceil(rate / 1000))
  const children = Array.from({ length: procs }, () =>
    fork(path.join(__dirname, 'bench', 'gateway-load.ts'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }),
  )
  const exited = (c: ChildProcess) =>
    new Promise<never>((_, reject) => c.once('exit', (code) => reject(new Error(`a load process exited (${code}) before answering`))))
  const next = (c: ChildProcess) => new Promise<unknown>((resolve) => c.once('message', resolve))
  await Promise.race([Promise.all(children.map(next)), ...children.map(exited)]) // each { ready: true }: the client is loaded
  const startAt = Date.now() + 300
  const answers = children.map((c) => Promise.race([next(c) as Promise<TGwLoadResult>, exited(c)]))
  for (const [index, c] of children.entries()) {
    c.send({
      ...(target === 'gateway'
        ? { baseURL: `${s.base.origin}${GATEWAY_PATH}`, apiKey: s.key, headers: setup.headers, expectModel: POLICY_MODEL }
        : {
            baseURL: `${target === 'floor' && upstream.floor ? upstream.floor.url : upstream.url}/v1`,
            apiKey: 'sk-bench-fake-upstream-0000',
            headers: {},
            expectModel: REQUESTED_MODEL,
          }),
      client: o.client,
      stream: mode === 'stream',
      model: REQUESTED_MODEL,
      maxTokens: MAX_TOKENS,
      rate,
      procs,
      index,
      startAt,
      warmupS: o.warmup,
      seconds: o.duration,
    } satisfies TGwLoadRequest)
  }
  let cpu0: TCpu | null = null
  let stopProfile: (() => Promise<TProfSummary | null>) | null = null
  const snap = setTimeout(
    () => {
      cpu0 = cpuNow(s, upstream)
      if (target === 'gateway') stopProfile = profileWindow(s)
    },
    Math.max(0, startAt + o.warmup * 1000 - Date.now()),
  )
  const results = await Promise.all(answers)
  clearTimeout(snap)
  const cpu1 = cpuNow(s, upstream)
  const profile = stopProfile ? await (stopProfile as () => Promise<TProfSummary | null>)() : undefined
  const c0: TCpu = cpu0 ?? cpu1
  const wall = (cpu1.at - c0.at) / 1000
  const total = results.flatMap((r) => r.total)
  const ttft = results.flatMap((r) => r.ttft)
  const service = results.flatMap((r) => r.service)
  const answered = total.length
  const clientCpu = results.reduce((a, r) => a + r.client.cpu_s, 0)
  const cores = (ticks: number) => ticks / 100 / wall
  const web = cores(cpu1.web - c0.web)
  const worker = cores(cpu1.worker - c0.worker)
  const up = cores(cpu1.upstream - c0.upstream)
  const floor = target === 'floor' ? cores(cpu1.floor - c0.floor) : 0
  const machine = cores(cpu1.machine - c0.machine)
  const known = [web, worker, up, floor].filter(Number.isFinite).reduce((a, b) => a + b, 0) + clientCpu / wall
  return {
    target,
    mode,
    rate,
    procs,
    measured: results.reduce((a, r) => a + r.measured, 0),
    answered,
    routed: results.reduce((a, r) => a + r.routed, 0),
    errors: results.reduce((a, r) => a + r.errors, 0),
    warmup_errors: results.reduce((a, r) => a + r.warmupErrors, 0),
    error_samples: [...new Set(results.flatMap((r) => r.errorSamples))].slice(0, 5),
    sent: results.reduce((a, r) => a + r.sent, 0),
    achieved_rate: answered / Math.max(...results.map((r) => r.wallS)),
    p50_ms: percentile(total, 50),
    p90_ms: percentile(total, 90),
    p99_ms: percentile(total, 99),
    max_ms: percentile(total, 100),
    ttft_p50_ms: mode === 'stream' ? percentile(ttft, 50) : null,
    ttft_p99_ms: mode === 'stream' ? percentile(ttft, 99) : null,
    service_p50_ms: percentile(service, 50),
    service_p99_ms: percentile(service, 99),
    web_cores: web,
    web_cpu_ms_per_call: ((cpu1.web - c0.web) * 10) / Math.max(1, answered),
    worker_cores: worker,
    upstream_cores: up,
    floor_cores: floor,
    floor_cpu_ms_per_call: target === 'floor' ? ((cpu1.floor - c0.floor) * 10) / Math.max(1, answered) : NaN,
    clients: {
      cpu_cores: clientCpu / wall,
      cpu_ms_per_call:
        (clientCpu * 1000) /
        Math.max(
          1,
          results.reduce((a, r) => a + r.measured, 0),
        ),
      loop_delay_p99_ms: Math.max(...results.map((r) => r.client.loop_delay_p99_ms)),
      loop_delay_max_ms: Math.max(...results.map((r) => r.client.loop_delay_max_ms)),
      gc_pauses: results.reduce((a, r) => a + r.client.gc_pauses, 0),
      gc_total_ms: results.reduce((a, r) => a + r.client.gc_total_ms, 0),
      gc_max_ms: Math.max(...results.map((r) => r.client.gc_max_ms)),
    },
    machine_busy_cores: machine,
    others_cores: machine - known,
    load_average: loadAverage(),
    profile,
  }
}

// ---------------------------------------------------------------- recording

/** The events stored for the bench's workflow so far, through GET /api/v1/metrics (what the worker rolled up). */
async function storedEvents(agent: http.Agent, s: TStack, workflow: string, since: number): Promise<number> {
  const from = new Date(since - 3600_000).toISOString()
  const to = new Date(since + 6 * 3600_000).toISOString()
  const q = `/api/v1/metrics?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&granularity=none&workflow_id=${encodeURIComponent(workflow)}`
  const rows = (await api(agent, s, 'GET', q)).rows as { events: number }[]
  return rows.reduce((a, r) => a + r.events, 0)
}

/** outlay_gateway_events_dropped_total of the web process (null when /api/metrics/prometheus wants a token). */
async function droppedEvents(agent: http.Agent, s: TStack): Promise<number | null> {
  const r = await request(agent, s.base, 'GET', '/api/metrics/prometheus', '')
  if (r.status !== 200) return null
  let n = 0
  for (const line of r.body.split('\n')) if (line.startsWith('outlay_gateway_events_dropped_total')) n += Number(line.split(' ').pop())
  return n
}

// ---------------------------------------------------------------- main

const ms = (v: number | null) => (v === null || !Number.isFinite(v) ? 'n/a' : `${v.toFixed(2)} ms`)
const pct = (p: TPhase, k: 'p50_ms' | 'p90_ms' | 'p99_ms' | 'max_ms' | 'ttft_p50_ms' | 'ttft_p99_ms') => p[k] as number

async function main(): Promise<void> {
  const o = parseOptions()
  const loadBefore = loadAverage()
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outlay-bench-gateway-'))
  const up0 = await startUpstream(o)
  log(`fake upstream on ${up0.url} (pid ${up0.child.pid}): answers in ${o.upstreamMs} ms; streamed: ${o.chunks} chunks ${o.chunkGapMs} ms apart`)
  const upstream: TProcs = { ...up0, floor: o.floor ? await startFloor(o, up0.url) : null }
  if (upstream.floor) log(`floor proxy (node:http only) on ${upstream.floor.url} (pid ${upstream.floor.child.pid})`)
  const profDir = o.cpuProf ? path.join(logDir, 'prof-web') : undefined
  if (profDir) fs.mkdirSync(profDir)
  const stack: TStack =
    o.url && o.key
      ? { base: new URL(o.url), key: o.key, webPid: o.webPid }
      : await startOwnStack(
          { ...o, cpuProfDir: profDir },
          {
            db: BENCH_DB,
            prefix: QUEUE_PREFIX,
            logDir,
            orgName: 'Gateway bench',
            scopes: ['gateway', 'read', 'write'],
            env: { ALLOW_PRIVATE_UPSTREAMS: 'true' },
          },
        ).then((own) => ({ ...own, profDir }))
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  const setup = await setUp(agent, stack, o, upstream.url)
  const since = Date.now()
  const ledger0 = await ledgerState(o.redisUrl, o.queuePrefix, setup.budgetId)

  const blocks: { rate: number; mode: TMode; direct: TPhase; floor: TPhase | null; gateway: TPhase }[] = []
  for (const rate of o.rates)
    for (const mode of o.modes) {
      const b: Partial<(typeof blocks)[number]> = { rate, mode, floor: null }
      for (const target of upstream.floor ? (['direct', 'floor', 'gateway'] as const) : (['direct', 'gateway'] as const)) {
        const through = target === 'direct' ? 'direct' : target === 'floor' ? 'floor proxy' : 'gateway'
        log(`${through}, ${mode === 'stream' ? 'streamed' : 'not streamed'}: ${o.warmup} s warm-up + ${o.duration} s at ${fmt(rate)} requests/s…`)
        const r = await phase(o, stack, upstream, setup, target, mode, rate)
        b[target] = r
        log(
          `  ${fmt(r.answered)} of ${fmt(r.measured)} answered, p50 ${ms(r.p50_ms)} p99 ${ms(r.p99_ms)}${mode === 'stream' ? `, first chunk p99 ${ms(r.ttft_p99_ms)}` : ''}; web ${r.web_cores.toFixed(2)} cores, clients ${r.clients.cpu_cores.toFixed(2)}, machine ${r.machine_busy_cores.toFixed(2)} (others ${r.others_cores.toFixed(2)})`,
        )
        await sleep(1000)
      }
      blocks.push(b as (typeof blocks)[number])
    }
  const lastCall = Date.now()

  // recording: every gateway call (set-up and load, warm-up included) should become a stored event
  const expected = setup.gatewayCalls + blocks.reduce((a, b) => a + b.gateway.sent, 0)
  let stored = 0
  let storedAfterMs = NaN
  for (let lastChange = Date.now(), prev = -1; ; await sleep(1000)) {
    stored = await storedEvents(agent, stack, setup.workflow, since)
    if (stored !== prev) lastChange = Date.now()
    prev = stored
    if (stored >= expected) {
      storedAfterMs = Date.now() - lastCall
      break
    }
    if (Date.now() - lastChange > 20_000 || Date.now() - lastCall > 180_000) break
  }
  const dropped = await droppedEvents(agent, stack).catch(() => null)
  // a web process gives its lease back after a second without calls, and moves settled spend into the ledger every 100 ms
  let ledger1 = await ledgerState(o.redisUrl, o.queuePrefix, setup.budgetId)
  for (const t0 = Date.now(); ledger1.heldMicros !== 0 && Date.now() - t0 < 5_000; ) {
    await new Promise((r) => setTimeout(r, 200))
    ledger1 = await ledgerState(o.redisUrl, o.queuePrefix, setup.budgetId)
  }
  const loadCalls = blocks.reduce((a, b) => a + b.gateway.sent, 0)
  const budget = {
    settled_usd: (ledger1.spentMicros - ledger0.spentMicros) / 1e6,
    held_at_end_usd: ledger1.heldMicros / 1e6,
    gateway_calls: loadCalls,
  }
  agent.destroy()
  const loadAfter = loadAverage()

  /** what `p` added to the direct calls `d`, percentile by percentile */
  const addedBy = (p: TPhase, d: TPhase, mode: TMode) => ({
    p50_ms: p.p50_ms - d.p50_ms,
    p90_ms: p.p90_ms - d.p90_ms,
    p99_ms: p.p99_ms - d.p99_ms,
    ttft_p50_ms: mode === 'stream' ? pct(p, 'ttft_p50_ms') - pct(d, 'ttft_p50_ms') : null,
    ttft_p99_ms: mode === 'stream' ? pct(p, 'ttft_p99_ms') - pct(d, 'ttft_p99_ms') : null,
  })
  const figures = blocks.map((b) => {
    const target = TARGET_P99_ADDED_MS[b.rate] ?? null
    const added = addedBy(b.gateway, b.direct, b.mode)
    const floorAdded = b.floor ? addedBy(b.floor, b.direct, b.mode) : null
    const clean = (p: TPhase) => p.errors === 0 && p.achieved_rate >= p.rate * 0.98 && p.answered === p.measured
    const routedAll = b.gateway.routed === b.gateway.answered
    const p99 = b.mode === 'stream' ? (added.ttft_p99_ms as number) : added.p99_ms
    // "Added" is a difference of two runs' percentiles: it means something only when the direct calls ran undisturbed
    // (their p99 near their median). A stall of the machine during the direct phase makes the gateway look faster
    // than the upstream itself, so no verdict is given then.
    const spread = (b.mode === 'stream' ? pct(b.direct, 'ttft_p99_ms') - pct(b.direct, 'ttft_p50_ms') : b.direct.p99_ms - b.direct.p50_ms) as number
    const directUndisturbed = spread <= DIRECT_SPREAD_MAX_MS
    const verdict: 'MET' | 'MISSED' | 'NOT MEASURED' | null =
      target === null ? null : !directUndisturbed ? 'NOT MEASURED' : p99 <= target && clean(b.direct) && clean(b.gateway) && routedAll ? 'MET' : 'MISSED'
    const met = verdict === null || verdict === 'NOT MEASURED' ? null : verdict === 'MET'
    return { ...b, added, floor_added: floorAdded, target_p99_added_ms: target, direct_spread_ms: spread, verdict, met }
  })
  const fig = {
    rates: o.rates,
    modes: o.modes,
    duration_s: o.duration,
    warmup_s: o.warmup,
    upstream: { answer_ms: o.upstreamMs, chunks: o.chunks, chunk_gap_ms: o.chunkGapMs },
    cores: os.cpus().length,
    load_average_before: loadBefore,
    load_average_after: loadAfter,
    results: figures,
    recording: { expected, stored, stored_after_ms: storedAfterMs, dropped },
    budget,
  }

  const lines: string[] = [
    '',
    `Outlay gateway (${GATEWAY_PATH}, chat completions) against the same ${o.client === 'openai' ? '`openai` client' : 'node:http client (--client http)'} straight at the fake upstream`,
    `  upstream ${o.upstreamMs} ms (streamed: first content chunk at ${o.upstreamMs} ms, ${o.chunks} chunks ${o.chunkGapMs} ms apart); ${o.duration} s measured after ${o.warmup} s warm-up per phase, open loop`,
    `  on: policy ${REQUESTED_MODEL} → ${POLICY_MODEL} (${setup.workflow}/${STEP}), ledgered hard-cutoff budget, recording (worker)`,
    `  ${fig.cores} cores; load average before ${loadBefore.join(' ')}, after ${loadAfter.join(' ')}`,
  ]
  const row = (p: TPhase) => {
    const t = p.mode === 'stream' ? `   first chunk p50 ${ms(p.ttft_p50_ms)} p99 ${ms(p.ttft_p99_ms)}` : ''
    return `p50 ${ms(p.p50_ms)}  p90 ${ms(p.p90_ms)}  p99 ${ms(p.p99_ms)}  max ${ms(p.max_ms)}${t}`
  }
  const count = (p: TPhase) =>
    `${fmt(p.answered)} of ${fmt(p.measured)} answered (${fmt(p.achieved_rate)}/s), errors ${fmt(p.errors)}${p.warmup_errors ? ` (+${fmt(p.warmup_errors)} in warm-up)` : ''}${p.target === 'gateway' ? `, ${fmt(p.routed)} answered by ${POLICY_MODEL}` : ''}`
  const client = (p: TPhase) =>
    `${p.procs} process${p.procs > 1 ? 'es' : ''} ${p.clients.cpu_cores.toFixed(2)} cores (${p.clients.cpu_ms_per_call.toFixed(2)} ms a call), loop delay p99 ${ms(p.clients.loop_delay_p99_ms)} max ${ms(p.clients.loop_delay_max_ms)}, GC ${p.clients.gc_pauses} pauses ${ms(p.clients.gc_total_ms)} (longest ${ms(p.clients.gc_max_ms)})`
  const machine = (p: TPhase) =>
    `${p.machine_busy_cores.toFixed(2)} cores busy, ${Number.isFinite(p.others_cores) ? p.others_cores.toFixed(2) : 'n/a'} of them none of the bench's processes (PostgreSQL, Redis, other users)`
  for (const f of figures) {
    lines.push('', `${fmt(f.rate)} requests/s, ${f.mode === 'stream' ? 'streamed' : 'not streamed'}`)
    lines.push(`  direct    ${row(f.direct)}`, `            ${count(f.direct)}`)
    if (f.floor) lines.push(`  floor     ${row(f.floor)}`, `            ${count(f.floor)}`)
    lines.push(`  gateway   ${row(f.gateway)}`, `            ${count(f.gateway)}`)
    const addedRow = (a: ReturnType<typeof addedBy>) =>
      `p50 ${ms(a.p50_ms)}  p90 ${ms(a.p90_ms)}  p99 ${ms(a.p99_ms)}${f.mode === 'stream' ? `   first chunk p50 ${ms(a.ttft_p50_ms)} p99 ${ms(a.ttft_p99_ms)}` : ''}`
    lines.push(`  added     ${addedRow(f.added)}   (gateway minus direct, per percentile)`)
    if (f.floor_added)
      lines.push(
        `  floor     ${addedRow(f.floor_added)}   (a minimal node:http proxy minus direct: what Node.js's HTTP alone adds here; ${f.floor!.floor_cpu_ms_per_call.toFixed(3)} ms CPU per call)`,
      )
    const what = f.mode === 'stream' ? 'first-chunk p99 added' : 'p99 added'
    lines.push(
      f.target_p99_added_ms === null
        ? `  target    none at this rate (p99 added ≤ 2 ms at 500/s, ≤ 5 ms at 2,000/s)`
        : f.verdict === 'NOT MEASURED'
          ? `  target    ${what} ≤ ${f.target_p99_added_ms} ms: NOT MEASURED — the direct calls were disturbed (their p99 ${ms(f.direct_spread_ms)} above their median, more than ${DIRECT_SPREAD_MAX_MS} ms): the machine was busy; run again on a quiet one`
          : `  target    ${what} ≤ ${f.target_p99_added_ms} ms, every call answered at the rate and routed: ${f.verdict}`,
    )
    const g = f.gateway
    lines.push(
      `  gateway CPU ${Number.isFinite(g.web_cpu_ms_per_call) ? `${g.web_cpu_ms_per_call.toFixed(3)} ms per call (web process ${g.web_cores.toFixed(2)} cores; ${f.direct.web_cores.toFixed(2)} idle, during the direct phase)` : 'n/a (running stack: pass --web-pid)'}`,
      `  worker    ${Number.isFinite(g.worker_cores) ? `${g.worker_cores.toFixed(2)} cores storing the events` : 'n/a'}; fake upstream ${f.direct.upstream_cores.toFixed(2)} cores direct, ${g.upstream_cores.toFixed(2)} via the gateway`,
      `  clients   direct: ${client(f.direct)}`,
      `            gateway: ${client(g)}`,
      `  machine   direct: ${machine(f.direct)}; load ${f.direct.load_average.join(' ')}`,
      ...(f.floor ? [`            floor: ${machine(f.floor)}; load ${f.floor.load_average.join(' ')}`] : []),
      `            gateway: ${machine(g)}; load ${g.load_average.join(' ')}`,
    )
    for (const p of [f.direct, ...(f.floor ? [f.floor] : []), g])
      if (p.error_samples.length) lines.push(`  errors (${p.target}): ${p.error_samples.join(' | ')}`)
  }
  lines.push(
    '',
    `Budget: its ledger settled $${budget.settled_usd.toFixed(6)} over the ${fmt(loadCalls)} calls of the load ($${(budget.settled_usd / Math.max(1, loadCalls)).toFixed(8)} a call), $${budget.held_at_end_usd.toFixed(6)} still held at the end (reserved or leased, not settled, 5 s after the last call)`,
    `Recording: ${fmt(stored)} of ${fmt(expected)} gateway calls stored as events (GET /api/v1/metrics, workflow ${setup.workflow})${Number.isFinite(storedAfterMs) ? `, all within ${fmt(storedAfterMs)} ms of the last call` : ' when the count stopped moving'}; dropped by the gateway: ${dropped ?? 'n/a'}`,
    '',
  )
  for (const f of figures)
    if (f.gateway.profile)
      lines.push(...profileLines([{ name: `web, ${fmt(f.rate)}/s ${f.mode === 'stream' ? 'streamed' : 'not streamed'}`, summary: f.gateway.profile }], 25))
  process.stdout.write(lines.join('\n'))
  if (o.json) process.stdout.write(`${JSON.stringify(fig)}\n`)
}

runMain(main)
