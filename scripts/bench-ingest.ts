// npm run bench:ingest — black-box ingest benchmark against the documented API.
//
// Target (issue 22): on the realistic load (hundreds of accounts × workflows ×
// steps × models × features, timestamps over the last two hours: nearly every
// event lands in rollup rows of its own), a ratio ≥ 0.08 between the end-to-end
// events/s and the COPY ceiling of the same rows into a table with a primary
// key, measured in the same run (≈ 15,000 events/s on a quiet 2-core machine),
// with p99 freshness under 2 s, web + worker + PostgreSQL + Redis sharing the
// machine. Every run also measures the low-cardinality load (the demo
// templates, every timestamp now) first, for comparison: --no-low skips it.
//
// By default it starts its own stack (database outlay_bench, queue prefix
// outlay-bench, the web server on port 3200, N workers; with --chaos its own redis-server) and stops it at the end or on
// Ctrl-C; `--url URL --key KEY` targets a running stack instead. Only
// 127.0.0.1. Run with --help for the options.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { randomBytes, randomUUID } from 'node:crypto'
import { Client } from 'pg'
import { generateDemoEvents, type TDemoEvent } from '../lib/demo/generate'
import { HOUR_MS } from '../lib/domain'
import { ROLLUP_TABLES } from '../lib/rollups/tables'
import { compareRollupsWithEvents, type TTableEquality } from '../lib/rollups/equality'
import IORedis from 'ioredis'
import {
  adminQuery,
  clearRedisPrefix,
  cmdline,
  copyFrom,
  copyText,
  fmt,
  getHealth,
  groupAlive,
  killGroup,
  log,
  percentile,
  portInUse,
  readProcs,
  request,
  run,
  runMain,
  sleep,
  statementLabel,
  prepareFreshStack,
  startProcess,
  started,
  stopStarted,
  tail,
  type TAnswer,
  type TProcInfo,
  type TStarted,
  intOption,
} from './bench/common'
import { profileLines, profileSummaries } from './bench/profile'
import { CARDINALITIES, describeCardinality, EventFactory, parseCardinality, type TCardinality } from './bench/ingest-load'

const TARGET = { eventsPerSecond: 15_000, freshnessP99Ms: 2_000, ratio: 0.08 } as const
// OUTLAY_TEST_RUN (as in the tests) gives each engineer on a shared machine their own databases and queue prefix.
const RUN = /^[a-z0-9_]+$/.test(process.env.OUTLAY_TEST_RUN ?? '') ? `_${process.env.OUTLAY_TEST_RUN}` : ''
const BENCH_DB = `outlay_bench${RUN}`
const CEILING_DB = `outlay_bench_ceiling${RUN}`
const QUEUE_PREFIX = `outlay-bench${RUN.replace(/_/g, '-')}`

// ---------------------------------------------------------------- options

const HELP = `Usage: npm run bench:ingest -- [options]

  --cardinality C    the load: realistic (default: 400 accounts, 60 workflows × 8 steps, 16 models, 40 features,
                     5,000 users, timestamps over the last 120 minutes), low (the demo templates, every timestamp
                     now), or either changed by key=value pairs: realistic,accounts=200,spreadMinutes=60
                     (keys: accounts, workflows, steps, models, features, users, spreadMinutes; 0 = the template's)
  --no-low           do not run the low-cardinality load first (by default every run measures it, then the
                     --cardinality load, each on a fresh stack, against one COPY ceiling measured after both)
  --duration S       load duration in seconds, each load (default 30)
  --clients N        concurrent HTTP clients, keep-alive (default 8)
  --batch N          events per request, 1-1000 (default 100)
  --workers N[,N…]   worker processes of the own stack, 1 to 8 (default 1); a list (1,2,4) measures the
                     --cardinality load once per count, each on a fresh database, and prints them side by side
                     (the low load, unless --no-low, runs once with the first count)
  --chaos            during the --cardinality load (not the low one), SIGKILL one worker's process group at a random
                     moment while it holds an ingest transaction open and restart it, and FLUSHALL Redis once at
                     another random moment; the stack then uses a redis-server of its own (a free port from 6392,
                     nothing saved, stopped at the end), never the shared one. After the drain: every id answered
                     as accepted is in inference_events exactly once, and every rollup table equals the SQL over the
                     events (lib/rollups/equality.ts); exit code 1 when not
  --concurrency N    WORKER_CONCURRENCY of each worker (default 2, the product's default)
  --build            run \`npm run build\` first (also done when .next/BUILD_ID is missing)
  --port P           port of the own web app (default 3200)
  --url URL --key K  target a running stack (127.0.0.1 only) with an ingest+read key
  --sample-every N   freshness sample: every Nth batch (default 20)
  --poll-ms MS       metrics polling interval for freshness and the drain (default 250)
  --drain-timeout S  how long to wait for every accepted event to be counted (default 600)
  --copy-rows N      rows for the COPY ceiling (default: the accepted events, at least 100,000)
  --copy-via pg|psql how to stream the COPY (default pg; psql: \\copy from a temp file)
  --pg URL           PostgreSQL server URL without database (default $PG_SERVER_URL or postgresql://postgres@127.0.0.1:5432)
  --redis URL        Redis URL (default $REDIS_URL or redis://127.0.0.1:6379)
  --cpu-prof         run web and workers with --cpu-prof and print where their CPU time goes
  --ceiling-only     only measure the COPY ceiling (--copy-rows, default 1,200,000), no stack, no load
  --analyze          ANALYZE the fresh bench database after the warm-up (as a database with statistics; default: no,
                     the tables start never analyzed and autovacuum's first visit may come after the load)
  --keep-db          keep the outlay_bench[_$OUTLAY_TEST_RUN] database of the last load afterwards (default: dropped)
  --json             also print one JSON line with every figure (the table then goes to stderr)
`

type TOpts = {
  cardinality: { name: string; c: TCardinality }
  withLow: boolean
  duration: number
  clients: number
  batch: number
  workers: number[]
  chaos: boolean
  concurrency: number
  build: boolean
  port: number
  url?: string
  key?: string
  sampleEvery: number
  pollMs: number
  drainTimeout: number
  copyRows?: number
  copyVia: 'pg' | 'psql'
  pgServer: string
  redisUrl: string
  cpuProf: boolean
  keepDb: boolean
  json: boolean
  ceilingOnly: boolean
  analyze: boolean
}

function parseOptions(): TOpts {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      cardinality: { type: 'string' },
      'no-low': { type: 'boolean' },
      duration: { type: 'string' },
      clients: { type: 'string' },
      batch: { type: 'string' },
      workers: { type: 'string' },
      chaos: { type: 'boolean' },
      concurrency: { type: 'string' },
      build: { type: 'boolean' },
      port: { type: 'string' },
      url: { type: 'string' },
      key: { type: 'string' },
      'sample-every': { type: 'string' },
      'poll-ms': { type: 'string' },
      'drain-timeout': { type: 'string' },
      'copy-rows': { type: 'string' },
      'copy-via': { type: 'string' },
      pg: { type: 'string' },
      redis: { type: 'string' },
      'cpu-prof': { type: 'boolean' },
      'keep-db': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
      'ceiling-only': { type: 'boolean' },
      analyze: { type: 'boolean' },
    },
  })
  if (values.help) {
    process.stdout.write(HELP)
    process.exit(0)
  }
  const int = intOption
  const copyVia = values['copy-via'] ?? 'pg'
  if (copyVia !== 'pg' && copyVia !== 'psql') throw new Error('--copy-via: must be pg or psql')
  if ((values.url === undefined) !== (values.key === undefined)) throw new Error('--url and --key go together')
  if (values.chaos && values.url !== undefined) throw new Error('--chaos needs the own stack (no --url)')
  if (values.url !== undefined) {
    const u = new URL(values.url)
    if (!['127.0.0.1', 'localhost'].includes(u.hostname)) throw new Error('--url: only 127.0.0.1 is allowed')
  }
  return {
    cardinality: parseCardinality(values.cardinality ?? 'realistic'),
    withLow: !(values['no-low'] ?? false),
    duration: int('duration', values.duration, 30, 1, 3600),
    clients: int('clients', values.clients, 8, 1, 256),
    batch: int('batch', values.batch, 100, 1, 1000),
    workers: (values.workers ?? '1').split(',').map((w) => int('workers', w.trim(), 1, 1, 8)),
    chaos: values.chaos ?? false,
    concurrency: int('concurrency', values.concurrency, 2, 1, 256),
    build: values.build ?? false,
    port: int('port', values.port, 3200, 1, 65535),
    url: values.url?.replace(/\/+$/, ''),
    key: values.key,
    sampleEvery: int('sample-every', values['sample-every'], 20, 1, 1_000_000),
    pollMs: int('poll-ms', values['poll-ms'], 250, 20, 10_000),
    drainTimeout: int('drain-timeout', values['drain-timeout'], 600, 1, 36_000),
    copyRows: values['copy-rows'] === undefined ? undefined : int('copy-rows', values['copy-rows'], 0, 1, 50_000_000),
    copyVia,
    pgServer: (values.pg ?? process.env.PG_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
    redisUrl: values.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    cpuProf: values['cpu-prof'] ?? false,
    keepDb: values['keep-db'] ?? false,
    json: values.json ?? false,
    ceilingOnly: values['ceiling-only'] ?? false,
    analyze: values.analyze ?? false,
  }
}

// ---------------------------------------------------------------- small helpers

const secs = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : Number.isNaN(ms) ? 'n/a' : 'never visible')
const mb = (kb: number) => `${(kb / 1024).toFixed(0)} MB`
// ---------------------------------------------------------------- HTTP (keep-alive)

// ---------------------------------------------------------------- processes (/proc)

