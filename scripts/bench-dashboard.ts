// npm run bench:dashboard — server time of the dashboard pages' queries on a
// large organization (issue 5: "pages read rollups"; target p95 < 300 ms).
//
// 1. Loads (once; --reload to redo) a synthetic organization into its own
//    database, outlay_bench_dash: by default 10M events over 90 days, 200
//    accounts, 20 workflows (scripts/bench/dashboard-data.ts). The bulk path
//    writes what the ingest worker writes: events priced by the real cost
//    engine (lib/cost PriceBook) into inference_events, the runs table,
//    rollups_hourly summed by lib/rollups/hourly's own aggregate() (the worker's
//    code: same key, '' for absent dimensions, runs on each run's first event),
//    outcomes and rollups_outcomes_hourly, with COPY. Then it checks that the
//    rollups add up to the events (count, cost, unpriced, runs).
// 2. Starts the web server (server.ts) on its own port against that database and times, over
//    HTTP with a read key, exactly the requests each page issues on first load
//    (components/**/queries.ts), in parallel like the browser, for the 7-, 30-
//    and 90-day ranges; then, once every page is timed, the same groupings run
//    directly in PostgreSQL on the raw events, for comparison.
// Run with --help for the options.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { Client } from 'pg'
import {
  adminQuery,
  copyFrom,
  fmt,
  log,
  percentile,
  portInUse,
  request,
  ROOT,
  run,
  killGroup,
  runMain,
  sleep,
  startProcess,
  tail,
  waitForForeignBuild,
  type TStarted,
  intOption,
} from './bench/common'
import { DATASET_VERSION, generateHour, planDataset, type TBenchEvent, type TPlan } from './bench/dashboard-data'
import { HOUR_MS } from '../lib/domain'
import { periods } from '../lib/metrics/breakdown'
import { aggregate, hourOf, ROLLUP_DIMENSIONS, type TRollupContribution } from '../lib/rollups/hourly'
import { histogramLiteral } from '../lib/metrics/latency'
import { fromScaled } from '../lib/cost/money'
import { COST_SCALE, type PriceBook } from '../lib/cost/engine'
import { rebuildDailyRollups } from '../lib/rollups/rebuild'
import { DAILY_OUTCOMES, DAILY_ROLLUPS, WEEKLY_ROLLUPS } from '../lib/rollups/tables'
import { SPARKLINE_ACCOUNTS } from '../lib/metrics/views/accounts'
import { latencyGranularity } from '../lib/metrics/views/latency-routing'

const TARGET_P95_MS = 300
const BENCH_DB = 'outlay_bench_dash'
const QUEUE_PREFIX = 'outlay-bench-dash'
const MARKER_TABLE = 'bench_dashboard_dataset'
const RANGES = [7, 30, 90] as const

const HELP = `Usage: npm run bench:dashboard -- [options]

  --events N         events to load (default 10,000,000); e.g. 200000 for a quick try
  --days D           days of data, ending at the current hour (default 90)
  --reload           drop and reload the bench database even if it holds the same dataset
  --load-only        load (if needed) and verify, measure nothing
  --runs N           timed repetitions per page and range (default 20, after --warmup)
  --warmup N         untimed repetitions first (default 2)
  --raw-runs N       timed repetitions of the raw-event queries (default 3, after one untimed); 0: skip them
  --budget S         stop repeating a page after S seconds once it has 5 timed runs (raw: 1) (default 60)
  --pause S          wait S seconds before each timed run of a page, as a user who opens a page now and then (default 0:
                     back to back, which keeps the server's database connections warm)
  --pages LIST       only these pages (default: overview,workflows,features,accounts,workflow,account,decision,opportunities,review,changes,budgets,pricing,ingestion)
  --ranges LIST      only these ranges in days (default: 7,30,90)
  --now ISO          open the pages as at this moment (their ranges end at its next hour) instead of now: a read late
                     in the UTC day (e.g. 22:30), when a page's "today" is most of a day of hourly rows
  --port P           port of the web app it starts (default 3201)
  --build            run \`npm run build\` first (also done when .next is missing or older than the sources)
  --pg URL           PostgreSQL server URL without database (default $PG_SERVER_URL or postgresql://postgres@127.0.0.1:5432)
  --redis URL        Redis URL (default $REDIS_URL or redis://127.0.0.1:6379)
  --json             also print one JSON line with every figure (the table then goes to stderr)
`

type TOpts = {
  events: number
  days: number
  reload: boolean
  loadOnly: boolean
  runs: number
  warmup: number
  rawRuns: number
  port: number
  build: boolean
  pgServer: string
  redisUrl: string
  json: boolean
  budgetS: number
  pauseS: number
  pages: string[] | null
  ranges: number[]
  now: Date | null
}

function parseOptions(): TOpts {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      events: { type: 'string' },
      days: { type: 'string' },
      reload: { type: 'boolean' },
      'load-only': { type: 'boolean' },
      runs: { type: 'string' },
      warmup: { type: 'string' },
      'raw-runs': { type: 'string' },
      port: { type: 'string' },
      build: { type: 'boolean' },
      pg: { type: 'string' },
      redis: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
      budget: { type: 'string' },
      pause: { type: 'string' },
      pages: { type: 'string' },
      ranges: { type: 'string' },
      now: { type: 'string' },
    },
  })
  if (values.help) {
    process.stdout.write(HELP)
    process.exit(0)
  }
  const int = intOption
  return {
    events: int('events', values.events, 10_000_000, 1000, 200_000_000),
    days: int('days', values.days, 90, 1, 400),
    reload: values.reload ?? false,
    loadOnly: values['load-only'] ?? false,
    runs: int('runs', values.runs, 20, 1, 10_000),
    warmup: int('warmup', values.warmup, 2, 0, 1000),
    rawRuns: int('raw-runs', values['raw-runs'], 3, 0, 1000),
    port: int('port', values.port, 3201, 1, 65535),
    build: values.build ?? false,
    pgServer: (values.pg ?? process.env.PG_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432').replace(/\/+$/, ''),
    redisUrl: values.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    json: values.json ?? false,
    budgetS: int('budget', values.budget, 60, 1, 36_000),
    pauseS: int('pause', values.pause, 0, 0, 3_600),
    pages: values.pages ? values.pages.split(',').map((x) => x.trim()) : null,
    ranges: values.ranges
      ? values.ranges.split(',').map((x) => {
          const n = Number(x)
          if (!(RANGES as readonly number[]).includes(n)) throw new Error(`--ranges: each must be one of ${RANGES.join(', ')}`)
          return n
        })
      : [...RANGES],
    now: values.now ? isoDate('now', values.now) : null,
  }
}

function isoDate(name: string, v: string): Date {
  const t = Date.parse(v)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(v) || !Number.isFinite(t)) throw new Error(`--${name}: an ISO 8601 date and time, e.g. 2026-12-06T22:30:00Z`)
  return new Date(t)
}

const loadavg = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(', ')
const ms = (x: number) => (Number.isFinite(x) ? (x >= 10_000 ? fmt(x) : x.toFixed(x >= 100 ? 0 : 1)) : '—')

// ---------------------------------------------------------------- the dataset marker

type TMarker = {
  version: number
  events_target: number
  days: number
  accounts: number
  workflows: number
  seed: number
  end: string
  org_id: string
  org_slug: string
  api_key: string
  events: number
  runs: number
  outcomes: number
  rollup_rows: number
  outcome_rollup_rows: number
  load_seconds: number
  loaded_at: string
}

async function readMarker(o: TOpts): Promise<TMarker | null> {
  const exists = await adminQuery(o.pgServer, 'SELECT 1 FROM pg_database WHERE datname = $1', [BENCH_DB])
  if (exists.rowCount === 0) return null
  try {
    const r = await adminQuery(o.pgServer, `SELECT value FROM ${MARKER_TABLE} WHERE id = 1`, [], BENCH_DB)
    return (r.rows[0]?.value as TMarker | undefined) ?? null
  } catch {
    return null // no marker table: a partial or foreign database
  }
}

