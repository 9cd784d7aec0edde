import 'server-only'
import { Pool, type PoolClient } from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '@/generated/prisma/client'
import { appDatabaseUrl, env } from '@/lib/env'
import { currentOrg } from '@/lib/tenant'
import { log } from '@/lib/log'

// Every connection this module hands out declares the organization of the code that asked for it (asOrg,
// lib/tenant.ts), so row-level security shows it that organization's rows only.
export { asOrg, asNoOrg, currentOrg, setTestDefaultOrg } from '@/lib/tenant'

type TTagged = PoolClient & { outlayOrg?: string }

/**
 * Declare the wanted organization on a client before its caller's first query. The set_config is queued, not
 * awaited: pg runs a client's queries in order, so it runs before the caller's. Session-level (not LOCAL), so
 * it holds for every transaction on the connection until the next checkout by another tenant changes it.
 */
function declare(client: TTagged, want: string): void {
  if ((client.outlayOrg ?? '') === want) return
  client.outlayOrg = want
  client.query("SELECT set_config('outlay.org_id', $1, false)", [want]).catch(() => {
    client.outlayOrg = undefined // a broken connection: the caller's query fails too; declare again next time
  })
}

/** pg's Pool, declaring the caller's organization on every client it hands out (pool.query goes through connect). */
class TenantPool extends Pool {
  override connect(): Promise<PoolClient>
  override connect(cb: (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void): void
  override connect(cb?: (err: Error | undefined, client: PoolClient | undefined, done: (release?: unknown) => void) => void): Promise<PoolClient> | void {
    const want = currentOrg() ?? ''
    if (!cb) return super.connect().then((c) => (declare(c, want), c))
    super.connect().then(
      (c) => (declare(c, want), cb(undefined, c, (e?: unknown) => c.release(e as Error | undefined))),
      (e: Error) => cb(e, undefined, () => undefined),
    )
  }
}

// One pg pool per process, shared by Prisma (through the adapter) and by the
// raw-SQL hot paths (ingest, rollups, metrics).
type TDb = { pool: Pool; prisma: PrismaClient }
const g = globalThis as unknown as { __outlayDb?: TDb }

export function db(): TDb {
  if (!g.__outlayDb) {
    // JIT off for every session: Outlay's queries are short aggregations whose planner cost passes
    // jit_above_cost on a large organization, and compiling them took about half a second per rollup
    // read, more than it saved (npm run bench:dashboard).
    // work_mem 128MB: a page's widest read (every account × workflow × step over 90 days, 1.2M daily
    // rollup rows) was planned as a sort spilling 200 MB to disk under the default 4MB, 2.1 s; in
    // memory it is a hash aggregate using 30 MB, 0.7 s. The setting is a ceiling, not an allocation.
    // max_parallel_workers_per_gather from PG_MAX_PARALLEL_WORKERS (default 0: see lib/env.ts).
    const options = `-c jit=off -c work_mem=128MB -c max_parallel_workers_per_gather=${env().PG_MAX_PARALLEL_WORKERS}`
    // As the application role (no ownership, no BYPASSRLS): DATABASE_URL is the owner's, for migrations.
    // Idle connections are kept PG_POOL_IDLE_SECONDS (lib/env.ts: a new server process is slow on its first reads).
    const pool = new TenantPool({
      connectionString: appDatabaseUrl(),
      max: env().PG_POOL_SIZE,
      idleTimeoutMillis: env().PG_POOL_IDLE_SECONDS * 1000,
      allowExitOnIdle: true,
      options,
    })
    // An idle client that loses its server must not crash the process.
    pool.on('error', (err) => log({ component: 'db' }).error({ err }, 'idle client error'))
    g.__outlayDb = { pool, prisma: new PrismaClient({ adapter: new PrismaPg(pool) }) }
  }
  return g.__outlayDb
}

export const prisma = (): PrismaClient => db().prisma
export const pool = (): Pool => db().pool

const CLOSE_WAIT_MS = 5_000

export async function closeDb(): Promise<void> {
  const d = g.__outlayDb
  g.__outlayDb = undefined
  if (d) {
    await d.prisma.$disconnect()
    // Bounded: a Prisma write still committing when $disconnect ran may never hand its connection back
    // (seen with a fire-and-forget write racing the end of a test file), and pool.end() would wait forever.
    let timer: NodeJS.Timeout | undefined
    const gaveUp = await Promise.race([
      d.pool.end().then(
        () => false,
        () => false,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), CLOSE_WAIT_MS)
      }),
    ])
    clearTimeout(timer)
    if (gaveUp)
      log({ component: 'db' }).warn({ busy: d.pool.totalCount - d.pool.idleCount }, `closed with connections still busy after ${CLOSE_WAIT_MS / 1000} s`)
  }
}

/**
 * Run fn in one transaction on one pooled connection: COMMIT when it returns,
 * ROLLBACK when it throws. asyncCommit: don't wait for the WAL flush — only for
 * work whose input stays durable elsewhere and is redone if the commit is lost.
 */
export async function inTransaction<T>(fn: (client: PoolClient) => Promise<T>, opts: { asyncCommit?: boolean } = {}): Promise<T> {
  const client = await pool().connect()
  try {
    // one round trip for both (a simple query may hold several statements)
    await client.query(opts.asyncCommit ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN')
    const result = await fn(client)
    await client.query('COMMIT')
    return result
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw e
  } finally {
    client.release()
  }
}