/** The process, its descendants, and whatever still sits in its process group. */
function family(root: number, procs: Map<number, TProcInfo>): number[] {
  const children = new Map<number, number[]>()
  for (const p of procs.values()) children.set(p.ppid, [...(children.get(p.ppid) ?? []), p.pid])
  const seen = new Set<number>()
  const todo = [root]
  for (const p of procs.values()) if (p.pgrp === root) todo.push(p.pid)
  while (todo.length) {
    const pid = todo.pop() as number
    if (seen.has(pid) || !procs.has(pid)) continue
    seen.add(pid)
    todo.push(...(children.get(pid) ?? []))
  }
  return [...seen]
}

function readStatus(pid: number): { hwmKb: number; rssKb: number; name: string } | null {
  try {
    const s = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? 0)
    return { hwmKb: kb('VmHWM'), rssKb: kb('VmRSS'), name: /^Name:\s+(.*)$/m.exec(s)?.[1] ?? '?' }
  } catch {
    return null
  }
}

function machineTicks(): { busy: number; total: number } {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number)
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f
  return { busy: user + nice + system + irq + softirq + steal, total: user + nice + system + idle + iowait + irq + softirq + steal }
}

const CLK_TCK = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' })
  const n = Number(r.stdout?.trim())
  return Number.isFinite(n) && n > 0 ? n : 100
})()

// ---------------------------------------------------------------- the stack we start

type TStack = {
  base: URL
  key: string
  orgId?: string
  dbName?: string
  web?: TStarted
  workers: TStarted[]
  logDir: string
  /** the Redis the stack uses: the shared one (--redis), or with --chaos its own redis-server */
  redisUrl: string
  redis?: TStarted
  /** the workers' environment and how to start one more (--chaos restarts a killed worker) */
  startWorker?: (i: number) => TStarted
}

/** A redis-server of the bench's own (--chaos flushes it): a free port from 6392, nothing on disk, in its own process group. */
async function startOwnRedis(logDir: string): Promise<{ url: string; proc: TStarted }> {
  let port = 6392
  while (await portInUse(port)) if (++port > 6492) throw new Error('no free port for an own redis-server in 6392-6492')
  const proc = startProcess(
    'redis',
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
    process.env,
    path.join(logDir, 'redis.log'),
  )
  const url = `redis://127.0.0.1:${port}`
  for (const deadline = Date.now() + 10_000; !(await portInUse(port)); await sleep(100)) {
    if (proc.exited || Date.now() > deadline) throw new Error(`redis-server on port ${port} did not start:\n${tail(proc.logFile)}`)
  }
  log(`own redis-server on port ${port} (pid ${proc.pid})`)
  return { url, proc }
}