const sameDataset = (m: TMarker, o: TOpts) => m.version === DATASET_VERSION && m.events_target === o.events && m.days === o.days

// ---------------------------------------------------------------- loading

const EVENT_COPY = `COPY inference_events (org_id, event_id, "timestamp", environment, traffic_source, workflow_id, run_id, step, call_type, feature,
  scenario_id, owner, account_id, user_id, provider, model, tokens_in, cached_tokens_in, cache_write_tokens, tokens_out, requests, gpu_seconds, gpu_pool,
  outcome, attempt, latency_ms, cost_usd, cache_savings_usd, reported_cost_usd, input_hash, max_tokens, metadata, batch_id) FROM STDIN`
// the column order of lib/rollups/hourly's upsert
const ROLLUP_COPY = `COPY rollups_hourly (org_id, hour, ${ROLLUP_DIMENSIONS.join(', ')}, events, requests, tokens_in, cached_tokens_in, cache_write_tokens,
  tokens_out, gpu_seconds, unpriced_events, cost_usd, cache_savings_usd, reported_cost_usd, latency_ms_sum, latency_count, runs, latency_hist) FROM STDIN`
const RUNS_COPY = 'COPY runs (org_id, run_id, first_seen) FROM STDIN'
const OUTCOMES_COPY = 'COPY outcomes (org_id, outcome_id, "timestamp", workflow_id, run_id, account_id, feature, accepted, kind, batch_id) FROM STDIN'
const OUTCOME_ROLLUP_COPY = 'COPY rollups_outcomes_hourly (org_id, hour, workflow_id, feature, account_id, kind, outcomes, accepted) FROM STDIN'

const N = '\\N'
const iso = (t: number) => new Date(t).toISOString()
const nn = (v: string | number | null) => (v === null ? N : String(v))

/** Rows of several tables as COPY text, flushed in ~1 MB buffers. */
class CopyBuffer {
  chunks: Buffer[] = []
  rows = 0
  private parts: string[] = []
  private size = 0
  push(line: string): void {
    this.parts.push(line)
    this.size += line.length
    this.rows++
    if (this.size >= 1 << 20) this.flush()
  }
  flush(): void {
    if (this.parts.length) this.chunks.push(Buffer.from(this.parts.join(''), 'utf8'))
    this.parts = []
    this.size = 0
  }
  take(): Buffer[] {
    this.flush()
    const c = this.chunks
    this.chunks = []
    return c
  }
}

type TLoadCounts = { events: number; runs: number; outcomes: number; rollupRows: number; outcomeRollupRows: number; unpriced: number }

/**
 * One hour of the window: events as COPY text for inference_events (priced),
 * and the hour's runs, outcomes and rollup rows appended to the side buffers.
 * Each run's events stay in its hour, so the hour's rollups are complete here.
 */
function hourRows(
  plan: TPlan,
  hourIdx: number,
  orgId: string,
  book: PriceBook,
  batchId: number,
  side: { runs: CopyBuffer; rollups: CopyBuffer; outcomes: CopyBuffer; outcomeRollups: CopyBuffer },
  counts: TLoadCounts,
): Buffer {
  const h = generateHour(plan, hourIdx)
  const lines: string[] = []
  const runStart = runStartIds(h.events)
  const contributions: TRollupContribution[] = []
  for (const e of h.events) {
    const ts = iso(e.ts)
    const cost = book.price({
      provider: e.provider,
      model: e.model,
      timestamp: new Date(e.ts),
      tokens_in: e.tokens_in,
      cached_tokens_in: e.cached_tokens_in,
      cache_write_tokens: e.cache_write_tokens,
      tokens_out: e.tokens_out,
      requests: 1,
    })
    const costUsd = cost.priced ? cost.cost_usd : null
    const savings = cost.priced ? cost.cache_savings_usd : null
    // provider-reported cost: a number, as a client would send it
    const reported = costUsd !== null && e.reported_factor !== null ? Number((Number(costUsd) * e.reported_factor).toFixed(10)) : null
    if (costUsd === null) counts.unpriced++
    lines.push(
      `${orgId}\t${e.id}\t${ts}\t${e.environment}\t${e.traffic_source}\t${e.workflow_id}\t${e.run_id}\t${e.step}\t${e.call_type}\t${nn(e.feature)}\t${N}\t${e.owner}\t` +
        `${nn(e.account_id)}\t${nn(e.user_id)}\t${e.provider}\t${e.model}\t${e.tokens_in}\t${e.cached_tokens_in}\t${e.cache_write_tokens}\t${e.tokens_out}\t1\t${N}\t${N}\t` +
        `${e.outcome}\t${e.attempt}\t${e.latency_ms}\t${nn(costUsd)}\t${nn(savings)}\t${nn(reported)}\t${nn(e.input_hash)}\t${nn(e.max_tokens)}\t${N}\t${batchId}\n`,
    )
    contributions.push(contribution(e, ts, costUsd, savings, reported, runStart.has(e.id)))
  }
  counts.events += h.events.length
  for (const r of h.runs) side.runs.push(`${orgId}\t${r.run_id}\t${iso(r.first_ts)}\n`)
  counts.runs += h.runs.length
  // lib/rollups/hourly's own aggregation: what the worker adds for these events
  for (const a of aggregate(contributions)) {
    side.rollups.push(
      `${orgId}\t${a.hour}\t${a.dims.join('\t')}\t${a.events}\t${a.requests}\t${a.tokensIn}\t${a.cachedIn}\t${a.cacheWrite}\t${a.tokensOut}\t${fromScaled(a.gpuMicros, 6)}\t` +
        `${a.unpriced}\t${fromScaled(a.cost, COST_SCALE)}\t${fromScaled(a.savings, COST_SCALE)}\t${fromScaled(a.reported, COST_SCALE)}\t${a.latencySum}\t${a.latencyCount}\t${a.runs}\t${histogramLiteral(a.latencyHist) ?? '{}'}\n`,
    )
    counts.rollupRows++
  }
  // lib/rollups/outcomes' key: (hour, workflow, feature ?? '', account ?? '', kind ?? '')
  const orows = new Map<string, { outcomes: number; accepted: number }>()
  for (const x of h.outcomes) {
    side.outcomes.push(
      `${orgId}\t${x.id}\t${iso(x.ts)}\t${x.workflow_id}\t${x.run_id}\t${nn(x.account_id)}\t${nn(x.feature)}\t${x.accepted ? 't' : 'f'}\t${x.kind}\t${batchId}\n`,
    )
    const key = `${hourOf(iso(x.ts))}\t${x.workflow_id}\t${x.feature ?? ''}\t${x.account_id ?? ''}\t${x.kind}`
    const a = orows.get(key) ?? { outcomes: 0, accepted: 0 }
    a.outcomes++
    a.accepted += x.accepted ? 1 : 0
    orows.set(key, a)
  }
  for (const [key, a] of orows) side.outcomeRollups.push(`${orgId}\t${key}\t${a.outcomes}\t${a.accepted}\n`)
  counts.outcomes += h.outcomes.length
  counts.outcomeRollupRows += orows.size
  return Buffer.from(lines.join(''), 'utf8')
}

/** The events that carry their run in the rollups: each run's earliest, then smallest id (lib/ingest/process.ts newRunStarts). */
function runStartIds(events: TBenchEvent[]): Set<string> {
  const first = new Map<string, TBenchEvent>()
  for (const e of events) {
    const f = first.get(e.run_id)
    if (!f || e.ts < f.ts || (e.ts === f.ts && e.id < f.id)) first.set(e.run_id, e)
  }
  return new Set([...first.values()].map((e) => e.id))
}

