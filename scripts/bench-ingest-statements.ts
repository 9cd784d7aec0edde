// npm run bench:ingest-statements — where the ingest transaction's time goes (issue 22).
//
// No web server, no queue worker: in this one process, batches of events at a
// chosen cardinality (scripts/bench/ingest-load.ts) are accepted as the API does
// (acceptEvents) and counted by processBatch, `--group` batches per transaction
// as group commit takes them under a backlog. Every statement the transaction
// sends is timed (pg's Client.query, wall time of the round trip), and the rows
// each table took are read from pg_stat_user_tables. PostgreSQL's
// pg_stat_statements needs shared_preload_libraries (a server restart) and the
// server's log is not readable here, hence the client-side timing.
//
// Its own database, outlay_bench_stmt[_$OUTLAY_TEST_RUN], migrated fresh, and queue prefix (no worker reads it).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { performance } from 'node:perf_hooks'
import { parseArgs } from 'node:util'
import { Client } from 'pg'
import { generateDemoEvents, type TDemoEvent } from '../lib/demo/generate'
import { adminQuery, clearRedisPrefix, fmt, intOption, log, run, runMain, statementLabel } from './bench/common'
import { describeCardinality, EventFactory, parseCardinality } from './bench/ingest-load'

const RUN = /^[a-z0-9_]+$/.test(process.env.OUTLAY_TEST_RUN ?? '') ? `_${process.env.OUTLAY_TEST_RUN}` : ''
const DB = `outlay_bench_stmt${RUN}`
const PREFIX = `outlay-bench-stmt${RUN.replace(/_/g, '-')}`

const HELP = `Usage: npm run bench:ingest-statements -- [options]

  --cardinality C   low | realistic (default) | key=value changes (as bench:ingest)
  --events N        events to count (default 20,000), after a warm-up of one group
  --batch N         events per accepted batch (default 100)
  --group N         batches per transaction (default 20: group commit under a backlog)
  --setup-sql SQL   run on the fresh database after the migrations (an experiment: DROP INDEX …)
  --pg URL          PostgreSQL server URL without database (default $PG_SERVER_URL or postgresql://postgres@127.0.0.1:5432)
  --redis URL       Redis URL (default $REDIS_URL or redis://127.0.0.1:6379)
  --keep-db         keep the database afterwards
  --json            also print one JSON line
`

type TStat = { calls: number; ms: number; pgCpuMs: number }

