// Helpers shared by the benchmarks (npm run bench:ingest, bench:dashboard, bench:decide, bench:gateway, …):
// logging, percentiles, keep-alive HTTP, the processes a benchmark starts and
// stops (by process group), PostgreSQL admin queries and COPY FROM STDIN.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { deleteRedisPrefix } from '../../lib/queues/prefix'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Client } from 'pg'

export const ROOT = path.resolve(__dirname, '..', '..')

export const log = (line: string) => process.stderr.write(`[bench] ${line}\n`)
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))
export const fmt = (n: number, digits = 0) =>
  Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : String(n)

/** Nearest-rank percentile of unsorted values (Infinity for values never observed). */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}

export type TAnswer = { status: number; body: string; retryAfter: number | null; headers: http.IncomingHttpHeaders }

export function request(
  agent: http.Agent,
  base: URL,
  method: 'GET' | 'POST' | 'PUT' | 'PATCH',
  pathAndQuery: string,
  key: string,
  body?: string,
  timeoutMs = 60_000,
  extraHeaders: Record<string, string> = {},
): Promise<TAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...extraHeaders, authorization: `Bearer ${key}` }
    if (body !== undefined) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = Buffer.byteLength(body)
    }
    const req = http.request({ host: '127.0.0.1', port: Number(base.port || 80), method, path: pathAndQuery, agent, headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => {
        const ra = res.headers['retry-after']
        resolve({
          status: res.statusCode ?? 0,
          body: Buffer.concat(chunks).toString('utf8'),
          retryAfter: ra === undefined ? null : Number(ra),
          headers: res.headers,
        })
      })
      res.on('error', reject)
    })
    req.on('timeout', () => req.destroy(new Error(`timed out after ${timeoutMs} ms`)))
    req.on('error', reject)
    req.end(body)
  })
}

export async function getHealth(base: URL): Promise<number> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: Number(base.port || 80), path: '/api/health', timeout: 5000 }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode ?? 0))
    })
    req.on('timeout', () => req.destroy(new Error('timeout')))
    req.on('error', () => resolve(0))
  })
}

export function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port })
    s.once('connect', () => (s.destroy(), resolve(true)))
    s.once('error', () => resolve(false))
  })
}

export type TProcInfo = { pid: number; ppid: number; pgrp: number; comm: string; ticks: number }

export function readProcs(): Map<number, TProcInfo> {
  const out = new Map<number, TProcInfo>()
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8')
      const close = s.lastIndexOf(')')
      const f = s.slice(close + 2).split(' ') // f[k-3] is field k of proc(5)
      out.set(Number(d), {
        pid: Number(d),
        ppid: Number(f[1]),
        pgrp: Number(f[2]),
        comm: s.slice(s.indexOf('(') + 1, close),
        ticks: Number(f[11]) + Number(f[12]),
      })
    } catch {
      // gone meanwhile
    }
  }
  return out
}

export function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim()
  } catch {
    return ''
  }
}

export type TStarted = { name: string; child: ChildProcess; pid: number; logFile: string; exited: boolean; profDir?: string }
export const started: TStarted[] = []

export function startProcess(name: string, cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, profDir?: string): TStarted {
  const fd = fs.openSync(logFile, 'a')
  const child = spawn(cmd, args, { cwd: ROOT, env, detached: true, stdio: ['ignore', fd, fd] })
  fs.closeSync(fd)
  if (child.pid === undefined) throw new Error(`could not start ${name}`)
  const p: TStarted = { name, child, pid: child.pid, logFile, exited: false, profDir }
  child.on('exit', () => (p.exited = true))
  started.push(p)
  return p
}

export function groupAlive(pgid: number): boolean {
  for (const p of readProcs().values()) if (p.pgrp === pgid || p.pid === pgid) return true
  return false
}

export function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal)
  } catch {
    // already gone
  }
}

/** SIGTERM each process group we started (web first), then SIGKILL what is left after the grace period. */
export async function stopStarted(graceMs = 20_000): Promise<void> {
  const live = started.filter((p) => groupAlive(p.pid))
  if (live.length === 0) return
  log(`stopping ${live.map((p) => `${p.name} (pgid ${p.pid})`).join(', ')}…`)
  for (const p of [...live].sort((a, b) => Number(b.name === 'web') - Number(a.name === 'web'))) killGroup(p.pid, 'SIGTERM')
  const deadline = Date.now() + graceMs
  while (Date.now() < deadline && live.some((p) => groupAlive(p.pid))) await sleep(200)
  for (const p of live)
    if (groupAlive(p.pid)) {
      log(`${p.name} did not stop within ${graceMs / 1000} s: SIGKILL`)
      killGroup(p.pid, 'SIGKILL')
    }
}

