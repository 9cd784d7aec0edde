import { Pool, type PoolClient } from 'pg'
import { PrismaPg } from '@prisma/adapter-pg'
import { PrismaClient } from '@/generated/prisma/client'
import { env } from '@/lib/env'

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
    const pool = new Pool({ connectionString: env().DATABASE_URL, max: env().PG_POOL_SIZE, options })
    // An idle client that loses its server must not crash the process.
    pool.on('error', (e) => console.error('[db] idle client error:', e.message))
    g.__outlayDb = { pool, prisma: new PrismaClient({ adapter: new PrismaPg(pool) }) }
  }
  return g.__outlayDb
}

export const prisma = (): PrismaClient => db().prisma
export const pool = (): Pool => db().pool

export async function closeDb(): Promise<void> {
  const d = g.__outlayDb
  g.__outlayDb = undefined
  if (d) {
    await d.prisma.$disconnect()
    await d.pool.end().catch(() => undefined)
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