function contribution(
  e: TBenchEvent,
  ts: string,
  cost: string | null,
  savings: string | null,
  reported: number | null,
  runStart: boolean,
): TRollupContribution {
  return {
    timestamp: ts,
    dims: {
      environment: e.environment,
      traffic_source: e.traffic_source,
      workflow_id: e.workflow_id,
      step: e.step,
      call_type: e.call_type,
      feature: e.feature,
      account_id: e.account_id,
      provider: e.provider,
      model: e.model,
      outcome: e.outcome,
    },
    runs: runStart ? 1 : 0,
    requests: 1,
    tokens_in: e.tokens_in,
    cached_tokens_in: e.cached_tokens_in,
    cache_write_tokens: e.cache_write_tokens,
    tokens_out: e.tokens_out,
    gpu_seconds: null,
    cost_usd: cost,
    cache_savings_usd: savings,
    response_cache_hit: false,
    response_cache_savings_usd: null,
    reported_cost_usd: reported,
    latency_ms: e.latency_ms,
  }
}

async function createDatabase(o: TOpts, env: NodeJS.ProcessEnv, logFile: string): Promise<{ org_id: string; org_slug: string; api_key: string }> {
  log(`fresh database ${BENCH_DB}: create, prisma migrate deploy, organization and key (npm run cli -- org:create)…`)
  await adminQuery(o.pgServer, `DROP DATABASE IF EXISTS ${BENCH_DB} WITH (FORCE)`)
  await adminQuery(o.pgServer, `CREATE DATABASE ${BENCH_DB}`)
  run('npx', ['prisma', 'migrate', 'deploy'], env, logFile, 'prisma migrate deploy')
  const out = run(
    'npm',
    ['run', '-s', 'cli', '--', 'org:create', '--name', 'Bench Dashboards', '--email', 'bench-dash@outlay.test', '--password', 'bench-dash-password', '--json'],
    env,
    logFile,
    'org:create',
  )
  const line = out
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'))
  if (!line) throw new Error(`org:create printed no JSON:\n${out}`)
  return JSON.parse(line) as { org_id: string; org_slug: string; api_key: string }
}

async function loadDataset(o: TOpts, env: NodeJS.ProcessEnv, logDir: string): Promise<TMarker> {
  const t0 = performance.now()
  const org = await createDatabase(o, env, path.join(logDir, 'setup.log'))
  const end = Math.floor(Date.now() / HOUR_MS) * HOUR_MS
  const plan = planDataset({ events: o.events, days: o.days, end })
  log(
    `dataset v${DATASET_VERSION}: ~${fmt(o.events)} events (${plan.meanEventsPerRun.toFixed(2)} per run), ${o.days} days to ${iso(end)}, ` +
      `${plan.opts.accounts} accounts, ${plan.opts.workflows} workflows, organization ${org.org_slug}`,
  )

  // The real price book of the organization (lib/cost/pricebook: the catalog plus its own prices, none here).
  process.env.DATABASE_URL = env.DATABASE_URL
  process.env.NEXTAUTH_SECRET ??= env.NEXTAUTH_SECRET
  const { loadPriceBook } = await import('../lib/cost/pricebook')
  const { closeDb } = await import('../lib/db')
  const book = await loadPriceBook(org.org_id)
  await closeDb()

  const c = new Client({ connectionString: env.DATABASE_URL })
  await c.connect()
  try {
    await c.query('SET synchronous_commit = off')
    await c.query(`CREATE TABLE ${MARKER_TABLE} (id int PRIMARY KEY, value jsonb NOT NULL)`)
    // Feature cost SLOs for a few features (the overview and features pages read them).
    await c.query(
      `INSERT INTO feature_slos (org_id, feature, target_usd_per_action) VALUES ($1, 'inbox-assist', 0.02), ($1, 'auto-reply', 0.01), ($1, 'smart-search', 0.004), ($1, 'doc-insights', 0.05)`,
      [org.org_id],
    )
    // Secondary indexes are built once at the end (a bulk load's usual order); the primary keys stay.
    const idx = await c.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('inference_events', 'outcomes')
         AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype = 'p')`,
    )
    for (const i of idx.rows) await c.query(`DROP INDEX "${i.name}"`)

    const counts: TLoadCounts = { events: 0, runs: 0, outcomes: 0, rollupRows: 0, outcomeRollupRows: 0, unpriced: 0 }
    const hours = plan.runsPerHour.length
    let lastLog = 0
    const tLoad = performance.now()
    // One COPY per day of events (~1/90 of the load per statement); the day's runs, outcomes and rollups follow it.
    for (let day = 0; day * 24 < hours; day++) {
      const side = { runs: new CopyBuffer(), rollups: new CopyBuffer(), outcomes: new CopyBuffer(), outcomeRollups: new CopyBuffer() }
      const first = day * 24
      const last = Math.min(hours, first + 24)
      // pulled as the socket drains: the next hour is generated while PostgreSQL inserts the previous one
      async function* eventChunks(): AsyncGenerator<Buffer> {
        for (let h = first; h < last; h++) {
          yield hourRows(plan, h, org.org_id, book, day + 1, side, counts)
          await new Promise<void>((r) => setImmediate(r))
        }
      }
      await copyFrom(c, EVENT_COPY, eventChunks())
      await copyFrom(c, RUNS_COPY, side.runs.take())
      await copyFrom(c, ROLLUP_COPY, side.rollups.take())
      await copyFrom(c, OUTCOMES_COPY, side.outcomes.take())
      await copyFrom(c, OUTCOME_ROLLUP_COPY, side.outcomeRollups.take())
      const now = performance.now()
      if (now - lastLog > 5000 || last === hours) {
        lastLog = now
        const rate = counts.events / ((now - tLoad) / 1000)
        const left = Math.max(0, o.events - counts.events)
        log(
          `  loading: day ${day + 1}/${Math.ceil(hours / 24)}  ${fmt(counts.events)} events (${fmt(rate)}/s)  ${fmt(counts.rollupRows)} rollup rows  ` +
            `~${fmt(left / Math.max(1, rate))} s left  [load ${loadavg()}]`,
        )
      }
    }
    const loadS = (performance.now() - tLoad) / 1000
    log(`events, runs, outcomes and rollups written in ${loadS.toFixed(0)} s; building ${idx.rows.length} secondary index(es)…`)
    await c.query(`SET maintenance_work_mem = '512MB'`)
    for (const i of idx.rows) {
      const ti = performance.now()
      // pg_indexes says "ON ONLY" for a partitioned table's index: run as it is, it would build the parent's (invalid)
      // and none of the partitions', and every raw-event read would scan the partitions
      await c.query(i.def.replace(/ ON ONLY /, ' ON '))
      log(`  ${i.name}: ${((performance.now() - ti) / 1000).toFixed(0)} s`)
    }
    const td = performance.now()
    await rebuildDailyRollups(c, org.org_id)
    log(`daily rollups summed from the hourly ones (lib/rollups/rebuild.ts, as the migration does): ${((performance.now() - td) / 1000).toFixed(0)} s`)
    const tk = performance.now()
    for (const statement of backfillStatements()) await c.query(statement)
    log(
      `repeat, re-run, prompt-version and end-user rollups from the events (their migrations' own backfill statements): ${((performance.now() - tk) / 1000).toFixed(0)} s`,
    )
    log('VACUUM ANALYZE (what autovacuum would have done by now: statistics and the visibility map)…')
    for (const t of [
      'inference_events',
      'runs',
      'rollups_hourly',
      'outcomes',
      'rollups_outcomes_hourly',
      ...DAILY_ROLLUPS.map((x) => x.table),
      ...WEEKLY_ROLLUPS.map((x) => x.table),
      ...DAILY_OUTCOMES.map((x) => x.table),
      ...KEYED_TABLES,
    ])
      await c.query(`VACUUM (ANALYZE) ${t}`)

    await verify(c, org.org_id, counts)
    const marker: TMarker = {
      version: DATASET_VERSION,
      events_target: o.events,
      days: o.days,
      accounts: plan.opts.accounts,
      workflows: plan.opts.workflows,
      seed: plan.opts.seed,
      end: iso(end),
      ...org,
      events: counts.events,
      runs: counts.runs,
      outcomes: counts.outcomes,
      rollup_rows: counts.rollupRows,
      outcome_rollup_rows: counts.outcomeRollupRows,
      load_seconds: Math.round((performance.now() - t0) / 1000),
      loaded_at: new Date().toISOString(),
    }
    await c.query(`INSERT INTO ${MARKER_TABLE} (id, value) VALUES (1, $1)`, [JSON.stringify(marker)])
    log(`loaded in ${marker.load_seconds} s (database, migrations, rows, indexes, vacuum, verification)`)
    return marker
  } finally {
    await c.end()
  }
}