async function startOwnStack(o: TOpts, logDir: string, workerCount: number): Promise<TStack> {
  const databaseUrl = `${o.pgServer}/${BENCH_DB}`
  const base = new URL(`http://127.0.0.1:${o.port}`)
  if (await portInUse(o.port)) throw new Error(`port ${o.port} is already in use: stop what listens there or pass --port`)
  const ownRedis = o.chaos ? await startOwnRedis(logDir) : undefined
  const redisUrl = ownRedis?.url ?? o.redisUrl
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    QUEUE_PREFIX,
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
    NEXTAUTH_URL: base.origin,
    NEXT_TELEMETRY_DISABLED: '1',
    WORKER_CONCURRENCY: String(o.concurrency),
  }
  const setupLog = path.join(logDir, 'setup.log')

  await prepareFreshStack({ ...o, redisUrl }, BENCH_DB, QUEUE_PREFIX, env, setupLog)

  // --cpu-prof is refused in NODE_OPTIONS: when profiling, node itself runs the same entry points with the flag.
  const profDir = (name: string): string | undefined => {
    if (!o.cpuProf) return undefined
    const dir = path.join(logDir, `prof-${name}`)
    fs.mkdirSync(dir, { recursive: true })
    return dir
  }
  // PGAPPNAME: each worker's PostgreSQL sessions carry its name (--chaos kills a worker while one of them is in a transaction)
  const startWorker = (i: number): TStarted => {
    const dir = profDir(`worker-${i}`)
    const [cmd, args] = dir ? ['node', ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', 'workers/index.ts']] : ['npx', ['tsx', 'workers/index.ts']]
    const wenv = { ...env, PGAPPNAME: `${QUEUE_PREFIX}-worker-${i}` }
    return startProcess(`worker-${i}`, cmd as string, args as string[], wenv, path.join(logDir, `worker-${i}.log`), dir)
  }
  const workers: TStarted[] = []
  for (let i = 1; i <= workerCount; i++) workers.push(startWorker(i))
  const dir = profDir('web')
  const [cmd, args] = dir
    ? ['node', ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--import', 'tsx', 'server.ts', '-p', String(o.port)]]
    : ['npx', ['tsx', 'server.ts', '-p', String(o.port)]]
  const web = startProcess('web', cmd as string, args as string[], { ...env, NODE_ENV: 'production' }, path.join(logDir, 'web.log'), dir)
  log(`started web (pgid ${web.pid}) and ${workers.length} worker(s) (pgid ${workers.map((w) => w.pid).join(', ')}); logs in ${logDir}`)

  const deadline = Date.now() + 120_000
  for (;;) {
    const dead = started.find((p) => p.exited)
    if (dead) throw new Error(`${dead.name} exited during start-up:\n${tail(dead.logFile)}`)
    if ((await getHealth(base)) === 200) break
    if (Date.now() > deadline)
      throw new Error(`/api/health did not answer 200 within 120 s:\n${tail(web.logFile)}\n${workers.map((w) => tail(w.logFile)).join('\n')}`)
    await sleep(500)
  }

  const tag = Date.now().toString(36)
  const out = run(
    'npm',
    ['run', '-s', 'cli', '--', 'org:create', '--name', `Bench ${tag}`, '--email', `bench-${tag}@outlay.test`, '--password', `bench-password-${tag}`, '--json'],
    env,
    setupLog,
    'org:create',
  )
  const line = out
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'))
  if (!line) throw new Error(`org:create printed no JSON:\n${out}`)
  const created = JSON.parse(line) as { org_id: string; api_key: string }
  return { base, key: created.api_key, orgId: created.org_id, dbName: BENCH_DB, web, workers, logDir, redisUrl, redis: ownRedis?.proc, startWorker }
}

// ---------------------------------------------------------------- events

// ---------------------------------------------------------------- events

function loadTemplates(): TDemoEvent[] {
  const out: TDemoEvent[] = []
  for (const day of generateDemoEvents({ now: new Date(), days: 4, runsPerDay: 1500 })) {
    out.push(...day)
    if (out.length >= 40_000) break
  }
  if (out.length === 0) throw new Error('the demo generator produced no events')
  return out
}

// ---------------------------------------------------------------- measurement state

type TSample = { workflowId: string; expected: number; answeredAt: number; visibleAt?: number }

class Metrics {
  readonly agent = new http.Agent({ keepAlive: true, maxSockets: 4 })
  readonly from: string
  readonly to: string
  constructor(
    private readonly base: URL,
    private readonly key: string,
    start: number,
    spreadMinutes = 0,
  ) {
    this.from = new Date(start - spreadMinutes * 60_000 - HOUR_MS).toISOString()
    this.to = new Date(start + 6 * HOUR_MS).toISOString()
  }

  private async rows(extra: string): Promise<{ events: number; workflow_id?: string }[]> {
    const q = `/api/v1/metrics?from=${encodeURIComponent(this.from)}&to=${encodeURIComponent(this.to)}&granularity=none${extra}`
    const r = await request(this.agent, this.base, 'GET', q, this.key)
    if (r.status !== 200) throw new Error(`GET /api/v1/metrics answered ${r.status}: ${r.body.slice(0, 300)}`)
    return (JSON.parse(r.body) as { rows: { events: number; workflow_id?: string }[] }).rows
  }

  async total(): Promise<number> {
    return (await this.rows('')).reduce((s, r) => s + Number(r.events), 0)
  }

  async byWorkflow(ids: string[]): Promise<Map<string, number>> {
    const rows = await this.rows(`&group_by=workflow_id&workflow_id=${encodeURIComponent(ids.join(','))}`)
    return new Map(rows.map((r) => [String(r.workflow_id), Number(r.events)]))
  }
}

// ---------------------------------------------------------------- CPU and memory sampling

type TCpuSnap = {
  at: number
  ticks: Map<number, number>
  comm: Map<number, string>
  groups: Map<string, number[]>
  machine: { busy: number; total: number }
  self: NodeJS.CpuUsage
}

function classifyPostgres(pid: number, dbName: string | undefined): string {
  const c = cmdline(pid)
  if (!dbName) return /\d+\.\d+\.\d+\.\d+\(\d+\)|\[local\]/.test(c) ? 'postgres (client backends, all databases)' : 'postgres (background)'
  if (dbName && new RegExp(`\\s${dbName}(\\s|$)`).test(c)) return 'postgres (bench db)'
  if (
    /postgres: \S+: (checkpointer|background writer|walwriter|autovacuum launcher|logical replication launcher|stats collector|archiver|startup)/.test(c) ||
    !c.includes(':')
  )
    return 'postgres (background)'
  return 'postgres (other databases)'
}

function cpuSnapshot(stack: TStack): TCpuSnap {
  const procs = readProcs()
  const groups = new Map<string, number[]>()
  const add = (g: string, pids: number[]) => groups.set(g, [...(groups.get(g) ?? []), ...pids])
  if (stack.web) add('web', family(stack.web.pid, procs))
  for (const w of stack.workers) add(w.name, family(w.pid, procs))
  for (const p of procs.values()) {
    if (p.comm === 'postgres') add(classifyPostgres(p.pid, stack.dbName), [p.pid])
    else if (p.comm.startsWith('redis-server') && !stack.redis) add('redis', [p.pid]) // the shared Redis (others use it too)
  }
  if (stack.redis) add('redis', family(stack.redis.pid, procs))
  return {
    at: performance.now(),
    ticks: new Map([...procs.values()].map((p) => [p.pid, p.ticks])),
    comm: new Map([...procs.values()].map((p) => [p.pid, p.comm])),
    groups,
    machine: machineTicks(),
    self: process.cpuUsage(),
  }
}

type TCpuSplit = {
  wall_s: number
  cores: number
  machine_busy_core_s: number
  rows: { component: string; core_s: number; cores_used: number; share_of_machine_busy: number }[]
  /** the busiest processes that are not ours (other engineers' tests…) */
  others_top: { comm: string; processes: number; core_s: number }[]
}

function cpuDelta(a: TCpuSnap, b: TCpuSnap): TCpuSplit {
  const wall = (b.at - a.at) / 1000
  const rows: TCpuSplit['rows'] = []
  let ours = 0
  const machineBusy = (b.machine.busy - a.machine.busy) / CLK_TCK
  for (const [g, pids] of b.groups) {
    let t = 0
    for (const pid of pids) t += (b.ticks.get(pid) ?? 0) - (a.ticks.get(pid) ?? 0)
    const s = t / CLK_TCK
    ours += s
    rows.push({ component: g, core_s: s, cores_used: s / wall, share_of_machine_busy: s / machineBusy })
  }
  const self = (b.self.user + b.self.system - a.self.user - a.self.system) / 1e6
  ours += self
  rows.push({ component: 'load generator (this process)', core_s: self, cores_used: self / wall, share_of_machine_busy: self / machineBusy })
  const rest = machineBusy - ours
  rows.push({ component: 'everything else on the machine', core_s: rest, cores_used: rest / wall, share_of_machine_busy: rest / machineBusy })
  rows.sort((x, y) => y.core_s - x.core_s)
  const mine = new Set<number>([process.pid, ...[...b.groups.values()].flat()])
  const byComm = new Map<string, { processes: number; core_s: number }>()
  for (const [pid, t] of b.ticks) {
    if (mine.has(pid)) continue
    const d = (t - (a.ticks.get(pid) ?? 0)) / CLK_TCK
    if (d <= 0) continue
    const comm = b.comm.get(pid) ?? '?'
    const e = byComm.get(comm) ?? { processes: 0, core_s: 0 }
    e.processes++
    e.core_s += d
    byComm.set(comm, e)
  }
  const others_top = [...byComm.entries()]
    .map(([comm, e]) => ({ comm, ...e }))
    .sort((x, y) => y.core_s - x.core_s)
    .slice(0, 6)
  return { wall_s: wall, cores: os.cpus().length, machine_busy_core_s: machineBusy, rows, others_top }
}

type TMemProc = { pid: number; name: string; cmd: string; hwm_kb: number }
class MemWatch {
  private readonly seen = new Map<string, Map<number, TMemProc>>()
  sample(stack: TStack): void {
    const procs = readProcs()
    const targets = [...(stack.web ? [stack.web] : []), ...stack.workers]
    for (const t of targets) {
      const m = this.seen.get(t.name) ?? new Map<number, TMemProc>()
      this.seen.set(t.name, m)
      for (const pid of family(t.pid, procs)) {
        const s = readStatus(pid)
        if (!s) continue
        const prev = m.get(pid)
        m.set(pid, { pid, name: s.name, cmd: prev?.cmd ?? cmdline(pid).slice(0, 120), hwm_kb: Math.max(prev?.hwm_kb ?? 0, s.hwmKb) })
      }
    }
  }
  /** Per started process: the largest process of its family (the real node server / worker), and all of them. */
  report(): { name: string; main: TMemProc | null; all: TMemProc[] }[] {
    return [...this.seen.entries()].map(([name, m]) => {
      const all = [...m.values()].sort((a, b) => b.hwm_kb - a.hwm_kb)
      return { name, main: all[0] ?? null, all }
    })
  }
}

// ---------------------------------------------------------------- PostgreSQL observation

type TPgActivity = { samples: number; rows: { what: string; avg_backends: number }[] }

class PgWatch {
  private client: Client | null = null
  private counts = new Map<string, number>()
  private samples = 0
  private timer: NodeJS.Timeout | null = null
  private busy = false
  constructor(
    private readonly server: string,
    private readonly dbName: string,
  ) {}

  async start(intervalMs = 200): Promise<void> {
    this.client = new Client({ connectionString: `${this.server}/postgres` })
    await this.client.connect()
    this.timer = setInterval(() => void this.tick(), intervalMs)
  }

  private async tick(): Promise<void> {
    if (!this.client || this.busy) return
    this.busy = true
    try {
      const r = await this.client.query<{ state: string; wait: string | null; query: string }>(
        `SELECT state, CASE WHEN wait_event IS NULL THEN NULL ELSE wait_event_type || ':' || wait_event END AS wait, left(query, 3000) AS query
           FROM pg_stat_activity WHERE datname = $1 AND backend_type = 'client backend' AND state IS NOT NULL AND state <> 'idle' AND pid <> pg_backend_pid()`,
        [this.dbName],
      )
      this.samples++
      for (const row of r.rows) {
        const what =
          row.state === 'active'
            ? `${statementLabel(row.query)}  [${row.wait ?? 'on CPU'}]`
            : `${row.state} (client holds the transaction; last: ${statementLabel(row.query)})`
        this.counts.set(what, (this.counts.get(what) ?? 0) + 1)
      }
    } catch {
      // a failed sample is skipped
    } finally {
      this.busy = false
    }
  }

  async stop(): Promise<TPgActivity> {
    if (this.timer) clearInterval(this.timer)
    while (this.busy) await sleep(10)
    await this.client?.end().catch(() => undefined)
    const rows = [...this.counts.entries()]
      .map(([what, n]) => ({ what, avg_backends: n / Math.max(1, this.samples) }))
      .sort((a, b) => b.avg_backends - a.avg_backends)
    return { samples: this.samples, rows }
  }
}

type TPgStats = Record<string, number>
async function pgStats(server: string, dbName: string): Promise<TPgStats> {
  const d = await adminQuery(
    server,
    `SELECT xact_commit, xact_rollback, tup_inserted, tup_updated, tup_deleted, deadlocks, blks_read, blks_hit FROM pg_stat_database WHERE datname = $1`,
    [dbName],
  )
  const w = await adminQuery(
    server,
    `SELECT wal_records, wal_fpi, pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0') AS wal_bytes, wal_write, wal_sync FROM pg_stat_wal`,
  )
  const out: TPgStats = {}
  for (const [k, v] of Object.entries({ ...(d.rows[0] ?? {}), ...(w.rows[0] ?? {}) })) out[k] = Number(v)
  return out
}
const statsDelta = (a: TPgStats, b: TPgStats): TPgStats => Object.fromEntries(Object.keys(b).map((k) => [k, b[k] - (a[k] ?? 0)]))

type TTableStats = Record<string, Record<string, number>>
/** Per-table scan and write counters of the bench database (seq scans on a growing table show up here). */
async function tableStats(server: string, dbName: string): Promise<TTableStats> {
  const r = await adminQuery(
    server,
    // inference_events: the sum of its monthly partitions (and the default one)
    `SELECT rel AS relname, sum(seq_scan) AS seq_scan, sum(seq_tup_read) AS seq_tup_read, sum(coalesce(idx_scan, 0)) AS idx_scan,
            sum(coalesce(idx_tup_fetch, 0)) AS idx_tup_fetch, sum(n_tup_ins) AS n_tup_ins, sum(n_tup_upd) AS n_tup_upd,
            sum(n_tup_hot_upd) AS n_tup_hot_upd, sum(autovacuum_count) AS autovacuum_count, sum(autoanalyze_count) AS autoanalyze_count
       FROM (SELECT *, regexp_replace(relname, '^inference_events_([0-9]{6}|default)$', 'inference_events') AS rel FROM pg_stat_user_tables) s
      WHERE rel IN ('inference_events', 'inference_event_ids', 'ingest_batches', 'runs', 'input_hashes', 'rollups_hourly_repeats', 'rollups_daily_repeats', 'rollups_hourly_reruns', 'rollups_daily_reruns', 'rollups_hourly_outputs', 'rollups_daily_outputs', 'rollups_weekly_outputs', ${ROLLUP_TABLES.map((t) => `'${t.table}'`).join(', ')})
      GROUP BY rel`,
    [],
    dbName,
  )
  const out: TTableStats = {}
  for (const row of r.rows as Record<string, unknown>[]) {
    const { relname, ...rest } = row
    out[String(relname)] = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, Number(v)]))
  }
  return out
}
/**
 * Events counted per CPU-second of the stack (web, workers, the bench database's PostgreSQL backends, Redis): what the
 * pipeline costs, whatever the other engineers' processes took from the machine meanwhile.
 */
function eventsPerStackCoreS(cpu: TCpuSplit, events: number): number {
  const stack = cpu.rows.filter(
    (r) => r.component === 'web' || r.component.startsWith('worker-') || r.component === 'postgres (bench db)' || r.component === 'redis',
  )
  return (
    events /
    Math.max(
      1e-9,
      stack.reduce((n, r) => n + r.core_s, 0),
    )
  )
}

/** Rows the cost rollups inserted or updated (every table of ROLLUP_TABLES). */
function rollupRowsWritten(d: TTableStats | null): number | null {
  if (!d) return null
  return ROLLUP_TABLES.reduce((n, t) => n + (d[t.table]?.n_tup_ins ?? 0) + (d[t.table]?.n_tup_upd ?? 0), 0)
}
const tableStatsDelta = (a: TTableStats, b: TTableStats): TTableStats => Object.fromEntries(Object.entries(b).map(([t, v]) => [t, statsDelta(a[t] ?? {}, v)]))

async function tableSizes(server: string, dbName: string): Promise<Record<string, number>> {
  const r = await adminQuery(
    server,
    `SELECT rel AS relname, sum(bytes)::float8 AS bytes
       FROM (SELECT regexp_replace(c.relname, '^inference_events_([0-9]{6}|default)$', 'inference_events') AS rel, pg_total_relation_size(c.oid) AS bytes
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r') t
      WHERE rel IN ('inference_events', 'inference_event_ids', 'ingest_batches', 'rollups_hourly') GROUP BY rel`,
    [],
    dbName,
  )
  return Object.fromEntries(r.rows.map((x: { relname: string; bytes: number }) => [x.relname, Number(x.bytes)]))
}