export function tail(file: string, lines = 15): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')
  } catch {
    return ''
  }
}

export function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, what: string): string {
  const r = spawnSync(cmd, args, { cwd: ROOT, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
  fs.appendFileSync(logFile, `$ ${cmd} ${args.join(' ')}\n${r.stdout ?? ''}${r.stderr ?? ''}\n`)
  if (r.status !== 0) throw new Error(`${what} failed (exit ${r.status}); see ${logFile}:\n${tail(logFile)}`)
  return r.stdout ?? ''
}

export async function adminQuery(server: string, sql: string, params: unknown[] = [], database = 'postgres') {
  const c = new Client({ connectionString: `${server}/${database}` })
  await c.connect()
  try {
    return await c.query(sql, params)
  } finally {
    await c.end()
  }
}

export const clearRedisPrefix = deleteRedisPrefix

export const copyText = (v: unknown): string => {
  if (v === null || v === undefined) return '\\N'
  const s = typeof v === 'object' ? JSON.stringify(v) : String(v)
  return s.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
}

/**
 * COPY ... FROM STDIN through pg's own protocol support: a submittable query
 * that answers the server's CopyInResponse with CopyData messages (what
 * pg-copy-streams does, without the package). Resolves with the row count.
 * `chunks` may be an async generator: it is pulled as the socket drains, so
 * rows can be produced while PostgreSQL consumes the previous ones.
 */
export function copyFrom(client: Client, sql: string, chunks: Iterable<Buffer> | AsyncIterable<Buffer>): Promise<number> {
  type TConn = {
    query(text: string): void
    sendCopyFromChunk(b: Buffer): void
    endCopyFrom(): void
    sendCopyFail(msg: string): void
    stream: NodeJS.WritableStream & { writableNeedDrain?: boolean }
  }
  return new Promise((resolve, reject) => {
    let rowCount = 0
    let error: Error | null = null
    const submittable = {
      submit(con: TConn) {
        con.query(sql)
      },
      async handleCopyInResponse(con: TConn) {
        try {
          for await (const c of chunks) {
            con.sendCopyFromChunk(c)
            if (con.stream.writableNeedDrain) await new Promise<void>((r) => con.stream.once('drain', () => r()))
          }
          con.endCopyFrom()
        } catch (e) {
          con.sendCopyFail(String(e))
        }
      },
      handleCommandComplete(msg: { text?: string }) {
        rowCount = Number(/COPY (\d+)/.exec(msg.text ?? '')?.[1] ?? 0)
      },
      handleError(e: Error) {
        error = e
      },
      handleReadyForQuery() {
        if (error) reject(error)
        else resolve(rowCount)
      },
      handleRowDescription() {},
      handleDataRow() {},
      handleEmptyQuery() {},
      handlePortalSuspended() {},
      handleCopyData() {},
    }
    ;(client as unknown as { query(s: unknown): void }).query(submittable)
  })
}

/** The working directory of a process ('' when unreadable: another user's, or gone). */
function cwdOf(pid: number): string {
  try {
    return fs.readlinkSync(`/proc/${pid}/cwd`)
  } catch {
    return ''
  }
}

/**
 * Another `next build` of this tree (someone's tests) removes BUILD_ID while it runs and refuses a second build:
 * wait for it. A build in another directory (another engineer's worktree) touches nothing here: not waited for.
 */
export async function waitForForeignBuild(maxMs = 600_000): Promise<void> {
  const foreignBuild = () =>
    [...readProcs().values()].some(
      (p) => (p.comm.startsWith('next-build') || /\bnext(\.js)? build\b/.test(cmdline(p.pid))) && [ROOT, ''].includes(cwdOf(p.pid)),
    )
  for (const deadline = Date.now() + maxMs; foreignBuild() && Date.now() < deadline; ) {
    log('another `next build` of this tree is running: waiting for it…')
    await sleep(5000)
  }
}

/**
 * Stops what the benchmark started on exit, Ctrl-C or SIGTERM, and runs `main`
 * (exit code 0, or 1 with its error).
 */
export function runMain(main: () => Promise<void>): void {
  let exiting = false
  const cleanupAndExit = async (code: number): Promise<never> => {
    if (!exiting) {
      exiting = true
      await stopStarted().catch(() => undefined)
    }
    process.exit(code)
  }
  process.on('SIGINT', () => {
    log('interrupted: stopping what this benchmark started…')
    void cleanupAndExit(130)
  })
  process.on('SIGTERM', () => void cleanupAndExit(143))
  process.on('exit', () => {
    for (const p of started) if (groupAlive(p.pid)) killGroup(p.pid, 'SIGKILL')
  })
  main().then(
    () => cleanupAndExit(0),
    (e: unknown) => {
      log(`error: ${e instanceof Error ? e.message : String(e)}`)
      void cleanupAndExit(1)
    },
  )
}

/**
 * A benchmark's own fresh database (migrated) and queue prefix, and a built
 * web app (built when asked or missing; waits for another engineer's build).
 */
export async function prepareFreshStack(
  o: { pgServer: string; redisUrl: string; build: boolean },
  db: string,
  prefix: string,
  env: NodeJS.ProcessEnv,
  setupLog: string,
): Promise<void> {
  log(`fresh database ${db} and queue prefix ${prefix}…`)
  await adminQuery(o.pgServer, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`)
  await adminQuery(o.pgServer, `CREATE DATABASE ${db}`)
  await clearRedisPrefix(o.redisUrl, prefix)
  run('npx', ['prisma', 'migrate', 'deploy'], env, setupLog, 'prisma migrate deploy')
  await waitForForeignBuild()
  if (o.build || !fs.existsSync(path.join(ROOT, '.next', 'BUILD_ID'))) {
    log('building the web app (npm run build)…')
    run('npm', ['run', 'build'], env, setupLog, 'npm run build')
  }
}

/** An integer command-line option within [lo, hi] (10_000_000 may be written with underscores), or its default when absent. */
export function intOption(name: string, v: string | undefined, def: number, lo: number, hi: number): number {
  if (v === undefined) return def
  const n = Number(v.replace(/_/g, ''))
  if (!Number.isInteger(n) || n < lo || n > hi) throw new Error(`--${name}: must be an integer from ${lo} to ${hi}`)
  return n
}

/** CPU ticks (1/100 s) the whole machine spent busy (every process, ours and the other engineers'), from /proc/stat. */
export function machineBusyTicks(): number {
  const [, ...t] = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).map(Number)
  return t.reduce((a, b) => a + b, 0) - t[3] - t[4] // all but idle and iowait
}

/** CPU ticks (1/100 s, user + system) of every process in a process group (what startProcess started), NaN without one. */
export function groupTicks(pgid: number | undefined): number {
  if (pgid === undefined) return NaN
  let t = 0
  for (const p of readProcs().values()) if (p.pgrp === pgid) t += p.ticks
  return t
}

/** CPU ticks (1/100 s, user + system) of one process, NaN when it is gone. */
export function pidTicks(pid: number | undefined): number {
  if (pid === undefined) return NaN
  try {
    const s = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ')
    return Number(f[11]) + Number(f[12])
  } catch {
    return NaN
  }
}

/** The 1, 5 and 15 minute load averages, two decimals. */
export const loadAverage = (): number[] => os.loadavg().map((x) => Number(x.toFixed(2)))

/**
 * A SQL statement's name in a benchmark's report: a one-statement CTE by its first data-modifying part (the ingest
 * transaction's), another statement by its first words.
 */
export function statementLabel(sql: string): string {
  const s = sql.replace(/\s+/g, ' ').trim()
  const w = /^WITH .*?\bAS \((INSERT INTO \S+|UPDATE \S+)/i.exec(s)
  if (w) return `WITH … ${w[1]} …${s.includes('rollups_weekly') ? ' (every cost rollup table)' : ''}`
  const m = /^(INSERT INTO \S+|UPDATE \S+|DELETE FROM \S+|SELECT .*? FROM \S+|BEGIN[^;]*(; SET LOCAL \S+)?|COMMIT|ROLLBACK|SELECT set_config)/i.exec(s)
  return (m ? m[1] : s).slice(0, 90)
}