/** The rollups must add up to the events: count, cost, unpriced, tokens, and runs (= the runs table). */
async function verify(c: Client, orgId: string, counts: TLoadCounts): Promise<void> {
  log('verifying: rollups against inference_events (one full scan)…')
  const e = (
    await c.query(
      `SELECT count(*)::text AS events, coalesce(sum(cost_usd), 0)::text AS cost, count(*) FILTER (WHERE cost_usd IS NULL)::text AS unpriced,
      sum(tokens_in)::text AS tokens_in, coalesce(sum(reported_cost_usd), 0)::text AS reported FROM inference_events WHERE org_id = $1`,
      [orgId],
    )
  ).rows[0]
  const r = (
    await c.query(
      `SELECT coalesce(sum(events), 0)::text AS events, coalesce(sum(cost_usd), 0)::text AS cost, coalesce(sum(unpriced_events), 0)::text AS unpriced,
      coalesce(sum(tokens_in), 0)::text AS tokens_in, coalesce(sum(reported_cost_usd), 0)::text AS reported, coalesce(sum(runs), 0)::text AS runs FROM rollups_hourly WHERE org_id = $1`,
      [orgId],
    )
  ).rows[0]
  const runs = (await c.query('SELECT count(*)::text AS n FROM runs WHERE org_id = $1', [orgId])).rows[0].n as string
  const o = (
    await c.query(
      `SELECT (SELECT count(*) FROM outcomes WHERE org_id = $1)::text AS a, (SELECT coalesce(sum(outcomes), 0) FROM rollups_outcomes_hourly WHERE org_id = $1)::text AS b`,
      [orgId],
    )
  ).rows[0]
  const checks: [string, string, string][] = [
    ['events', e.events, r.events],
    ['cost_usd', e.cost, r.cost],
    ['unpriced', e.unpriced, r.unpriced],
    ['tokens_in', e.tokens_in, r.tokens_in],
    ['reported_cost_usd', e.reported, r.reported],
    ['runs', runs, r.runs],
    ['outcomes', o.a, o.b],
    ['events written', String(counts.events), e.events],
  ]
  for (const t of [...DAILY_ROLLUPS, ...WEEKLY_ROLLUPS]) {
    const d = (
      await c.query(
        `SELECT coalesce(sum(events), 0)::text AS events, coalesce(sum(cost_usd), 0)::text AS cost, coalesce(sum(runs), 0)::text AS runs FROM ${t.table} WHERE org_id = $1`,
        [orgId],
      )
    ).rows[0]
    checks.push([`${t.table} events`, r.events, d.events], [`${t.table} cost`, r.cost, d.cost], [`${t.table} runs`, r.runs, d.runs])
  }
  const bad = checks.filter(([, a, b]) => Number(a) !== Number(b) || (a.includes('.') && a.replace(/0+$/, '') !== b.replace(/0+$/, '')))
  for (const [k, a, b] of checks) log(`  ${k.padEnd(18)} events ${a}  rollups ${b}  ${bad.some(([x]) => x === k) ? 'MISMATCH' : 'ok'}`)
  if (bad.length) throw new Error(`rollups do not add up to the events: ${bad.map(([k]) => k).join(', ')}`)
}

// ---------------------------------------------------------------- the web app

function newestMtime(p: string): number {
  const st = fs.statSync(p)
  if (!st.isDirectory()) return st.mtimeMs
  let m = 0
  for (const d of fs.readdirSync(p)) if (d !== 'node_modules' && !d.startsWith('.')) m = Math.max(m, newestMtime(path.join(p, d)))
  return m
}

async function ensureBuilt(o: TOpts, env: NodeJS.ProcessEnv, logFile: string): Promise<void> {
  await waitForForeignBuild()
  const buildId = path.join(ROOT, '.next', 'BUILD_ID')
  const sources = ['app', 'components', 'lib', 'prisma/schema.prisma', 'next.config.ts', 'package.json', 'instrumentation.ts']
    .map((p) => path.join(ROOT, p))
    .filter((p) => fs.existsSync(p))
  const newest = Math.max(...sources.map(newestMtime))
  const reason = o.build
    ? '--build'
    : !fs.existsSync(buildId)
      ? '.next/BUILD_ID is missing'
      : fs.statSync(buildId).mtimeMs < newest
        ? '.next is older than the sources'
        : null
  if (!reason) return
  log(`building the web app (npm run build: ${reason})…`)
  run('npm', ['run', 'build'], env, logFile, 'npm run build')
}

async function startWeb(o: TOpts, env: NodeJS.ProcessEnv, logDir: string, key: string, slug: string): Promise<{ base: URL; web: TStarted }> {
  const base = new URL(`http://127.0.0.1:${o.port}`)
  if (await portInUse(o.port)) throw new Error(`port ${o.port} is already in use: stop what listens there or pass --port`)
  const web = startProcess('web', 'npx', ['tsx', 'server.ts', '-p', String(o.port)], { ...env, NODE_ENV: 'production' }, path.join(logDir, 'web.log'))
  log(`started the web server on ${base.origin} (pgid ${web.pid}); log ${web.logFile}`)
  // /api/health answers 503 without workers (none here): wait for the metrics API itself.
  const agent = new http.Agent({ keepAlive: true })
  const deadline = Date.now() + 120_000
  for (;;) {
    if (web.exited) throw new Error(`the web server exited:\n${tail(web.logFile)}`)
    const r = await request(agent, base, 'GET', `/api/v1/feature-slos?org=${slug}`, key).catch(() => null)
    if (r?.status === 200) break
    if (r && r.status !== 200 && r.status !== 0 && r.status < 500) throw new Error(`GET /api/v1/feature-slos answered ${r.status}: ${r.body.slice(0, 300)}`)
    if (Date.now() > deadline) throw new Error(`the web app did not answer within 120 s:\n${tail(web.logFile)}`)
    await sleep(500)
  }
  agent.destroy()
  return { base, web }
}

// ---------------------------------------------------------------- what each page requests

type TParams = Record<string, string | undefined>
type TReq = { name: string; path: string /** a /api/v1/metrics request: its parameters, for the raw-event equivalent */; metrics?: TParams; raw?: 'itself' }
type TPage = { page: string; range: number | null; requests: TReq[] }

/** The metrics URL exactly as components/metrics/queries.ts useMetrics builds it. */
function metricsPath(slug: string, p: TParams): string {
  const qs = new URLSearchParams({ org: slug })
  for (const [k, v] of Object.entries(p)) if (v) qs.set(k, v)
  return `/api/v1/metrics?${qs}`
}

/** What the detail pages are opened on: the most expensive workflow, its most expensive step, and the most expensive account. */
type TSubjects = {
  workflow: string
  step: string
  account: string /** per range: the accounts the page draws sparklines for (its top 50 by spend) */
  topAccounts: Record<number, string[]>
}