// ---------------------------------------------------------------- COPY ceiling

const COPY_COLUMNS = [
  'org_id',
  'event_id',
  'timestamp',
  'environment',
  'traffic_source',
  'workflow_id',
  'run_id',
  'step',
  'call_type',
  'feature',
  'scenario_id',
  'owner',
  'account_id',
  'user_id',
  'provider',
  'model',
  'tokens_in',
  'cached_tokens_in',
  'cache_write_tokens',
  'tokens_out',
  'requests',
  'gpu_seconds',
  'gpu_pool',
  'outcome',
  'attempt',
  'latency_ms',
  'cost_usd',
  'cache_savings_usd',
  'reported_cost_usd',
  'input_hash',
  'max_tokens',
  'metadata',
  'batch_id',
] as const

// The columns of inference_events (prisma/migrations/*_init), with only its primary key.
const CEILING_DDL = `CREATE TABLE bench_copy_ceiling (
  org_id uuid NOT NULL, event_id text NOT NULL, "timestamp" timestamptz(3) NOT NULL, environment text NOT NULL, traffic_source text NOT NULL,
  workflow_id text NOT NULL, run_id text, step text NOT NULL, call_type text NOT NULL, feature text, scenario_id text, owner text,
  account_id text, user_id text, provider text, model text, tokens_in bigint NOT NULL DEFAULT 0, cached_tokens_in bigint NOT NULL DEFAULT 0,
  cache_write_tokens bigint NOT NULL DEFAULT 0, tokens_out bigint NOT NULL DEFAULT 0, requests integer NOT NULL DEFAULT 1,
  gpu_seconds numeric(20,6), gpu_pool text, outcome text NOT NULL, attempt integer, latency_ms double precision, cost_usd numeric(30,12),
  cache_savings_usd numeric(30,12), reported_cost_usd numeric(30,12), input_hash text, max_tokens integer, metadata jsonb,
  batch_id bigint NOT NULL, received_at timestamptz(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  CONSTRAINT bench_copy_ceiling_pkey PRIMARY KEY (org_id, event_id))`

/** The rows in COPY text format, in ~256 KB chunks, built before the clock starts. */
function buildCopyChunks(rows: number, templates: TDemoEvent[], batch: number): { chunks: Buffer[]; bytes: number } {
  const org = randomUUID()
  const tag = `c${Date.now().toString(36)}`
  const chunks: Buffer[] = []
  let parts: string[] = []
  let size = 0
  let bytes = 0
  const ts = new Date().toISOString()
  for (let n = 0; n < rows; n++) {
    const t = templates[n % templates.length]
    const cost = ((t.tokens_in - (t.cached_tokens_in ?? 0)) * 2.5e-6 + (t.cached_tokens_in ?? 0) * 1.25e-6 + t.tokens_out * 1e-5).toFixed(12)
    const savings = ((t.cached_tokens_in ?? 0) * 1.25e-6).toFixed(12)
    const values: unknown[] = [
      org,
      `${tag}-${Math.floor(n / batch)}-${n % batch}`,
      ts,
      t.environment,
      t.traffic_source,
      t.workflow_id,
      `${tag}-${t.run_id}`,
      t.step,
      t.call_type,
      t.feature,
      t.scenario_id,
      t.owner,
      t.account_id,
      t.user_id,
      t.provider,
      t.model,
      t.tokens_in,
      t.cached_tokens_in ?? 0,
      t.cache_write_tokens ?? 0,
      t.tokens_out,
      1,
      null,
      null,
      t.outcome,
      t.attempt,
      t.latency_ms,
      cost,
      savings,
      null,
      t.input_hash,
      t.max_tokens,
      t.metadata ?? null,
      Math.floor(n / batch) + 1,
    ]
    const line = values.map(copyText).join('\t') + '\n'
    parts.push(line)
    size += line.length
    if (size >= 256 * 1024) {
      const b = Buffer.from(parts.join(''), 'utf8')
      chunks.push(b)
      bytes += b.length
      parts = []
      size = 0
    }
  }
  if (parts.length) {
    const b = Buffer.from(parts.join(''), 'utf8')
    chunks.push(b)
    bytes += b.length
  }
  return { chunks, bytes }
}

type TCeiling = { rows: number; bytes: number; seconds: number; rows_per_s: number; via: 'pg' | 'psql'; wal_bytes: number; table_bytes: number }

async function measureCeiling(o: TOpts, rows: number, templates: TDemoEvent[], logDir: string): Promise<TCeiling> {
  log(`COPY ceiling: building ${fmt(rows)} rows…`)
  const { chunks, bytes } = buildCopyChunks(rows, templates, o.batch)
  await adminQuery(o.pgServer, `DROP DATABASE IF EXISTS ${CEILING_DB} WITH (FORCE)`)
  await adminQuery(o.pgServer, `CREATE DATABASE ${CEILING_DB}`)
  const url = `${o.pgServer}/${CEILING_DB}`
  try {
    const c = new Client({ connectionString: url })
    await c.connect()
    await c.query(CEILING_DDL)
    await c.query('CHECKPOINT').catch(() => undefined) // start from a clean WAL position, like the pipeline after migrations
    const lsn = async () => Number((await c.query(`SELECT pg_wal_lsn_diff(pg_current_wal_insert_lsn(), '0/0') AS b`)).rows[0].b)
    const wal0 = await lsn()
    const sql = `COPY bench_copy_ceiling (${COPY_COLUMNS.map((x) => `"${x}"`).join(', ')}) FROM STDIN`
    let seconds: number
    let via: 'pg' | 'psql' = o.copyVia
    let copied = 0
    if (via === 'pg') {
      log(`COPY ceiling: COPY FROM STDIN of ${fmt(rows)} rows (${(bytes / 1e6).toFixed(0)} MB) through pg…`)
      try {
        const t0 = performance.now()
        copied = await copyFrom(c, sql, chunks)
        seconds = (performance.now() - t0) / 1000
      } catch (e) {
        log(`COPY through pg failed (${(e as Error).message}): falling back to psql \\copy`)
        await c.query('TRUNCATE bench_copy_ceiling')
        via = 'psql'
        seconds = NaN
      }
    } else seconds = NaN
    if (via === 'psql') {
      const file = path.join(logDir, 'ceiling.copy')
      const fd = fs.openSync(file, 'w')
      for (const ch of chunks) fs.writeSync(fd, ch)
      fs.closeSync(fd)
      log(`COPY ceiling: psql \\copy of ${fmt(rows)} rows from ${file}…`)
      const r = spawnSync(
        'psql',
        [url, '-X', '-v', 'ON_ERROR_STOP=1', '-c', '\\timing on', '-c', `\\copy bench_copy_ceiling (${COPY_COLUMNS.join(', ')}) from '${file}'`],
        { encoding: 'utf8' },
      )
      fs.rmSync(file, { force: true })
      if (r.status !== 0) throw new Error(`psql \\copy failed: ${r.stderr}`)
      const ms = /Time: ([\d.]+) ms/.exec(r.stdout)?.[1]
      if (!ms) throw new Error(`psql printed no timing: ${r.stdout}`)
      seconds = Number(ms) / 1000
      copied = Number(/COPY (\d+)/.exec(r.stdout)?.[1] ?? rows)
    }
    const wal1 = await lsn()
    const size = Number((await c.query(`SELECT pg_total_relation_size('bench_copy_ceiling')::float8 AS b`)).rows[0].b)
    await c.end()
    if (copied !== rows) throw new Error(`COPY loaded ${copied} rows, expected ${rows}`)
    return { rows, bytes, seconds, rows_per_s: rows / seconds, via, wal_bytes: wal1 - wal0, table_bytes: size }
  } finally {
    await adminQuery(o.pgServer, `DROP DATABASE IF EXISTS ${CEILING_DB} WITH (FORCE)`).catch(() => undefined)
  }
}

// ---------------------------------------------------------------- --chaos

type TChaosEvent = {
  what: 'kill -9' | 'FLUSHALL'
  /** seconds after the load's first request */
  at_s: number
  detail: string
  /** the last ingest batch accepted before it: recovery is when every batch up to it is processed */
  last_batch_before: number
  /** seconds from the event until every batch accepted before it was processed (null: not within the drain) */
  recovered_after_s: number | null
}

/**
 * During the load: SIGKILL one worker's process group while one of its sessions holds an ingest transaction open (a
 * random moment in 20–45% of the load), restart it, and FLUSHALL the stack's own Redis (a random moment in 55–85%).
 * Meanwhile, how long until every batch accepted before each event is processed.
 */
class Chaos {
  readonly events: TChaosEvent[] = []
  private stopped = false
  private db: Client | null = null
  private watching: Promise<void> = Promise.resolve()
  constructor(
    private readonly o: TOpts,
    private readonly stack: TStack,
    private readonly t0: number,
  ) {
    if (!stack.redis || !stack.startWorker || !stack.dbName) throw new Error('--chaos: needs the own stack with its own redis-server')
  }

  private at = () => (performance.now() - this.t0) / 1000
  private async lastBatch(): Promise<number> {
    return Number((await (this.db as Client).query('SELECT coalesce(max(id), 0)::int8 AS n FROM ingest_batches')).rows[0].n)
  }