/** CPU time (ms) a process has used, from /proc (PostgreSQL backends too: /proc/<pid>/stat is readable by all). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0
  try {
    const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const rest = f.slice(f.lastIndexOf(')') + 2).split(' ')
    return ((Number(rest[11]) + Number(rest[12])) * 1000) / CLK_TCK
  } catch {
    return 0
  }
}
const CLK_TCK = 100

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    strict: true,
    options: {
      cardinality: { type: 'string' },
      events: { type: 'string' },
      batch: { type: 'string' },
      group: { type: 'string' },
      'setup-sql': { type: 'string' },
      pg: { type: 'string' },
      redis: { type: 'string' },
      'keep-db': { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  })
  if (values.help) return void process.stdout.write(HELP)
  const load = parseCardinality(values.cardinality ?? 'realistic')
  const events = intOption('events', values.events, 20_000, 100, 10_000_000)
  const batch = intOption('batch', values.batch, 100, 1, 1000)
  const group = intOption('group', values.group, 20, 1, 1000)
  const pgServer = (values.pg ?? process.env.PG_SERVER_URL ?? 'postgresql://postgres@127.0.0.1:5432').replace(/\/+$/, '')
  const redisUrl = values.redis ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'outlay-bench-stmt-'))

  log(`fresh database ${DB}…`)
  await adminQuery(pgServer, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await adminQuery(pgServer, `CREATE DATABASE ${DB}`)
  await clearRedisPrefix(redisUrl, PREFIX)
  const env = { ...process.env, DATABASE_URL: `${pgServer}/${DB}`, REDIS_URL: redisUrl, QUEUE_PREFIX: PREFIX }
  run('npx', ['prisma', 'migrate', 'deploy'], env, path.join(logDir, 'setup.log'), 'prisma migrate deploy')
  if (values['setup-sql']) {
    log(`setup SQL: ${values['setup-sql']}`)
    await adminQuery(pgServer, values['setup-sql'], [], DB)
  }
  Object.assign(process.env, { DATABASE_URL: env.DATABASE_URL, QUEUE_PREFIX: PREFIX, NEXTAUTH_SECRET: 'bench-statements-0123456789abcdef' })

  // lib/ modules read the environment when first used: imported once it is set
  const { createOrgWithAdmin } = await import('../lib/orgs')
  const { acceptEvents } = await import('../lib/ingest/accept')
  const { processBatch } = await import('../lib/ingest/process')
  const { asOrg, closeDb, pool } = await import('../lib/db')
  const { closeQueues } = await import('../lib/queues')

  const orgId = (await createOrgWithAdmin({ org_name: 'Bench statements', email: 'stmt@bench.test', password: 'bench-password-123' })).org.id
  const templates: TDemoEvent[] = []
  for (const day of generateDemoEvents({ now: new Date(), days: 4, runsPerDay: 1500 })) {
    templates.push(...day)
    if (templates.length >= 40_000) break
  }
  const factory = new EventFactory(templates, `s${Date.now().toString(36)}`, load.c)

  // time every statement of processBatch (only while `timing`)
  const stats = new Map<string, TStat>()
  let timing = false
  const proto = Client.prototype as unknown as { query: (...a: unknown[]) => unknown }
  const original = proto.query
  proto.query = function (this: Client, ...args: unknown[]) {
    const r = original.apply(this, args)
    if (!timing || !(r instanceof Promise)) return r
    const sql = typeof args[0] === 'string' ? args[0] : ((args[0] as { text?: string })?.text ?? '?')
    const t0 = performance.now()
    const backend = (this as unknown as { processID?: number }).processID
    const c0 = cpuMs(backend)
    const add = () => {
      const k = statementLabel(sql)
      const s = stats.get(k) ?? { calls: 0, ms: 0, pgCpuMs: 0 }
      s.calls++
      s.ms += performance.now() - t0
      s.pgCpuMs += cpuMs(backend) - c0
      stats.set(k, s)
    }
    return r.then(
      (x) => (add(), x),
      (e) => {
        add()
        throw e
      },
    )
  }

  const tableStats = async () =>
    (
      await adminQuery(
        pgServer,
        `SELECT relname, n_tup_ins::int8 AS ins, n_tup_upd::int8 AS upd FROM pg_stat_user_tables WHERE n_tup_ins + n_tup_upd > 0`,
        [],
        DB,
      )
    ).rows as { relname: string; ins: string; upd: string }[]

  let seq = 0
  let workerCpuMs = 0
  const oneGroup = async (): Promise<{ ms: number; inserted: number }> => {
    const ids: string[] = []
    for (let i = 0; i < group; i++) {
      const a = await asOrg(orgId, () => acceptEvents({ orgId, rateLimit: null }, { events: factory.batch(seq++, batch) }))
      if (a.rejected.length) throw new Error(`rejected: ${JSON.stringify(a.rejected.slice(0, 2))}`)
    }
    const r = await pool().query<{ id: string }>('SELECT id::text FROM outlay_pending_batches(0, 1000)')
    ids.push(...r.rows.map((x) => x.id))
    if (ids.length === 0) throw new Error('no batch waiting')
    timing = true
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const p = await processBatch(ids[0], orgId)
    const ms = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    workerCpuMs += (cpu.user + cpu.system) / 1000
    timing = false
    if (p.status !== 'processed' || p.batches !== ids.length) throw new Error(`group commit took ${p.batches} of ${ids.length} batches (${p.status})`)
    return { ms, inserted: p.inserted }
  }

  log(`load ${load.name}: ${describeCardinality(load.c)}; warm-up group…`)
  await oneGroup()
  stats.clear()
  workerCpuMs = 0
  await sleep(1200)
  const before = await tableStats()
  let txMs = 0
  let inserted = 0
  const groups = Math.ceil(events / (batch * group))
  log(`${groups} transactions of ${group} × ${batch} events…`)
  for (let g = 0; g < groups; g++) {
    const r = await oneGroup()
    txMs += r.ms
    inserted += r.inserted
  }
  await closeQueues()
  await closeDb()
  await sleep(1200) // the backends' table statistics are flushed when they end
  const after = await tableStats()
  const b0 = new Map(before.map((r) => [r.relname, r]))
  const tables = after
    .map((r) => {
      const p = b0.get(r.relname)
      const ins = Number(r.ins) - Number(p?.ins ?? 0)
      const upd = Number(r.upd) - Number(p?.upd ?? 0)
      return { table: r.relname, ins, upd, per_event: (ins + upd) / inserted }
    })
    .filter((t) => t.ins + t.upd > 0 && t.table !== 'ingest_batches')
    .sort((a, b) => b.per_event - a.per_event)
  const statements = [...stats.entries()]
    .map(([statement, s]) => ({
      statement,
      calls: s.calls,
      ms: s.ms,
      us_per_event: (s.ms * 1000) / inserted,
      share: s.ms / txMs,
      pg_cpu_ms: s.pgCpuMs,
      pg_cpu_us_per_event: (s.pgCpuMs * 1000) / inserted,
    }))
    .sort((a, b) => b.ms - a.ms)

  const out: string[] = []
  out.push('')
  out.push(`Ingest transaction, statement by statement  ${new Date().toISOString()}  load ${load.name}: ${describeCardinality(load.c)}`)
  out.push(
    `  ${fmt(inserted)} events in ${groups} transactions of ${group} × ${batch}; one process, no web, loaded machine (load average ${os
      .loadavg()
      .map((x) => x.toFixed(1))
      .join(' ')})${values['setup-sql'] ? `; setup SQL: ${values['setup-sql']}` : ''}`,
  )
  const pgCpu = statements.reduce((n, s) => n + s.pg_cpu_ms, 0)
  out.push(`  processBatch: ${fmt(txMs)} ms wall in all, ${fmt(txMs / groups, 1)} ms a transaction, ${fmt((inserted / txMs) * 1000)} events/s counted`)
  out.push(
    `  CPU: PostgreSQL backend ${fmt(pgCpu)} ms (${fmt((pgCpu * 1000) / inserted, 1)} µs/event), this worker ${fmt(workerCpuMs)} ms (${fmt((workerCpuMs * 1000) / inserted, 1)} µs/event): ${fmt((inserted / (pgCpu + workerCpuMs)) * 1000)} events per CPU-second`,
  )
  out.push('')
  out.push(
    `  ${'statement'.padEnd(86)} ${'calls'.padStart(6)} ${'wall ms'.padStart(8)} ${'µs/event'.padStart(9)} share  ${'pg CPU ms'.padStart(9)} ${'µs/event'.padStart(9)} share`,
  )
  for (const s of statements)
    out.push(
      `  ${s.statement.padEnd(86)} ${fmt(s.calls).padStart(6)} ${fmt(s.ms).padStart(8)} ${fmt(s.us_per_event, 1).padStart(9)} ${(s.share * 100).toFixed(1).padStart(5)}%  ${fmt(s.pg_cpu_ms).padStart(9)} ${fmt(s.pg_cpu_us_per_event, 1).padStart(9)} ${((s.pg_cpu_ms / Math.max(1, pgCpu)) * 100).toFixed(1).padStart(5)}%`,
    )
  const rest = txMs - statements.reduce((n, s) => n + s.ms, 0)
  out.push(
    `  ${'(the worker between statements: pricing, aggregation, parameters)'.padEnd(86)} ${''.padStart(6)} ${fmt(rest).padStart(8)} ${fmt((rest * 1000) / inserted, 1).padStart(9)} ${((rest / txMs) * 100).toFixed(1).padStart(5)}%`,
  )
  out.push('')
  out.push(`  rows written per event (pg_stat_user_tables n_tup_ins + n_tup_upd)`)
  for (const t of tables) out.push(`  ${t.table.padEnd(40)} ${t.per_event.toFixed(2).padStart(6)}   (inserted ${fmt(t.ins)}, updated ${fmt(t.upd)})`)
  const rollups = tables.filter((t) => /^rollups_(hourly|daily|weekly)/.test(t.table) && !t.table.includes('repeats'))
  out.push(
    `  ${'every cost rollup table'.padEnd(40)} ${rollups
      .reduce((n, t) => n + t.per_event, 0)
      .toFixed(2)
      .padStart(6)}`,
  )
  out.push('')
  ;(values.json ? process.stderr : process.stdout).write(out.join('\n') + '\n')
  if (values.json)
    process.stdout.write(
      `${JSON.stringify({ load: load.name, cardinality: load.c, events: inserted, groups, group, batch, tx_ms: txMs, pg_cpu_ms: pgCpu, worker_cpu_ms: workerCpuMs, statements, tables })}\n`,
    )
  if (!values['keep-db']) await adminQuery(pgServer, `DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`)
  await clearRedisPrefix(redisUrl, PREFIX)
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

runMain(main)