/** The requests each dashboard page issues on first load, default filters (components/<area>/*.tsx). */
function pagePlan(slug: string, now: Date, subj: TSubjects): TPage[] {
  const out: TPage[] = []
  const m = (name: string, p: TParams): TReq => ({ name, path: metricsPath(slug, p), metrics: p })
  const slos: TReq = { name: 'feature-slos', path: `/api/v1/feature-slos?org=${slug}` }
  for (const days of RANGES) {
    const { current, previous } = periods(days, now)
    // components/overview/overview.tsx
    out.push({
      page: 'overview',
      range: days,
      requests: [
        m('total', { ...current, granularity: 'none' }),
        m('daily by traffic_source', { ...current, granularity: 'day', group_by: 'traffic_source' }),
        m('by workflow_id', { ...current, group_by: 'workflow_id' }),
        m('by provider,model', { ...current, group_by: 'provider,model' }),
        m('by environment', { ...current, group_by: 'environment' }),
        m('by feature', { ...current, group_by: 'feature' }),
        slos,
      ],
    })
    // components/metrics/breakdown-queries.ts useBreakdownMetrics: current, previous, daily
    const breakdown = (dim: string): TReq[] => [
      m(`current by ${dim}`, { ...current, group_by: dim, granularity: 'none' }),
      m(`previous by ${dim}`, { ...current, group_by: dim, ...previous, granularity: 'none', measures: 'cost_usd' }),
      m(`daily by ${dim}`, { ...current, group_by: dim, granularity: 'day', measures: 'cost_usd,runs' }),
    ]
    // components/workflows/workflows.tsx (the retry tax rides on the rows: retry_cost_usd)
    out.push({ page: 'workflows', range: days, requests: breakdown('workflow_id') })
    // components/features/features.tsx
    out.push({ page: 'features', range: days, requests: [...breakdown('feature'), slos] })
    // components/accounts/accounts.tsx: with more than 50 accounts, the daily series (sparklines) is asked for the top 50 only,
    // once `current` has answered — the page takes current + that request, not the max of the three (see the note in the output)
    out.push({
      page: 'accounts',
      range: days,
      requests: [
        ...breakdown('account_id').slice(0, 2),
        m('daily by account_id, top 50', {
          ...current,
          group_by: 'account_id',
          granularity: 'day',
          measures: 'cost_usd,runs',
          account_id: subj.topAccounts[days].join(','),
        }),
      ],
    })
    // components/workflows/workflow-detail.tsx (+ components/metrics/traffic-split.tsx)
    const wf = { ...current, workflow_id: subj.workflow }
    // the latency-beside-fallbacks card: per hour up to 7 days (its outcome counts then per hour too), else per day (the daily outcome rows serve)
    const latencyBy = latencyGranularity(current)
    out.push({
      page: 'workflow',
      range: days,
      requests: [
        m('current', { ...wf, granularity: 'none', group_by: 'workflow_id', latency_quantiles: 'true' }),
        m('previous', { ...wf, ...previous, granularity: 'none', group_by: 'workflow_id', measures: 'cost_usd' }),
        m('by step', { ...wf, granularity: 'none', group_by: 'step', latency_quantiles: 'true' }),
        m('by step,provider,model', { ...wf, granularity: 'none', group_by: 'step,provider,model' }),
        m('by provider,model', { ...wf, granularity: 'none', group_by: 'provider,model', latency_quantiles: 'true' }),
        m('daily by step', { ...wf, granularity: 'day', group_by: 'step', measures: 'cost_usd' }),
        m('daily by provider,model', { ...wf, granularity: 'day', group_by: 'provider,model', measures: 'cost_usd' }),
        m('daily by outcome', { ...wf, granularity: 'day', group_by: 'outcome' }),
        m('by outcome', { ...wf, granularity: 'none', group_by: 'outcome' }),
        m('daily by workflow_id', { ...wf, granularity: 'day', group_by: 'workflow_id' }),
        // components/metrics/traffic-split.tsx: both splits from one read
        m('by traffic_source,environment', { ...wf, granularity: 'none', group_by: 'traffic_source,environment', measures: 'cost_usd,unpriced_events' }),
        m(`latency per ${latencyBy}`, { ...wf, granularity: latencyBy, group_by: 'workflow_id', measures: 'events', latency_quantiles: 'true' }),
        ...(latencyBy === 'hour' ? [m('hourly by outcome', { ...wf, granularity: 'hour', group_by: 'outcome', measures: 'events' })] : []),
        // components/workflows/prompt-versions-card.tsx
        { name: 'prompt-versions', path: `/api/v1/prompt-versions?${new URLSearchParams({ org: slug, workflow_id: subj.workflow, ...current })}` },
      ],
    })
    // components/opportunities/opportunities.tsx: one request, the rollups of the measured kinds and the events of the estimated ones
    out.push({
      page: 'opportunities',
      range: days,
      requests: [{ name: 'opportunities', path: `/api/v1/opportunities?${new URLSearchParams({ org: slug, ...current })}` }],
    })
    // components/accounts/account-detail.tsx (+ traffic-split)
    const mine = { ...current, account_id: subj.account }
    out.push({
      page: 'account',
      range: days,
      requests: [
        m('current', { ...mine, granularity: 'none', group_by: 'account_id' }),
        m('previous', { ...mine, ...previous, granularity: 'none', group_by: 'account_id', measures: 'cost_usd' }),
        m('daily by workflow_id', { ...mine, granularity: 'day', group_by: 'workflow_id', measures: 'cost_usd' }),
        m('mine by workflow,step', { ...mine, granularity: 'none', group_by: 'workflow_id,step', measures: 'runs,cost_usd,retry_cost_usd' }),
        // the median account's calls per run per step; its raw-event equivalent: every account's calls and runs per step
        {
          name: 'step-medians',
          path: `/api/v1/metrics/step-medians?${new URLSearchParams({ org: slug, ...current })}`,
          metrics: { ...current, granularity: 'none', group_by: 'account_id,workflow_id,step', measures: 'runs' },
        },
        m('org by workflow,step', { ...current, granularity: 'none', group_by: 'workflow_id,step', measures: 'cost_usd,retry_cost_usd' }),
        // components/metrics/traffic-split.tsx: both splits from one read
        m('by traffic_source,environment', { ...mine, granularity: 'none', group_by: 'traffic_source,environment', measures: 'cost_usd,unpriced_events' }),
        // components/accounts/end-users-card.tsx
        { name: 'end-users', path: `/api/v1/end-users?${new URLSearchParams({ org: slug, account_id: subj.account, ...current })}` },
      ],
    })
    // components/workflows/decision-record.tsx: one request, four metrics reads and a sample of events behind it
    const dr = new URLSearchParams({ org: slug, workflow_id: subj.workflow, step: subj.step, ...current })
    out.push({ page: 'decision', range: days, requests: [{ name: 'decision-record', path: `/api/v1/decision-record?${dr}` }] })
  }
  // components/changes/changes.tsx, default view: the last 7 days against the 7 before, the whole organization
  {
    const { current, previous } = periods(7, now)
    const q = new URLSearchParams({ org: slug, a_from: previous.from, a_to: previous.to, b_from: current.from, b_to: current.to })
    out.push({
      page: 'changes',
      range: 7,
      requests: [
        { name: 'changes', path: `/api/v1/changes?${q}` },
        m('options by workflow_id', { from: previous.from, to: current.to, group_by: 'workflow_id', granularity: 'none' }),
      ],
    })
  }
  // components/opportunities/review.tsx, the quarterly review tab (its default: the last 90 days)
  {
    const { current } = periods(90, now)
    out.push({
      page: 'review',
      range: 90,
      requests: [{ name: 'review', path: `/api/v1/opportunities/review?${new URLSearchParams({ org: slug, ...current })}` }],
    })
  }
  // components/admin/telemetry-health.tsx: the last 24 hours of raw events (its first load; 7 days on request), grouped by source, workflow and step
  {
    const current = { from: new Date(now.getTime() - 86_400_000).toISOString(), to: now.toISOString() }
    out.push({
      page: 'ingestion',
      range: null,
      requests: [{ name: 'telemetry-health (24 h)', path: `/api/v1/telemetry-health?${new URLSearchParams({ org: slug, ...current })}`, raw: 'itself' }],
    })
  }
  // components/budgets/budgets.tsx: each budget measured on the rollups at read time, and the alerts
  out.push({
    page: 'budgets',
    range: null,
    requests: [
      { name: 'budgets', path: `/api/v1/budgets?org=${slug}` },
      { name: 'alerts', path: `/api/v1/alerts?org=${slug}` },
    ],
  })
  // components/pricing/*.tsx: not range-dependent. Unpriced models and provider-reported differences read the raw events themselves.
  out.push({
    page: 'pricing',
    range: null,
    requests: [
      { name: 'prices', path: `/api/v1/prices?org=${slug}` },
      { name: 'unpriced', path: `/api/v1/prices/unpriced?org=${slug}`, raw: 'itself' },
      { name: 'reprice-jobs', path: `/api/v1/reprice-jobs?org=${slug}` },
      { name: 'discrepancies', path: `/api/v1/prices/discrepancies?org=${slug}`, raw: 'itself' },
      { name: 'catalog', path: `/api/v1/prices/catalog?org=${slug}&q=` },
    ],
  })
  return out
}