  async run(isAborted: () => boolean): Promise<void> {
    this.db = new Client({ connectionString: `${this.o.pgServer}/${this.stack.dbName}` })
    await this.db.connect()
    this.watching = this.watchRecovery()
    const ms = this.o.duration * 1000
    const killAt = this.t0 + ms * (0.2 + 0.25 * Math.random())
    const flushAt = this.t0 + ms * (0.55 + 0.3 * Math.random())
    try {
      while (!isAborted() && performance.now() < killAt) await sleep(20)
      if (isAborted()) return
      const last = await this.lastBatch()
      // a worker session in an ingest transaction (its PGAPPNAME names it); up to 5 s of looking, then any worker
      let victim: { i: number; what: string } | null = null
      for (const end = performance.now() + 5000; !victim && performance.now() < end; await sleep(10)) {
        const r = await this.db.query<{ application_name: string; state: string; query: string }>(
          `SELECT application_name, state, left(query, 3000) AS query FROM pg_stat_activity
            WHERE datname = $1 AND application_name LIKE $2 AND xact_start IS NOT NULL AND state IN ('active', 'idle in transaction')`,
          [this.stack.dbName, `${QUEUE_PREFIX}-worker-%`],
        )
        // inside the ingest transaction: between its statements, or in one that writes the events or the rollups
        const mid = r.rows.filter((x) => x.state === 'idle in transaction' || /inference_events|rollups_|input_hashes/.test(x.query))
        if (mid.length) {
          const x = mid[Math.floor(Math.random() * mid.length)]
          victim = { i: Number(/worker-(\d+)$/.exec(x.application_name)?.[1] ?? 1), what: `${x.state}: ${statementLabel(x.query)}` }
        }
      }
      const i = victim?.i ?? 1 + Math.floor(Math.random() * this.stack.workers.length)
      const w = this.stack.workers[i - 1]
      killGroup(w.pid, 'SIGKILL')
      const atKill = this.at()
      for (const end = Date.now() + 5000; groupAlive(w.pid) && Date.now() < end; ) await sleep(20)
      this.stack.workers[i - 1] = (this.stack.startWorker as (i: number) => TStarted)(i)
      this.events.push({
        what: 'kill -9',
        at_s: atKill,
        detail: `${w.name} (process group ${w.pid}) ${victim ? `while its session was ${victim.what}` : 'found in no transaction within 5 s: killed anyway'}; restarted at once (pgid ${this.stack.workers[i - 1].pid})`,
        last_batch_before: last,
        recovered_after_s: null,
      })
      log(`chaos: t=${atKill.toFixed(1)} s kill -9 ${this.events[0].detail}`)

      while (!isAborted() && performance.now() < flushAt) await sleep(20)
      if (isAborted()) return
      const redis = new IORedis(this.stack.redisUrl, { maxRetriesPerRequest: 1 })
      try {
        const keys = await redis.dbsize()
        const lastBeforeFlush = await this.lastBatch()
        await redis.flushall()
        const atFlush = this.at()
        this.events.push({
          what: 'FLUSHALL',
          at_s: atFlush,
          detail: `the stack's own redis-server (${this.stack.redisUrl}): ${fmt(keys)} keys gone (queued and active jobs, locks, counters)`,
          last_batch_before: lastBeforeFlush,
          recovered_after_s: null,
        })
        log(`chaos: t=${atFlush.toFixed(1)} s FLUSHALL, ${fmt(keys)} keys gone`)
      } finally {
        redis.disconnect()
      }
    } catch (e) {
      log(`chaos: ${(e as Error).message}`)
      throw e
    }
  }

  /** Every 250 ms until stop(): has every batch accepted before each event been processed? */
  private async watchRecovery(): Promise<void> {
    while (!this.stopped) {
      for (const e of this.events) {
        if (e.recovered_after_s !== null) continue
        try {
          const r = await (this.db as Client).query('SELECT count(*)::int AS n FROM ingest_batches WHERE id <= $1 AND processed_at IS NULL', [
            e.last_batch_before,
          ])
          if (r.rows[0].n === 0) {
            e.recovered_after_s = this.at() - e.at_s
            log(`chaos: every batch accepted before the ${e.what} at t=${e.at_s.toFixed(1)} s is processed, ${e.recovered_after_s.toFixed(1)} s after it`)
          }
        } catch {
          // next time
        }
      }
      await sleep(250)
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    await this.watching
    await this.db?.end().catch(() => undefined)
  }
}

type TChaosResult = {
  events: TChaosEvent[]
  accepted_ids: number
  accepted_ids_unknown: number
  lost: number
  counted_twice: number
  /** rows of inference_events whose id no 202 answered as accepted (a request that timed out on the client side) */
  not_answered: number
  pending_batches: number
  rollups: TTableEquality[]
  ok: boolean
}

/** After the drain: every id answered as accepted in inference_events exactly once, every rollup table equal to the events. */
async function chaosCheck(o: TOpts, stack: TStack, ids: string[], unknown: number, events: TChaosEvent[], deadline: number): Promise<TChaosResult> {
  const c = new Client({ connectionString: `${o.pgServer}/${stack.dbName}` })
  await c.connect()
  try {
    let pending = 0
    for (;;) {
      pending = Number((await c.query('SELECT count(*)::int AS n FROM ingest_batches WHERE processed_at IS NULL')).rows[0].n)
      if (pending === 0 || performance.now() > deadline) break
      await sleep(250)
    }
    await c.query('CREATE TEMP TABLE bench_accepted (event_id text NOT NULL)')
    const chunks: Buffer[] = []
    for (let i = 0; i < ids.length; i += 10_000)
      chunks.push(
        Buffer.from(
          ids
            .slice(i, i + 10_000)
            .map((x) => `${copyText(x)}\n`)
            .join(''),
        ),
      )
    await copyFrom(c, 'COPY bench_accepted (event_id) FROM STDIN', chunks)
    await c.query('CREATE INDEX ON bench_accepted (event_id)')
    await c.query('ANALYZE bench_accepted')
    const r = await c.query<{ lost: number; twice: number; extra: number }>(
      `SELECT (SELECT count(*) FROM (SELECT DISTINCT event_id FROM bench_accepted) a
                WHERE NOT EXISTS (SELECT 1 FROM inference_events e WHERE e.org_id = $1 AND e.event_id = a.event_id))::int AS lost,
              (SELECT count(*) FROM (SELECT event_id FROM inference_events WHERE org_id = $1 GROUP BY event_id HAVING count(*) > 1) d)::int AS twice,
              (SELECT count(*) FROM inference_events e WHERE org_id = $1
                AND NOT EXISTS (SELECT 1 FROM bench_accepted a WHERE a.event_id = e.event_id))::int AS extra`,
      [stack.orgId],
    )
    const rollups = await compareRollupsWithEvents(c, stack.orgId as string)
    const { lost, twice, extra } = r.rows[0]
    return {
      events,
      accepted_ids: ids.length,
      accepted_ids_unknown: unknown,
      lost,
      counted_twice: twice,
      not_answered: extra,
      pending_batches: pending,
      rollups,
      ok: lost === 0 && twice === 0 && unknown === 0 && pending === 0 && rollups.every((t) => t.equal),
    }
  } finally {
    await c.end()
  }
}

function chaosLines(r: TChaosResult, loadS: number): string[] {
  const out = ['--chaos (during the load; recovery: until every batch accepted before the event was processed)']
  for (const e of r.events)
    out.push(
      `  t=${e.at_s.toFixed(1).padStart(5)} s  ${e.what.padEnd(8)} ${e.detail}; recovered ${e.recovered_after_s === null ? 'NOT within the drain' : `${e.recovered_after_s.toFixed(1)} s after (t=${(e.at_s + e.recovered_after_s).toFixed(1)} s, the load ended at ${loadS.toFixed(1)} s)`}`,
    )
  if (r.events.length < 2) out.push(`  only ${r.events.length} of the 2 events happened`)
  const differ = r.rollups.filter((t) => !t.equal)
  out.push(
    `  ids answered as accepted: ${fmt(r.accepted_ids)}${r.accepted_ids_unknown ? ` (+${fmt(r.accepted_ids_unknown)} accepted in answers with duplicates: ids unknown)` : ''}; in inference_events, answered by no 202: ${fmt(r.not_answered)}; batches still unprocessed: ${fmt(r.pending_batches)}`,
  )
  out.push(
    `  lost ${fmt(r.lost)}, counted twice ${fmt(r.counted_twice)}, rollup tables equal to the events: ${differ.length ? `no (${differ.map((t) => `${t.table}: ${t.only_in_table} rows only in the table, ${t.only_in_events} only in the events${t.runs && t.runs.table !== t.runs.events ? `, runs ${t.runs.table} ≠ ${t.runs.events}` : ''}`).join('; ')})` : `yes (${r.rollups.length} tables, ${fmt(r.rollups.reduce((n, t) => n + t.rows, 0))} rows)`}`,
  )
  for (const t of differ)
    out.push(`    ${t.table}: e.g. table ${JSON.stringify(t.example?.table ?? null)} / events ${JSON.stringify(t.example?.events ?? null)}`)
  out.push(`  verdict: ${r.ok ? 'nothing lost, nothing counted twice, every rollup table equal to the events' : 'FAILED'}`)
  out.push('')
  return out
}

// ---------------------------------------------------------------- the run

type TTimelinePoint = { t_s: number; answered_events: number; counted_events: number }

async function main(): Promise<void> {
  const o = parseOptions()
  const runTag = Date.now().toString(36)
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), `outlay-bench-${runTag}-`))
  const ownStack = o.url === undefined
  const templates = loadTemplates()
  if (o.ceilingOnly) {
    const c = await measureCeiling(o, o.copyRows ?? 1_200_000, templates, logDir)
    const text = `COPY ceiling: ${fmt(c.rows)} rows (${(c.bytes / 1e6).toFixed(0)} MB, via ${c.via}) in ${c.seconds.toFixed(2)} s = ${fmt(c.rows_per_s)} rows/s; WAL ${fmt(c.wal_bytes / c.rows)} B/row; table ${(c.table_bytes / 1e6).toFixed(0)} MB`
    ;(o.json ? process.stderr : process.stdout).write(text + '\n')
    if (o.json) process.stdout.write(JSON.stringify({ copy_ceiling: c }) + '\n')
    return
  }
  // The low-cardinality load first (unless skipped), then the one asked for (default realistic): each on a fresh stack.
  // --workers 1,2,4: the --cardinality load once per count (the low one once, with the first count); --chaos in those
  const loads: TLoad[] = [
    ...(o.withLow && o.cardinality.name !== 'low' ? [{ name: 'low', c: CARDINALITIES.low, workers: o.workers[0], chaos: false }] : []),
    ...o.workers.map((workers) => ({ ...o.cardinality, workers, chaos: o.chaos })),
  ]
  const finishers: ((ceiling: TCeiling) => TLoadReport)[] = []
  let accepted = 0
  for (const [i, load] of loads.entries()) {
    const r = await runLoad(o, load, `${runTag}${i}`, logDir, templates)
    finishers.push(r.finish)
    accepted = Math.max(accepted, r.accepted)
  }
  const copyRows = o.copyRows ?? Math.max(accepted, 100_000)
  const ceiling = await measureCeiling(o, copyRows, templates, logDir)
  const reports = finishers.map((f) => f(ceiling))

  const out: string[] = []
  for (const r of reports) out.push(...r.lines)
  const line = (label: string, value: string) => out.push(`  ${label.padEnd(40)} ${value}`)
  out.push(`COPY ceiling (same run, after the loads${ownStack ? ', our stack stopped' : ''}; cluster-wide WAL)`)
  line(
    'rows / bytes',
    `${fmt(ceiling.rows)} / ${(ceiling.bytes / 1e6).toFixed(0)} MB (${ceiling.via === 'pg' ? 'COPY FROM STDIN through pg' : 'psql \\copy'}, table with a primary key)`,
  )
  line('COPY time / rows per second', `${ceiling.seconds.toFixed(2)} s / ${fmt(ceiling.rows_per_s)}`)
  line('WAL per row (COPY)', `${fmt(ceiling.wal_bytes / ceiling.rows)} B`)
  out.push('')
  out.push(`Summary (machine ${reports.map((r) => `${(r.figures.machine_busy_before_load * 100).toFixed(0)}%`).join(' / ')} busy before each load)`)
  out.push("  cores: average from the first request to all counted; others = every process not the bench's (other engineers' tests, other databases)")
  const cols: [string, number, (r: TLoadReport['figures']) => string][] = [
    ['load', 14, (f) => f.load],
    ['workers', 7, (f) => String(f.workers ?? '-')],
    ['events/s', 9, (f) => fmt(f.e2e_events_per_s)],
    ['÷ COPY', 7, (f) => f.ratio.toFixed(4)],
    ['p50 fresh', 10, (f) => secs(f.freshness_ms.p50)],
    ['p99 fresh', 10, (f) => secs(f.freshness_ms.p99)],
    ['worker cores', 12, (f) => f.worker_cores.toFixed(2)],
    ['PG cores', 8, (f) => f.pg_cores.toFixed(2)],
    ['web cores', 9, (f) => f.web_cores.toFixed(2)],
    ["others' cores", 13, (f) => f.others_cores.toFixed(2)],
    ['load avg before', 15, (f) => f.loadavg_before.map((x) => x.toFixed(1)).join(' ')],
    ['ev/stack core-s', 15, (f) => fmt(f.events_per_stack_core_s)],
    ['rollup rows/ev', 14, (f) => (f.rollup_rows_per_event === null ? 'n/a' : f.rollup_rows_per_event.toFixed(2))],
  ]
  out.push(`  ${cols.map(([h, w], i) => (i === 0 ? h.padEnd(w) : h.padStart(w))).join('  ')}`)
  for (const r of reports) out.push(`  ${cols.map(([, w, v], i) => (i === 0 ? v(r.figures).padEnd(w) : v(r.figures).padStart(w))).join('  ')}`)
  out.push('')
  const chaosFailed = reports.filter((r) => r.figures.chaos && !r.figures.chaos.ok)
  for (const r of reports)
    if (r.figures.chaos) {
      const c = r.figures.chaos
      const differ = c.rollups.filter((t) => !t.equal).map((t) => t.table)
      out.push(
        `Chaos (${r.figures.load}, ${r.figures.workers} worker(s)): lost ${fmt(c.lost)}, counted twice ${fmt(c.counted_twice)}, rollup tables equal to the events: ${differ.length ? `no (${differ.join(', ')})` : 'yes'}; ${c.events.map((e) => `${e.what} at ${e.at_s.toFixed(1)} s recovered ${e.recovered_after_s === null ? 'never' : `after ${e.recovered_after_s.toFixed(1)} s`}`).join(', ')}${c.ok ? '' : '  FAILED'}`,
      )
    }
  if (reports.some((r) => r.figures.chaos)) out.push('')
  const main = reports[reports.length - 1]
  out.push(`Verdict (the ${main.figures.load} load)`)
  out.push(`  ${'figure'.padEnd(26)} ${'value'.padStart(12)}   ${'target'.padEnd(10)} result`)
  for (const v of main.verdict) {
    const value = v.figure === 'p99 freshness' ? secs(v.value) : v.figure.startsWith('ratio') ? v.value.toFixed(4) : fmt(v.value)
    out.push(`  ${v.figure.padEnd(26)} ${value.padStart(12)}   ${v.target.padEnd(10)} ${v.met ? 'met' : 'NOT MET'}`)
  }
  out.push(`  logs: ${logDir}`)
  out.push('')
  ;(o.json ? process.stderr : process.stdout).write(out.join('\n') + '\n')
  if (o.json)
    process.stdout.write(
      JSON.stringify({ run: runTag, copy_ceiling: ceiling, loads: reports.map((r) => r.figures) }, (_k, v) =>
        typeof v === 'number' && !Number.isFinite(v) ? null : v,
      ) + '\n',
    )
  if (chaosFailed.length)
    throw new Error(
      `--chaos: events lost, counted twice or rollup tables unequal to the events in ${chaosFailed.map((r) => `${r.figures.load} × ${r.figures.workers}`).join(', ')}`,
    )
}

