// A benchmark's own stack: a fresh database and queue prefix (prepareFreshStack), one worker, the web server as
// production starts it (npm start, its Node.js flags included; optionally with scripts/bench/prof-on-signal.cjs
// preloaded: CPU profiles on SIGUSR2), an organization and an API key with the scopes asked for (npm run cli -- org:create).
// Used by npm run bench:decide and npm run bench:gateway.
import { randomBytes } from 'node:crypto'
import path from 'node:path'
import { getHealth, log, portInUse, prepareFreshStack, run, sleep, startProcess, started, tail, type TStarted } from './common'

export type TStackOptions = { port: number; pgServer: string; redisUrl: string; build: boolean; cpuProfDir?: string }
export type TOwnStack = { base: URL; key: string; orgId: string; env: NodeJS.ProcessEnv; web: TStarted; worker: TStarted }

/** Wait until /api/health answers 200; a started process that exits meanwhile (or 120 s without an answer) is an error. */
export async function waitHealthy(base: URL, web: TStarted, timeoutMs = 120_000): Promise<void> {
  for (const deadline = Date.now() + timeoutMs; ; await sleep(500)) {
    const dead = started.find((p) => p.exited)
    if (dead) throw new Error(`${dead.name} exited during start-up:\n${tail(dead.logFile)}`)
    if ((await getHealth(base)) === 200) return
    if (Date.now() > deadline) throw new Error(`/api/health did not answer 200 within ${timeoutMs / 1000} s:\n${tail(web.logFile)}`)
  }
}

/** A new organization and its API key with these scopes (npm run cli -- org:create --json). */
export function createOrgAndKey(env: NodeJS.ProcessEnv, logFile: string, name: string, scopes: string[]): { orgId: string; key: string } {
  const tag = Date.now().toString(36)
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-')
  const args = ['run', '-s', 'cli', '--', 'org:create', '--name', `${name} ${tag}`, '--email', `${slug}-${tag}@outlay.test`]
  const out = run('npm', [...args, '--password', `bench-password-${tag}`, '--scopes', scopes.join(','), '--json'], env, logFile, 'org:create')
  const line = out
    .split('\n')
    .reverse()
    .find((l) => l.trim().startsWith('{'))
  if (!line) throw new Error(`org:create printed no JSON:\n${out}`)
  const created = JSON.parse(line) as { org_id: string; api_key: string }
  return { orgId: created.org_id, key: created.api_key }
}

export async function startOwnStack(
  o: TStackOptions,
  s: { db: string; prefix: string; logDir: string; orgName: string; scopes: string[]; env?: Record<string, string> },
): Promise<TOwnStack> {
  const base = new URL(`http://127.0.0.1:${o.port}`)
  if (await portInUse(o.port)) throw new Error(`port ${o.port} is already in use: stop what listens there or pass --port`)
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: `${o.pgServer}/${s.db}`,
    REDIS_URL: o.redisUrl,
    QUEUE_PREFIX: s.prefix,
    NEXTAUTH_SECRET: randomBytes(32).toString('base64url'),
    NEXTAUTH_URL: base.origin,
    NEXT_TELEMETRY_DISABLED: '1',
    ...s.env,
  }
  const setupLog = path.join(s.logDir, 'setup.log')
  await prepareFreshStack(o, s.db, s.prefix, env, setupLog)
  const worker = startProcess('worker', 'npx', ['tsx', 'workers/index.ts'], env, path.join(s.logDir, 'worker.log'))
  // as production starts it (npm start: its Node.js flags included); with cpuProfDir, profiled on signal (prof-on-signal.cjs)
  const webEnv = o.cpuProfDir
    ? { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ?? ''} --require ${path.join(__dirname, 'prof-on-signal.cjs')}`.trim(), OUTLAY_PROF_DIR: o.cpuProfDir }
    : env
  const web = startProcess('web', 'npm', ['run', '-s', 'start', '--', '-p', String(o.port)], webEnv, path.join(s.logDir, 'web.log'))
  log(`started web (pgid ${web.pid}) and a worker (pgid ${worker.pid}); logs in ${s.logDir}`)
  await waitHealthy(base, web)
  const { orgId, key } = createOrgAndKey(env, setupLog, s.orgName, s.scopes)
  return { base, key, orgId, env, web, worker }
}