/**
 * The tables the ingest worker keeps beside the cost rollups (repeats for response_cache, re-runs for retries, prompt
 * versions, end users): the bulk load fills them with the INSERT … SELECT statements their migrations backfill with.
 */
const BACKFILL_MIGRATIONS = [
  '20261208100000_response_cache_repeats',
  '20261211000000_rerun_rollups',
  '20261211020000_output_histograms',
  '20261211030000_weekly_output_histograms',
  '20261210400000_prompt_version_and_user_rollups',
  '20261212200000_weekly_user_rollups', // after the daily users it sums
]
const KEYED_TABLES = [
  'input_hashes',
  'rollups_hourly_repeats',
  'rollups_daily_repeats',
  'rollups_hourly_reruns',
  'rollups_daily_reruns',
  'rollups_hourly_outputs',
  'rollups_daily_outputs',
  'rollups_weekly_outputs',
  'prompt_version_runs',
  'rollups_hourly_prompts',
  'rollups_daily_prompts',
  'rollups_hourly_users',
  'rollups_daily_users',
  'rollups_weekly_users',
]
function backfillStatements(): string[] {
  return BACKFILL_MIGRATIONS.flatMap((m) => {
    const text = fs.readFileSync(path.join(ROOT, 'prisma/migrations', m, 'migration.sql'), 'utf8').replace(/--[^\n]*/g, '')
    return text.match(/INSERT INTO[\s\S]*?;/g) ?? []
  })
}

/** The most expensive workflow (and its most expensive step) and account of the last 7 days, from the hourly rollups. */
async function benchSubjects(url: string, orgId: string, now: Date): Promise<TSubjects> {
  const c = new Client({ connectionString: url })
  await c.connect()
  try {
    const { current } = periods(7, now)
    const top = async (cols: string, where = '', extra: unknown[] = []) =>
      (
        await c.query(
          `SELECT ${cols} FROM rollups_hourly WHERE org_id = $1 AND hour >= $2 AND hour < $3 ${where} GROUP BY ${cols} ORDER BY sum(cost_usd) DESC LIMIT 1`,
          [orgId, current.from, current.to, ...extra],
        )
      ).rows[0]
    const { workflow_id } = await top('workflow_id')
    const { step } = await top('step', 'AND workflow_id = $4', [workflow_id])
    const { account_id } = await top('account_id', `AND account_id <> ''`)
    const topAccounts: Record<number, string[]> = {}
    for (const days of RANGES) {
      const p = periods(days, now).current
      topAccounts[days] = (
        await c.query<{ account_id: string }>(
          `SELECT account_id FROM rollups_daily_accounts WHERE org_id = $1 AND day >= $2 AND day < $3 AND account_id <> ''
         GROUP BY 1 ORDER BY sum(cost_usd) DESC, 1 LIMIT ${SPARKLINE_ACCOUNTS}`,
          [orgId, p.from, p.to],
        )
      ).rows.map((r) => r.account_id)
    }
    return { workflow: workflow_id, step, account: account_id, topAccounts }
  } finally {
    await c.end()
  }
}

/** The budgets page needs budgets: four of the kinds the product offers, added once (by name). */
async function ensureBudgets(url: string, orgId: string): Promise<string> {
  const c = new Client({ connectionString: url })
  await c.connect()
  try {
    const budgets: [string, string | null, string | null, string | null, string, number | null, string, string][] = [
      ['Monthly AI spend', null, null, null, 'month', null, 'spend', '250000'],
      ['Daily production spend', 'production', null, null, 'day', null, 'spend', '9000'],
      ['Top account, rolling 30 days', null, null, 'acct-001', 'rolling', 30, 'spend', '20000'],
      ['Cost per run, this month', null, null, null, 'month', null, 'cost_per_run', '0.05'],
    ]
    for (const [name, env, wf, acct, period, rolling, metric, amount] of budgets) {
      await c.query(
        `INSERT INTO budgets (id, org_id, name, environment, workflow_id, account_id, period, rolling_days, metric, amount_usd, updated_at)
         SELECT gen_random_uuid(), $1, $2, $3, $4, $5, $6, $7, $8, $9, now() WHERE NOT EXISTS (SELECT 1 FROM budgets WHERE org_id = $1 AND name = $2)`,
        [orgId, name, env, wf, acct, period, rolling, metric, amount],
      )
    }
    return `${(await c.query('SELECT count(*)::int AS n FROM budgets WHERE org_id = $1', [orgId])).rows[0].n} in the organization`
  } finally {
    await c.end()
  }
}

// ---------------------------------------------------------------- the raw-event equivalent

const SQL_DIMS = new Set<string>(ROLLUP_DIMENSIONS)

/**
 * The same grouping, filters and range as a /api/v1/metrics request, over
 * inference_events instead of rollups_hourly, with the same measures except
 * `runs` (on raw events it needs a count(DISTINCT run_id) or the runs table:
 * only slower, so these figures are a lower bound).
 */
function rawMetricsSql(orgId: string, p: TParams): { text: string; values: unknown[] } {
  const values: unknown[] = [orgId, p.from, p.to]
  const where = ['org_id = $1', `"timestamp" >= date_trunc('hour', $2::timestamptz)`, `"timestamp" < $3::timestamptz`]
  for (const d of ROLLUP_DIMENSIONS) {
    const v = p[d]
    if (v) {
      values.push(v.split(','))
      where.push(`${d} = ANY($${values.length}::text[])`)
    }
  }
  const dims = (p.group_by ?? '').split(',').filter((d) => SQL_DIMS.has(d))
  const bucket =
    p.granularity === 'day'
      ? `date_trunc('day', "timestamp" AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'`
      : p.granularity === 'hour'
        ? `date_trunc('hour', "timestamp")`
        : null
  const keys = [...(bucket ? [bucket] : []), ...dims]
  const text = `SELECT ${[
    ...(bucket ? [`${bucket} AS bucket`] : []),
    ...dims,
    'count(*)::int8 AS events',
    'sum(requests)::int8 AS requests',
    'sum(tokens_in)::int8 AS tokens_in',
    'sum(cached_tokens_in)::int8 AS cached_tokens_in',
    'sum(cache_write_tokens)::int8 AS cache_write_tokens',
    'sum(tokens_out)::int8 AS tokens_out',
    'coalesce(sum(gpu_seconds), 0)::float8 AS gpu_seconds',
    'count(*) FILTER (WHERE cost_usd IS NULL)::int8 AS unpriced_events',
    'round(coalesce(sum(cost_usd), 0), 6)::text AS cost_usd',
    'round(coalesce(sum(cache_savings_usd), 0), 6)::text AS cache_savings_usd',
    'round(coalesce(sum(reported_cost_usd), 0), 6)::text AS reported_cost_usd',
    `round(coalesce(sum(cost_usd) FILTER (WHERE traffic_source = 'production' AND environment = 'production'), 0), 6)::text AS production_cost_usd`,
    'CASE WHEN sum(tokens_in) > 0 THEN sum(cached_tokens_in)::float8 / sum(tokens_in) ELSE 0 END AS cache_hit_rate',
    'avg(latency_ms) AS avg_latency_ms',
  ].join(', ')}
  FROM inference_events WHERE ${where.join(' AND ')}
  ${keys.length ? `GROUP BY ${keys.map((_, i) => i + 1).join(', ')}` : ''}
  ORDER BY ${bucket ? '1 ASC, ' : ''}sum(cost_usd) DESC NULLS LAST LIMIT 10000`
  return { text, values }
}