type TLoad = { name: string; c: TCardinality; workers: number; chaos: boolean }
type TVerdict = { figure: string; value: number; target: string; met: boolean }
type TLoadReport = { figures: Record<string, unknown> & TLoadFigures; lines: string[]; verdict: TVerdict[] }
type TLoadFigures = {
  load: string
  workers: number | null
  machine_busy_before_load: number
  loadavg_before: number[]
  e2e_events_per_s: number
  freshness_ms: { p50: number; p99: number }
  worker_cores: number
  web_cores: number
  pg_cores: number
  others_cores: number
  chaos: TChaosResult | null
  ratio: number
  rollup_rows_per_event: number | null
  events_per_stack_core_s: number
}

/**
 * One load on a fresh stack (or the running one): answers how many events were accepted, and a function that,
 * given the COPY ceiling measured after every load, makes its figures and its part of the report.
 */
async function runLoad(
  o: TOpts,
  load: TLoad,
  runTag: string,
  logDir: string,
  templates: TDemoEvent[],
): Promise<{ accepted: number; finish: (ceiling: TCeiling) => TLoadReport }> {
  const ownStack = o.url === undefined
  log(`load ${load.name}: ${describeCardinality(load.c)}`)
  // what else is running right now (other engineers' tests share the machine)
  const loadBefore = os.loadavg()
  const probe0 = machineTicks()
  await sleep(2000)
  const probe1 = machineTicks()
  const otherBusyFrac = (probe1.busy - probe0.busy) / Math.max(1, probe1.total - probe0.total)

  let stack: TStack
  if (ownStack) stack = await startOwnStack(o, logDir, load.workers)
  else stack = { base: new URL(o.url as string), key: o.key as string, workers: [], logDir, redisUrl: o.redisUrl }

  const factory = new EventFactory(templates, `b${runTag}`, load.c)
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.clients })
  const metrics = new Metrics(stack.base, stack.key, Date.now(), load.c.spreadMinutes)

  // ---- warm-up: prove the pipeline works, load the route, and take the baseline
  log('warm-up: 3 batches through the pipeline…')
  const before = ownStack ? 0 : await metrics.total()
  let warmAccepted = 0
  // --chaos: the ids of every event answered as accepted (a batch's ids but its rejected ones)
  const acceptedIds: string[] = []
  let acceptedIdsUnknown = 0
  const noteAccepted = (events: Record<string, unknown>[], a: { accepted: number; duplicates: number; rejected: unknown[] }) => {
    if (!load.chaos) return
    const rejected = new Set((a.rejected as { index?: number }[]).map((x) => x.index))
    const ids = events.filter((_, i) => !rejected.has(i)).map((e) => String(e.id))
    if (ids.length === a.accepted) acceptedIds.push(...ids)
    else acceptedIdsUnknown += a.accepted // duplicates in the answer: which ids were accepted is not known
  }
  for (let i = 0; i < 3; i++) {
    const warm = factory.batch(-1 - i, o.batch)
    const r = await request(agent, stack.base, 'POST', '/api/v1/events', stack.key, JSON.stringify({ events: warm }))
    if (r.status !== 202) throw new Error(`warm-up POST /api/v1/events answered ${r.status}: ${r.body.slice(0, 500)}`)
    const a = JSON.parse(r.body) as { accepted: number; rejected: unknown[] }
    if (a.rejected.length) throw new Error(`warm-up events rejected: ${JSON.stringify(a.rejected.slice(0, 3))}`)
    noteAccepted(warm, { ...a, duplicates: 0 })
    warmAccepted += a.accepted
  }
  let baseline = 0
  {
    const deadline = Date.now() + 60_000
    for (;;) {
      baseline = await metrics.total()
      if (baseline >= before + warmAccepted) break
      if (Date.now() > deadline) throw new Error(`warm-up: only ${baseline} of ${warmAccepted} events counted after 60 s`)
      await sleep(100)
    }
  }

  if (o.analyze && stack.dbName) {
    log(`ANALYZE ${stack.dbName} (--analyze)…`)
    await adminQuery(o.pgServer, 'ANALYZE', [], stack.dbName)
  }

  // ---- observers
  const mem = new MemWatch()
  mem.sample(stack)
  const pgWatch = stack.dbName ? new PgWatch(o.pgServer, stack.dbName) : null
  await pgWatch?.start()
  const pg0 = stack.dbName ? await pgStats(o.pgServer, stack.dbName) : null
  const tables0 = stack.dbName ? await tableStats(o.pgServer, stack.dbName).catch(() => null) : null
  const cpu0 = cpuSnapshot(stack)

  // ---- load
  const status = new Map<string, number>()
  const latencies: number[] = []
  const samples: TSample[] = []
  const pending = new Map<string, TSample>()
  let answeredRequests = 0
  let answeredEvents = 0
  let rejectedEvents = 0
  let duplicateEvents = 0
  let seq = 0
  let counted = 0
  const timeline: TTimelinePoint[] = []
  let aborted = false
  process.once('SIGINT', () => (aborted = true))

  const t0 = performance.now()
  const loadEnd = t0 + o.duration * 1000
  log(`load: ${o.clients} clients × ${o.batch}-event batches for ${o.duration} s against ${stack.base.origin}…`)

  const client = async () => {
    while (!aborted && performance.now() < loadEnd) {
      const s = seq++
      const sampled = s % o.sampleEvery === 0
      const workflowId = sampled ? `bench-fresh-${runTag}-${s}` : undefined
      const events = factory.batch(s, o.batch, workflowId)
      const body = JSON.stringify({ events })
      const start = performance.now()
      let r: TAnswer
      try {
        r = await request(agent, stack.base, 'POST', '/api/v1/events', stack.key, body)
      } catch (e) {
        status.set(`error: ${(e as Error).message.slice(0, 60)}`, (status.get(`error: ${(e as Error).message.slice(0, 60)}`) ?? 0) + 1)
        await sleep(100)
        continue
      }
      const end = performance.now()
      status.set(String(r.status), (status.get(String(r.status)) ?? 0) + 1)
      if (r.status === 202) {
        latencies.push(end - start)
        const a = JSON.parse(r.body) as { accepted: number; duplicates: number; rejected: unknown[] }
        answeredRequests++
        noteAccepted(events, a)
        answeredEvents += a.accepted
        duplicateEvents += a.duplicates
        rejectedEvents += a.rejected.length
        if (workflowId && a.accepted > 0) {
          const sample: TSample = { workflowId, expected: a.accepted, answeredAt: end }
          samples.push(sample)
          pending.set(workflowId, sample)
        }
      } else if (r.status === 429 || r.status === 503) {
        await sleep(Math.min(Math.max(0, loadEnd - performance.now()), (r.retryAfter ?? 1) * 1000))
      } else {
        await sleep(50)
      }
    }
  }

  // freshness: one metrics request covers every pending sampled batch
  let freshStop = false
  let freshErrors = 0
  const freshness = async () => {
    while (!freshStop) {
      const ids = [...pending.keys()].slice(0, 100)
      if (ids.length) {
        try {
          const got = await metrics.byWorkflow(ids)
          const now = performance.now()
          for (const id of ids) {
            const sm = pending.get(id)
            if (sm && (got.get(id) ?? 0) >= sm.expected) {
              sm.visibleAt = now
              pending.delete(id)
            }
          }
        } catch {
          freshErrors++
        }
      }
      await sleep(o.pollMs)
    }
  }

  // progress: counted events once a second (the total in the rollups)
  let progressStop = false
  const progress = async () => {
    let lastLog = performance.now()
    while (!progressStop) {
      try {
        counted = (await metrics.total()) - baseline
      } catch {
        // next time
      }
      const now = performance.now()
      timeline.push({ t_s: (now - t0) / 1000, answered_events: answeredEvents, counted_events: counted })
      mem.sample(stack)
      if (now - lastLog >= 5000) {
        lastLog = now
        log(
          `  t=${((now - t0) / 1000).toFixed(0)} s  answered ${fmt(answeredEvents)} events (${fmt(answeredEvents / ((Math.min(now, loadEnd) - t0) / 1000))}/s)  counted ${fmt(counted)}  backlog ${fmt(answeredEvents - counted)}  freshness samples pending ${pending.size}`,
        )
      }
      await sleep(now < loadEnd ? 1000 : o.pollMs)
    }
  }

  const freshTask = freshness()
  const progressTask = progress()
  const chaos = load.chaos ? new Chaos(o, stack, t0) : null
  const chaosTask = chaos?.run(() => aborted) ?? Promise.resolve()
  await Promise.all([...Array.from({ length: o.clients }, client), chaosTask])
  const tLoadDone = performance.now()
  const cpuLoad = cpuSnapshot(stack)
  const countedAtLoadEnd = counted
  log(`load stopped after ${((tLoadDone - t0) / 1000).toFixed(1)} s: ${fmt(answeredEvents)} events answered, ${fmt(counted)} counted; draining…`)

  // ---- drain: until every accepted event is counted
  const drainDeadline = tLoadDone + o.drainTimeout * 1000
  let tAllCounted = NaN
  while (!aborted && performance.now() < drainDeadline) {
    if (counted >= answeredEvents) {
      tAllCounted = timeline.length ? t0 + timeline[timeline.length - 1].t_s * 1000 : performance.now()
      break
    }
    await sleep(50)
  }
  const cpuEnd = cpuSnapshot(stack)
  while (!aborted && pending.size > 0 && performance.now() < drainDeadline) await sleep(50)
  freshStop = true
  progressStop = true
  await Promise.all([freshTask, progressTask])
  mem.sample(stack)
  const pgActivity = pgWatch ? await pgWatch.stop() : null
  let chaosResult: TChaosResult | null = null
  if (chaos && !aborted) {
    log('chaos: every batch processed? then the ids answered as accepted against inference_events, and every rollup table against the events…')
    chaosResult = await chaosCheck(o, stack, acceptedIds, acceptedIdsUnknown, chaos.events, drainDeadline)
    await chaos.stop()
  } else await chaos?.stop()
  const pgDelta = pg0 && stack.dbName ? statsDelta(pg0, await pgStats(o.pgServer, stack.dbName)) : null
  const sizes = stack.dbName ? await tableSizes(o.pgServer, stack.dbName).catch(() => ({}) as Record<string, number>) : null
  const tablesDelta = stack.dbName && tables0 ? tableStatsDelta(tables0, await tableStats(o.pgServer, stack.dbName)) : null
  agent.destroy()
  metrics.agent.destroy()

  // ---- stop our stack before measuring the machine's ceiling
  if (ownStack) {
    await stopStarted()
    started.length = 0 // the next load's stack starts afresh (its start-up checks for exited processes)
  }
  const profiles = o.cpuProf ? profileSummaries() : []
  if (aborted) throw new Error('interrupted')

  const allCounted = Number.isFinite(tAllCounted)
  const e2eMs = allCounted ? tAllCounted - t0 : performance.now() - t0
  const e2eEventsPerS = (allCounted ? answeredEvents : counted) / (e2eMs / 1000)
  const loadS = (tLoadDone - t0) / 1000
  const fresh = samples.map((s) => (s.visibleAt === undefined ? Infinity : s.visibleAt - s.answeredAt))
  const freshP50 = percentile(fresh, 50)
  const freshP99 = percentile(fresh, 99)

  if (ownStack && !o.keepDb) {
    await adminQuery(o.pgServer, `DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`).catch((e) => log(`could not drop ${BENCH_DB}: ${(e as Error).message}`))
    if (!stack.redis) await clearRedisPrefix(o.redisUrl, QUEUE_PREFIX).catch(() => undefined) // an own redis-server is gone already
  }

  return {
    accepted: answeredEvents,
    finish: (ceiling: TCeiling): TLoadReport => {
      const ratio = e2eEventsPerS / ceiling.rows_per_s
      // ---- report
      const memReport = mem.report()
      const cpuWhole = cpuDelta(cpu0, cpuEnd)
      const cpuLoadOnly = cpuDelta(cpu0, cpuLoad)
      const windows: { from_s: number; to_s: number; answered_per_s: number; counted_per_s: number; backlog_events: number }[] = []
      for (let w = 0, prev: TTimelinePoint = { t_s: 0, answered_events: 0, counted_events: 0 }; w < timeline.length; w++) {
        const p = timeline[w]
        if (p.t_s - prev.t_s >= 10 || w === timeline.length - 1) {
          const dt = p.t_s - prev.t_s
          if (dt > 0)
            windows.push({
              from_s: prev.t_s,
              to_s: p.t_s,
              answered_per_s: (p.answered_events - prev.answered_events) / dt,
              counted_per_s: (p.counted_events - prev.counted_events) / dt,
              backlog_events: p.answered_events - p.counted_events,
            })
          prev = p
        }
      }
      const verdict: TVerdict[] = [
        { figure: 'end-to-end events/s', value: e2eEventsPerS, target: `≥ ${fmt(TARGET.eventsPerSecond)}`, met: e2eEventsPerS >= TARGET.eventsPerSecond },
        { figure: 'p99 freshness', value: freshP99, target: `< ${TARGET.freshnessP99Ms / 1000} s`, met: freshP99 < TARGET.freshnessP99Ms },
        { figure: 'ratio to COPY ceiling', value: ratio, target: `≥ ${TARGET.ratio}`, met: ratio >= TARGET.ratio },
      ]

      const rollupWrites = rollupRowsWritten(tablesDelta)
      const coresOf = (pred: (c: string) => boolean) => cpuWhole.rows.filter((r) => pred(r.component)).reduce((n, r) => n + r.cores_used, 0)
      const figures = {
        load: load.name,
        cardinality: load.c,
        rollup_rows_per_event: rollupWrites === null ? null : rollupWrites / Math.max(1, answeredEvents),
        events_per_stack_core_s: eventsPerStackCoreS(cpuWhole, allCounted ? answeredEvents : counted),
        run: runTag,
        at: new Date().toISOString(),
        mode: ownStack ? 'own-stack' : 'url',
        url: stack.base.origin,
        workers: ownStack ? load.workers : null,
        worker_concurrency: ownStack ? o.concurrency : null,
        analyzed_before_load: o.analyze && ownStack,
        duration_s: o.duration,
        clients: o.clients,
        batch: o.batch,
        load_s: loadS,
        requests_202: answeredRequests,
        requests_202_per_s: answeredRequests / loadS,
        events_accepted: answeredEvents,
        events_answered_per_s: answeredEvents / loadS,
        duplicates: duplicateEvents,
        rejected: rejectedEvents,
        statuses: Object.fromEntries(status),
        http_latency_ms: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), max: percentile(latencies, 100) },
        counted_events: allCounted ? answeredEvents : counted,
        all_counted: allCounted,
        counted_at_load_end: countedAtLoadEnd,
        backlog_at_load_end: answeredEvents - countedAtLoadEnd,
        first_request_to_all_counted_s: e2eMs / 1000,
        e2e_events_per_s: e2eEventsPerS,
        freshness_ms: {
          samples: samples.length,
          not_visible: fresh.filter((f) => !Number.isFinite(f)).length,
          p50: freshP50,
          p99: freshP99,
          max: percentile(fresh, 100),
          poll_ms: o.pollMs,
          poll_errors: freshErrors,
        },
        timeline_10s: windows,
        peak_rss_kb: Object.fromEntries(memReport.map((m) => [m.name, m.main?.hwm_kb ?? null])),
        processes: memReport,
        cpu_first_request_to_all_counted: cpuWhole,
        cpu_load_only: cpuLoadOnly,
        machine_busy_before_load: otherBusyFrac,
        loadavg_before: loadBefore.map((x) => Number(x.toFixed(2))),
        // first request → all counted, in cores: what the summary table shows
        worker_cores: coresOf((c) => c.startsWith('worker-')),
        web_cores: coresOf((c) => c === 'web'),
        pg_cores: coresOf((c) => c === 'postgres (bench db)'),
        others_cores: coresOf((c) => c === 'everything else on the machine' || c === 'postgres (other databases)'),
        chaos: chaosResult,
        pg: pgDelta ? { ...pgDelta, wal_bytes_per_event: pgDelta.wal_bytes / Math.max(1, answeredEvents), table_bytes: sizes, tables: tablesDelta } : null,
        pg_activity: pgActivity,
        ratio,
        cpu_profiles: profiles,
        verdict: verdict.map((v) => ({ ...v, value: Number.isFinite(v.value) ? v.value : null })),
        log_dir: logDir,
      }

      const out: string[] = []
      const line = (label: string, value: string) => out.push(`  ${label.padEnd(40)} ${value}`)
      out.push('')
      out.push(`Outlay ingest benchmark  ${figures.at}  run ${runTag}  load ${load.name}: ${describeCardinality(load.c)}`)
      out.push(
        `  ${ownStack ? `own stack: web (server.ts) :${o.port}, ${load.workers} worker process(es) × WORKER_CONCURRENCY ${o.concurrency}, database ${BENCH_DB}, ${stack.redis ? `its own redis-server ${stack.redisUrl}` : `Redis ${stack.redisUrl}`}${o.analyze ? ' (ANALYZEd after the warm-up)' : ' (fresh, never analyzed)'}, queue prefix ${QUEUE_PREFIX}` : `running stack at ${stack.base.origin}`}`,
      )
      out.push(
        `  ${o.clients} keep-alive clients × ${o.batch}-event batches for ${o.duration} s; ${os.cpus().length} cores; machine ${(otherBusyFrac * 100).toFixed(0)}% busy before the load (load average ${loadBefore.map((x) => x.toFixed(2)).join(' ')})`,
      )
      out.push('')
      out.push('Load (answered)')
      line('requests answered 202', `${fmt(answeredRequests)} (${fmt(answeredRequests / loadS, 1)}/s)`)
      line('events accepted in 202 answers', `${fmt(answeredEvents)} (${fmt(answeredEvents / loadS)}/s)`)
      line('answers by status', [...status.entries()].map(([k, v]) => `${k}: ${fmt(v)}`).join(', '))
      line('duplicates / rejected events', `${fmt(duplicateEvents)} / ${fmt(rejectedEvents)}`)
      line(
        'HTTP latency p50 / p99 / max (202)',
        `${fmt(figures.http_latency_ms.p50, 1)} / ${fmt(figures.http_latency_ms.p99, 1)} / ${fmt(figures.http_latency_ms.max, 1)} ms`,
      )
      out.push('')
      out.push('End to end (counted in the rollups, GET /api/v1/metrics)')
      line(
        'counted / accepted',
        `${fmt(figures.counted_events)} / ${fmt(answeredEvents)}${allCounted ? '' : `  (NOT all counted within --drain-timeout ${o.drainTimeout} s)`}`,
      )
      line('counted when the load stopped', `${fmt(countedAtLoadEnd)} (backlog ${fmt(answeredEvents - countedAtLoadEnd)} events)`)
      line('first request → all counted', secs(e2eMs))
      line('end-to-end events/s', fmt(e2eEventsPerS))
      line(
        `freshness p50 / p99 / max (${samples.length} samples)`,
        `${secs(freshP50)} / ${secs(freshP99)} / ${secs(figures.freshness_ms.max)}  (202 → visible in /api/v1/metrics, polled every ${o.pollMs} ms${figures.freshness_ms.not_visible ? `; ${figures.freshness_ms.not_visible} never visible` : ''})`,
      )
      out.push('  timeline (10 s windows): answered/s, counted/s, backlog at the end of the window')
      for (const w of windows)
        out.push(
          `    ${w.from_s.toFixed(1).padStart(6)}–${w.to_s.toFixed(1).padEnd(6)} s  ${fmt(w.answered_per_s).padStart(8)}  ${fmt(w.counted_per_s).padStart(8)}  ${fmt(w.backlog_events).padStart(10)}`,
        )
      out.push('')
      if (memReport.length) {
        out.push('Peak RSS (VmHWM of the largest process of each group; all node processes in the JSON)')
        for (const m of memReport) line(`${m.name}${m.main ? ` (pid ${m.main.pid}, ${m.main.name})` : ''}`, m.main ? mb(m.main.hwm_kb) : 'n/a')
        out.push('')
      }
      out.push(
        `CPU, first request → all counted (${cpuWhole.wall_s.toFixed(1)} s wall, ${cpuWhole.cores} cores; machine busy ${cpuWhole.machine_busy_core_s.toFixed(1)} core-s = ${((cpuWhole.machine_busy_core_s / (cpuWhole.wall_s * cpuWhole.cores)) * 100).toFixed(0)}%)`,
      )
      for (const r of cpuWhole.rows)
        line(
          r.component,
          `${r.core_s.toFixed(1).padStart(7)} core-s  ${r.cores_used.toFixed(2)} cores  ${(r.share_of_machine_busy * 100).toFixed(0).padStart(3)}% of busy`,
        )
      if (cpuWhole.others_top.length)
        out.push(
          `  not ours, busiest: ${cpuWhole.others_top.map((x) => `${x.comm}${x.processes > 1 ? ` ×${x.processes}` : ''} ${x.core_s.toFixed(1)} core-s`).join(', ')}`,
        )
      out.push(
        `  during the load only (${cpuLoadOnly.wall_s.toFixed(1)} s): ${cpuLoadOnly.rows
          .filter((r) => r.core_s > 0.05)
          .map((r) => `${r.component} ${r.cores_used.toFixed(2)}`)
          .join(', ')} cores`,
      )
      out.push('')
      if (pgDelta) {
        out.push(`PostgreSQL (${BENCH_DB}; WAL is cluster-wide)`)
        line('transactions committed / rolled back', `${fmt(pgDelta.xact_commit)} / ${fmt(pgDelta.xact_rollback)}   deadlocks ${fmt(pgDelta.deadlocks)}`)
        line('rows inserted / updated / deleted', `${fmt(pgDelta.tup_inserted)} / ${fmt(pgDelta.tup_updated)} / ${fmt(pgDelta.tup_deleted)}`)
        line(
          'WAL written (per accepted event)',
          `${(pgDelta.wal_bytes / 1e6).toFixed(0)} MB (${fmt(pgDelta.wal_bytes / Math.max(1, answeredEvents))} B/event; ${fmt(pgDelta.wal_fpi)} full-page images; ${fmt(pgDelta.wal_sync)} WAL syncs)`,
        )
        if (sizes)
          line(
            'table sizes at the end',
            Object.entries(sizes)
              .map(([k, v]) => `${k} ${(v / 1e6).toFixed(0)} MB`)
              .join(', '),
          )
        out.push('  rows written per accepted event (n_tup_ins + n_tup_upd of pg_stat_user_tables), scans, autovacuum:')
        for (const [t, v] of Object.entries(tablesDelta ?? {}).sort(([a], [b]) => (a < b ? -1 : 1))) {
          line(
            `  ${t}`,
            `${((v.n_tup_ins + v.n_tup_upd) / Math.max(1, answeredEvents)).toFixed(2)} (ins ${fmt(v.n_tup_ins)}, upd ${fmt(v.n_tup_upd)}, HOT ${fmt(v.n_tup_hot_upd)}); seq scans ${fmt(v.seq_scan)} (${fmt(v.seq_tup_read)} rows), index ${fmt(v.idx_scan)}; autovacuum ${v.autovacuum_count}`,
          )
        }
        if (rollupWrites !== null) line('  every cost rollup table', `${(rollupWrites / Math.max(1, answeredEvents)).toFixed(2)} rows written per event`)
        if (pgActivity) {
          out.push(`  busy backends by statement (pg_stat_activity sampled every 200 ms, ${pgActivity.samples} samples; average backends in that state):`)
          for (const r of pgActivity.rows.slice(0, 12)) out.push(`    ${r.avg_backends.toFixed(2).padStart(5)}  ${r.what}`)
        }
        out.push('')
      }
      if (chaosResult) out.push(...chaosLines(chaosResult, (tLoadDone - t0) / 1000))
      out.push(...profileLines(profiles))
      line('ratio end-to-end ÷ COPY (below)', ratio.toFixed(4))
      out.push('')
      return { figures, lines: out, verdict }
    },
  }
}

runMain(main)