// ---------------------------------------------------------------- timing

type TStats = { n: number; p50: number; p95: number; max: number }
const stats = (xs: number[]): TStats => ({ n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), max: xs.length ? Math.max(...xs) : NaN })

type TPageResult = {
  page: string
  range: number | null
  requests: { name: string; path: string; http: TStats; raw: TStats | null; raw_is_itself: boolean; rows: number | null }[]
  http: TStats
  raw: TStats | null
  pass: boolean
}

async function timePage(base: URL, key: string, p: TPage, o: TOpts, agent: http.Agent): Promise<{ page: TStats; per: TStats[]; rows: (number | null)[] }> {
  const perReq: number[][] = p.requests.map(() => [])
  const pageTimes: number[] = []
  let rows: (number | null)[] = p.requests.map(() => null)
  const start = performance.now()
  for (let i = 0; i < o.warmup + o.runs; i++) {
    if (pageTimes.length >= 5 && performance.now() - start > o.budgetS * 1000) break
    if (o.pauseS && i >= o.warmup) await sleep(o.pauseS * 1000)
    const t0 = performance.now()
    const done = await Promise.all(
      p.requests.map(async (r) => {
        const s = performance.now()
        // a keep-alive socket the server closed while idle fails at once ("socket hang up"): that request is sent again on a new one
        const a = await request(agent, base, 'GET', r.path, key, undefined, 300_000).catch((e: Error) => {
          if (!/socket hang up|ECONNRESET/.test(e.message)) throw e
          return request(agent, base, 'GET', r.path, key, undefined, 300_000)
        })
        const d = performance.now() - s
        if (a.status !== 200) throw new Error(`GET ${r.path} answered ${a.status}: ${a.body.slice(0, 300)}`)
        let n: number | null = null
        if (r.metrics) n = (JSON.parse(a.body) as { rows: unknown[] }).rows.length
        return { d, n }
      }),
    )
    const page = performance.now() - t0
    if (i < o.warmup) continue
    pageTimes.push(page)
    done.forEach((x, k) => perReq[k].push(x.d))
    rows = done.map((x) => x.n)
  }
  return { page: stats(pageTimes), per: perReq.map(stats), rows }
}

/** The page's raw-event equivalents, in parallel on their own connections (like the page's requests). */
async function timeRaw(url: string, orgId: string, p: TPage, o: TOpts): Promise<{ page: TStats; per: (TStats | null)[] } | null> {
  const idx = p.requests.map((r, i) => (r.metrics ? i : -1)).filter((i) => i >= 0)
  if (idx.length === 0 || o.rawRuns === 0) return null
  const clients = await Promise.all(
    idx.map(async () => {
      const c = new Client({ connectionString: url })
      await c.connect()
      await c.query(`SET statement_timeout = '300s'`)
      return c
    }),
  )
  try {
    const per: number[][] = idx.map(() => [])
    const pageTimes: number[] = []
    const start = performance.now()
    for (let i = 0; i < 1 + o.rawRuns; i++) {
      if (pageTimes.length >= 1 && performance.now() - start > o.budgetS * 1000) break
      const t0 = performance.now()
      const ds = await Promise.all(
        idx.map(async (ri, k) => {
          const s = performance.now()
          await clients[k].query(rawMetricsSql(orgId, p.requests[ri].metrics as TParams))
          return performance.now() - s
        }),
      )
      if (i === 0) continue
      pageTimes.push(performance.now() - t0)
      ds.forEach((d, k) => per[k].push(d))
    }
    const out: (TStats | null)[] = p.requests.map(() => null)
    idx.forEach((ri, k) => (out[ri] = stats(per[k])))
    return { page: stats(pageTimes), per: out }
  } finally {
    await Promise.all(clients.map((c) => c.end().catch(() => undefined)))
  }
}

// ---------------------------------------------------------------- the run

async function rowCounts(
  url: string,
  orgId: string,
  now: Date,
): Promise<{ events: number; rollups: number; per_range: { days: number; events: number; rollup_rows: number }[]; sizes: Record<string, number> }> {
  const c = new Client({ connectionString: url })
  await c.connect()
  try {
    // planner estimates for the totals (a count(*) of 10M rows is a benchmark of its own), exact counts per range from the rollups
    const est = async (t: string) => Number((await c.query(`SELECT reltuples::float8 AS n FROM pg_class WHERE relname = $1`, [t])).rows[0].n)
    const per_range = []
    for (const days of RANGES) {
      const { current } = periods(days, now)
      const r = (
        await c.query(
          `SELECT count(*)::int8 AS rows, coalesce(sum(events), 0)::int8 AS events FROM rollups_hourly WHERE org_id = $1 AND hour >= $2 AND hour < $3`,
          [orgId, current.from, current.to],
        )
      ).rows[0]
      per_range.push({ days, events: Number(r.events), rollup_rows: Number(r.rows) })
    }
    const sizes: Record<string, number> = {}
    for (const t of ['inference_events', 'rollups_hourly', 'runs', 'rollups_outcomes_hourly'])
      sizes[t] = Number((await c.query(`SELECT pg_total_relation_size($1)::float8 AS b`, [t])).rows[0].b)
    return { events: await est('inference_events'), rollups: await est('rollups_hourly'), per_range, sizes }
  } finally {
    await c.end()
  }
}

async function main(): Promise<void> {
  const o = parseOptions()
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outlay-bench-dash-'))
  const url = `${o.pgServer}/${BENCH_DB}`
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX,
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
    NEXTAUTH_URL: `http://127.0.0.1:${o.port}`,
    NEXT_TELEMETRY_DISABLED: '1',
    NODE_ENV: 'production',
  }
  log(`load average at start: ${loadavg()} (${os.cpus().length} cores); logs in ${logDir}`)

  let marker = await readMarker(o)
  let loadedNow = false
  if (marker && sameDataset(marker, o) && !o.reload) {
    log(
      `${BENCH_DB} already holds dataset v${marker.version} (${fmt(marker.events)} events to ${marker.end}, loaded ${marker.loaded_at} in ${marker.load_seconds} s): not reloading (--reload forces it)`,
    )
    // migrations added since the load (an index, say) apply to the loaded data too
    const migrated = run('npx', ['prisma', 'migrate', 'deploy'], env, path.join(logDir, 'setup.log'), 'prisma migrate deploy')
    const applied = /following migration\(s\) have been applied:\s*([\s\S]*?)(\n\s*\n|All migrations|$)/.exec(migrated)?.[1]?.trim()
    if (applied) log(`applied migrations newer than the load: ${applied.replace(/\s+/g, ' ')}`)
  } else {
    if (marker && !o.reload) log(`${BENCH_DB} holds another dataset (v${marker.version}, ${fmt(marker.events_target)} events, ${marker.days} days): reloading`)
    marker = await loadDataset(o, env, logDir)
    loadedNow = true
  }
  if (o.loadOnly) return

  await ensureBuilt(o, env, path.join(logDir, 'build.log'))
  let { base, web } = await startWeb(o, env, logDir, marker.api_key, marker.org_slug)
  const now = o.now ?? new Date()
  if (o.now) log(`pages opened as at ${now.toISOString()} (--now)`)
  const subjects = await benchSubjects(url, marker.org_id, now)
  log(
    `detail pages open workflow ${subjects.workflow}, step ${subjects.step}, account ${subjects.account}; budgets: ${await ensureBudgets(url, marker.org_id)}`,
  )
  const plan = pagePlan(marker.org_slug, now, subjects).filter(
    (p) => (!o.pages || o.pages.includes(p.page)) && (p.range === null || o.ranges.includes(p.range)),
  )
  const counts = await rowCounts(url, marker.org_id, now)
  const agent = new http.Agent({ keepAlive: true, maxSockets: 6 }) // a browser's connections per host
  const results: TPageResult[] = []
  const timed: Awaited<ReturnType<typeof timePage>>[] = []
  for (const p of plan) {
    log(
      `timing ${p.page}${p.range ? ` (${p.range} days)` : ''}: ${p.requests.length} parallel requests × ${o.runs} (+${o.warmup} warm-up)…  [load ${loadavg()}]`,
    )
    let h: Awaited<ReturnType<typeof timePage>> | null = null
    for (let attempt = 1; !h; attempt++) {
      try {
        h = await timePage(base, marker.api_key, p, o, agent)
      } catch (e) {
        // the web process went away (something else on this shared machine stopped it): start it again and redo the page
        await sleep(1000)
        if ((!web.exited && (await portInUse(o.port))) || attempt >= 3) throw e
        if (!web.exited) killGroup(web.pid, 'SIGKILL')
        log(`the web app exited during ${p.page} (${(e as Error).message}); restarting it and timing the page again`)
        ;({ base, web } = await startWeb(o, env, logDir, marker.api_key, marker.org_slug))
      }
    }
    log(`  ${p.page}${p.range ? ` ${p.range}d` : ''}: page p50 ${ms(h.page.p50)} ms, p95 ${ms(h.page.p95)} ms (n=${h.page.n})`)
    timed.push(h)
  }
  agent.destroy()
  const loadEnd = loadavg()
  // The raw-event equivalents run once every page is timed: their scans of gigabytes of events would
  // otherwise push the rollups out of the caches between one page and the next, and keep the machine
  // busy with their own parallel workers while the next page is timed.
  for (const [k, p] of plan.entries()) {
    const h = timed[k]
    const r = o.rawRuns === 0 ? null : await timeRaw(url, marker.org_id, p, o)
    if (r) log(`  ${p.page}${p.range ? ` ${p.range}d` : ''}: raw-event equivalent p50 ${ms(r.page.p50)} ms, p95 ${ms(r.page.p95)} ms (n=${r.page.n})`)
    results.push({
      page: p.page,
      range: p.range,
      http: h.page,
      raw: r?.page ?? null,
      pass: h.page.p95 < TARGET_P95_MS,
      requests: p.requests.map((q, i) => ({
        name: q.name,
        path: q.path,
        http: h.per[i],
        raw: q.raw === 'itself' ? h.per[i] : (r?.per[i] ?? null),
        raw_is_itself: q.raw === 'itself',
        rows: h.rows[i],
      })),
    })
  }

  // ---- report
  const out: string[] = []
  const m = marker
  out.push('')
  out.push(
    `bench:dashboard — ${fmt(m.events)} events over ${m.days} days (to ${m.end}), ${m.accounts} accounts, ${m.workflows} workflows, dataset v${m.version}`,
  )
  out.push(`loaded ${loadedNow ? 'in this run' : `on ${m.loaded_at}`}: ${m.load_seconds} s; ${fmt(m.runs)} runs, ${fmt(m.outcomes)} outcomes`)
  out.push(
    `rows: inference_events ${fmt(m.events)} (${(counts.sizes.inference_events / 1e9).toFixed(2)} GB)   rollups_hourly ${fmt(m.rollup_rows)} (${(counts.sizes.rollups_hourly / 1e9).toFixed(2)} GB)   ` +
      `= ${(m.events / m.rollup_rows).toFixed(2)} events per rollup row   (rollups_outcomes_hourly ${fmt(m.outcome_rollup_rows)})`,
  )
  for (const r of counts.per_range)
    out.push(
      `  last ${String(r.days).padStart(2)} days: ${fmt(r.events)} events in ${fmt(r.rollup_rows)} rollup rows (${(r.events / Math.max(1, r.rollup_rows)).toFixed(2)} events per row)`,
    )
  out.push(
    `HTTP: the web server (server.ts) on ${base.origin}, up to ${o.runs} timed runs (n) after ${o.warmup} warm-up(s), fewer past ${o.budgetS} s per page; each page's requests in parallel; page time = its slowest request.`,
  )
  out.push(
    o.rawRuns === 0
      ? 'raw: not run (--raw-runs 0)'
      : `raw: the same groupings on inference_events in PostgreSQL (all measures but runs), up to ${o.rawRuns} timed run(s) after 1 untimed, in parallel per page.`,
  )
  out.push(`load average (1, 5, 15 min): ${loadEnd} at the end of the HTTP timings (the raw-event equivalents run after them), ${os.cpus().length} cores`)
  out.push('')
  const header = `${'page'.padEnd(10)} ${'range'.padStart(5)} ${'req'.padStart(3)} ${'n'.padStart(3)}  ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}  ${'target'.padStart(8)}  ${'result'.padEnd(6)}  ${'raw p50'.padStart(9)} ${'raw p95'.padStart(9)} ${'raw n'.padStart(5)}`
  out.push(header)
  out.push('-'.repeat(header.length))
  for (const r of results) {
    out.push(
      `${r.page.padEnd(10)} ${(r.range ? `${r.range}d` : '—').padStart(5)} ${String(r.requests.length).padStart(3)} ${String(r.http.n).padStart(3)}  ${ms(r.http.p50).padStart(8)} ${ms(r.http.p95).padStart(8)} ${ms(r.http.max).padStart(8)}  ` +
        `${`< ${TARGET_P95_MS}`.padStart(8)}  ${(r.pass ? 'PASS' : 'MISS').padEnd(6)}  ${ms(r.raw?.p50 ?? NaN).padStart(9)} ${ms(r.raw?.p95 ?? NaN).padStart(9)} ${String(r.raw?.n ?? '—').padStart(5)}`,
    )
  }
  out.push('')
  out.push('per request (ms):')
  out.push(
    `  ${'page'.padEnd(10)} ${'range'.padStart(5)}  ${'request'.padEnd(26)} ${'rows'.padStart(6)}  ${'p50'.padStart(7)} ${'p95'.padStart(7)} ${'max'.padStart(7)}   ${'raw p50'.padStart(9)} ${'raw p95'.padStart(9)}`,
  )
  for (const r of results)
    for (const q of r.requests) {
      const raw = q.raw ? `${ms(q.raw.p50).padStart(9)} ${ms(q.raw.p95).padStart(9)}` : `${'—'.padStart(9)} ${'—'.padStart(9)}`
      out.push(
        `  ${r.page.padEnd(10)} ${(r.range ? `${r.range}d` : '—').padStart(5)}  ${q.name.padEnd(26)} ${(q.rows === null ? '' : fmt(q.rows)).padStart(6)}  ${ms(q.http.p50).padStart(7)} ${ms(q.http.p95).padStart(7)} ${ms(q.http.max).padStart(7)}   ${raw}${q.raw_is_itself ? '  (the endpoint reads raw events itself)' : ''}`,
      )
    }
  const misses = results.filter((r) => !r.pass)
  out.push('')
  out.push(
    misses.length
      ? `MISS: ${misses.map((r) => `${r.page}${r.range ? ` ${r.range}d` : ''} (p95 ${ms(r.http.p95)} ms)`).join(', ')}`
      : `every page PASSes (p95 < ${TARGET_P95_MS} ms)`,
  )
  ;(o.json ? process.stderr : process.stdout).write(out.join('\n') + '\n')
  if (o.json) {
    const figures = {
      target_p95_ms: TARGET_P95_MS,
      load_average_end: os.loadavg(),
      cores: os.cpus().length,
      dataset: { ...m, api_key: undefined },
      rows: counts,
      runs: o.runs,
      warmup: o.warmup,
      raw_runs: o.rawRuns,
      pages: results,
    }
    process.stdout.write(JSON.stringify(figures, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)) + '\n')
  }
}

runMain(main)
