import 'server-only'
import { asOrg, inTransaction, pool } from '@/lib/db'
import { enqueueReprice } from '@/lib/queues'
import { forgetPriceBook, loadPriceBook } from '@/lib/cost/pricebook'
import { env } from '@/lib/env'
import { applyRepricing, type TRepriceChange } from '@/lib/rollups/hourly'
import { applyKeyedRepricing } from '@/lib/rollups/keyed'
import { repeatRepricing, upsertRepeatDeltas } from '@/lib/opportunities/repeats-db'
import { applyRerunRepricing, upsertRerunDeltas } from '@/lib/opportunities/reruns-db'
import { toScaled } from '@/lib/cost/money'
import { COST_SCALE } from '@/lib/cost/engine'
import { log } from '@/lib/log'

// Re-pricing: after a price is added or corrected, recompute the cost of the
// events it can cover and move the rollups by the difference. Chunked, each
// chunk one transaction with its progress; resumable from its cursor; running
// it twice changes nothing the second time (the delta is then zero).

export type TRepriceScope = { provider: string | null; model: string | null; gpuPool: string | null; from: Date | null }
export type { TRepriceJobView } from '@/lib/prices/schema'
import type { TRepriceJobView } from '@/lib/prices/schema'

const CHUNK = 2000

export async function scheduleReprice(orgId: string, scopes: TRepriceScope[]): Promise<string[]> {
  const ids: string[] = []
  for (const s of scopes) {
    const r = await pool().query<{ id: string }>(
      `INSERT INTO reprice_jobs (org_id, provider, model, gpu_pool, from_ts) VALUES ($1, $2, $3, $4, $5) RETURNING id::text`,
      [orgId, s.provider, s.model, s.gpuPool, s.from],
    )
    ids.push(r.rows[0].id)
  }
  // If Redis is away, the reconciler queues them later.
  // Wait until every worker's cached prices have expired, so no event is priced with the old price after the job ran.
  await enqueueReprice(ids, env().PRICE_CACHE_MS + 1000).catch((err) =>
    log({ component: 'reprice' }).warn({ err, reprice_ids: ids }, 'queued later by the reconciler'),
  )
  return ids
}

/** Events a scope can cover: a superset (the price book then decides each event's price exactly). */
function scopeWhere(job: { provider: string | null; model: string | null; gpu_pool: string | null; from_ts: Date | null }, params: unknown[]): string {
  // a response cache hit costs 0 under any price, and its savings are the original call's cost when it was made
  const where: string[] = ['org_id = $1', 'NOT response_cache_hit']
  if (job.from_ts) {
    params.push(job.from_ts)
    where.push(`timestamp >= $${params.length}`)
  }
  if (job.gpu_pool) {
    params.push(job.gpu_pool)
    where.push(`gpu_pool = $${params.length}`)
  }
  if (job.model) {
    // Dated snapshots ("gpt-4o-2024-08-06") and prefixed names ("openai/gpt-4o") contain the price's model name.
    params.push(`%${job.model.replace(/[\\%_]/g, (c) => `\\${c}`)}%`)
    where.push(`lower(model) LIKE $${params.length}`)
  }
  return where.join(' AND ')
}

/** The organization of a re-pricing job (cross-org: its queue job carries only the id), or null when it is gone. */
async function repriceJobOrg(repriceId: string): Promise<string | null> {
  const r = await pool().query<{ org_id: string | null }>('SELECT outlay_reprice_job_org($1)::text AS org_id', [repriceId])
  return r.rows[0]?.org_id ?? null
}

export async function runRepriceJob(repriceId: string): Promise<{ processed: number; changed: number }> {
  const orgId = await repriceJobOrg(repriceId)
  return orgId ? asOrg(orgId, () => runOrgRepriceJob(repriceId)) : { processed: 0, changed: 0 }
}

async function runOrgRepriceJob(repriceId: string): Promise<{ processed: number; changed: number }> {
  const jr = await pool().query<{
    org_id: string
    provider: string | null
    model: string | null
    gpu_pool: string | null
    from_ts: Date | null
    status: string
    cursor: string | null
  }>('SELECT org_id, provider, model, gpu_pool, from_ts, status, cursor FROM reprice_jobs WHERE id = $1', [repriceId])
  const job = jr.rows[0]
  if (!job || job.status === 'done') return { processed: 0, changed: 0 }
  const orgId = job.org_id
  forgetPriceBook(orgId)
  const book = await loadPriceBook(orgId)
  const countParams: unknown[] = [orgId]
  const total = await pool().query<{ n: number }>(`SELECT count(*)::int AS n FROM inference_events WHERE ${scopeWhere(job, countParams)}`, countParams)
  await pool().query(`UPDATE reprice_jobs SET status = 'running', total = $2 WHERE id = $1`, [repriceId, total.rows[0].n])

  let cursor = job.cursor ?? ''
  let processed = 0
  let changedTotal = 0
  for (;;) {
    // One chunk: its re-priced events, rollup deltas and progress commit together.
    const more = await inTransaction(async (client) => {
      const params: unknown[] = [orgId]
      const where = scopeWhere(job, params)
      params.push(cursor, CHUNK)
      const rows = await client.query<{
        event_id: string
        timestamp: Date
        provider: string | null
        model: string | null
        tokens_in: string
        cached_tokens_in: string
        cache_write_tokens: string
        tokens_out: string
        requests: number
        gpu_seconds: string | null
        gpu_pool: string | null
        cost_usd: string | null
        cache_savings_usd: string | null
        environment: string
        traffic_source: string
        workflow_id: string
        step: string
        call_type: string
        feature: string | null
        account_id: string | null
        outcome: string
        input_hash: string | null
        user_id: string | null
        prompt_version: string | null
        run_id: string | null
      }>(
        `SELECT event_id, timestamp, provider, model, tokens_in::text, cached_tokens_in::text, cache_write_tokens::text, tokens_out::text,
                requests, gpu_seconds::text, gpu_pool, cost_usd::text, cache_savings_usd::text, environment, traffic_source, workflow_id,
                step, call_type, feature, account_id, outcome, input_hash, user_id, prompt_version, run_id
         FROM inference_events WHERE ${where} AND event_id > $${params.length - 1}
         ORDER BY event_id LIMIT $${params.length} FOR UPDATE`,
        params,
      )
      if (rows.rowCount === 0) return false
      const changes: (TRepriceChange & {
        event_id: string
        input_hash: string | null
        user_id: string | null
        prompt_version: string | null
        run_id: string | null
      })[] = []
      for (const e of rows.rows) {
        const r = book.price({
          provider: e.provider,
          model: e.model,
          timestamp: e.timestamp,
          tokens_in: Number(e.tokens_in),
          cached_tokens_in: Number(e.cached_tokens_in),
          cache_write_tokens: Number(e.cache_write_tokens),
          tokens_out: Number(e.tokens_out),
          requests: e.requests,
          gpu_seconds: e.gpu_seconds,
          gpu_pool: e.gpu_pool,
        })
        const newCost = r.priced ? r.cost_usd : null
        const newSavings = r.priced ? r.cache_savings_usd : null
        if (!sameDecimal(newCost, e.cost_usd) || !sameDecimal(newSavings, e.cache_savings_usd)) {
          changes.push({
            event_id: e.event_id,
            input_hash: e.input_hash,
            user_id: e.user_id,
            prompt_version: e.prompt_version,
            run_id: e.run_id,
            timestamp: e.timestamp.toISOString(),
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
            old_cost_usd: e.cost_usd,
            new_cost_usd: newCost,
            old_cache_savings_usd: e.cache_savings_usd,
            new_cache_savings_usd: newSavings,
          })
        }
      }
      if (changes.length) {
        await client.query(
          `UPDATE inference_events e SET cost_usd = v.cost, cache_savings_usd = v.savings
           FROM unnest($2::text[], $3::numeric[], $4::numeric[]) AS v(event_id, cost, savings)
           WHERE e.org_id = $1 AND e.event_id = v.event_id`,
          [orgId, changes.map((c) => c.event_id), changes.map((c) => c.new_cost_usd), changes.map((c) => c.new_cache_savings_usd)],
        )
        // the repeat rollup's rows (read input_hashes now, write them last): the lock order the ingest worker also
        // takes (lib/opportunities/repeats-db.ts)
        const repeatDeltas = await repeatRepricing(
          client,
          orgId,
          changes.map((c) => ({
            event_id: c.event_id,
            at: new Date(c.timestamp),
            workflow_id: c.dims.workflow_id ?? '',
            step: c.dims.step ?? '',
            input_hash: c.input_hash,
            outcome: c.dims.outcome ?? '',
            old_cost_usd: c.old_cost_usd,
            new_cost_usd: c.new_cost_usd,
          })),
        )
        // then the re-runs (their runs' locks now, their rollup rows late), as the ingest worker takes them
        const rerunDeltas = await applyRerunRepricing(
          client,
          orgId,
          changes
            .filter((c): c is typeof c & { run_id: string } => c.run_id !== null)
            .map((c) => ({
              event_id: c.event_id,
              at: new Date(c.timestamp),
              run_id: c.run_id,
              workflow_id: c.dims.workflow_id ?? '',
              step: c.dims.step ?? '',
              outcome: c.dims.outcome ?? '',
              old_cost_usd: c.old_cost_usd,
              cost_usd: c.new_cost_usd,
            })),
        )
        await applyRepricing(client, orgId, changes)
        // the hot rows after the cost rollups, in the ingest worker's order (lib/ingest/process.ts)
        await applyKeyedRepricing(
          client,
          orgId,
          changes.map((c) => ({
            timestamp: c.timestamp,
            environment: c.dims.environment ?? '',
            traffic_source: c.dims.traffic_source ?? '',
            workflow_id: c.dims.workflow_id ?? '',
            step: c.dims.step ?? '',
            account_id: c.dims.account_id,
            user_id: c.user_id,
            prompt_version: c.prompt_version,
            old_cost_usd: c.old_cost_usd,
            new_cost_usd: c.new_cost_usd,
          })),
        )
        await upsertRerunDeltas(client, orgId, rerunDeltas)
        await upsertRepeatDeltas(client, orgId, repeatDeltas)
      }
      cursor = rows.rows[rows.rows.length - 1].event_id
      processed += rows.rowCount!
      changedTotal += changes.length
      await client.query('UPDATE reprice_jobs SET processed = processed + $2, changed = changed + $3, cursor = $4 WHERE id = $1', [
        repriceId,
        rows.rowCount,
        changes.length,
        cursor,
      ])
      return true
    })
    if (!more) break
  }
  await pool().query(`UPDATE reprice_jobs SET status = 'done', finished_at = now(), processed = greatest(processed, total) WHERE id = $1`, [repriceId])
  return { processed, changed: changedTotal }
}

function sameDecimal(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return a === b
  return toScaled(a, COST_SCALE) === toScaled(b, COST_SCALE)
}

export async function markRepriceFailed(repriceId: string, error: string): Promise<void> {
  const orgId = await repriceJobOrg(repriceId)
  if (!orgId) return
  await asOrg(orgId, () =>
    pool().query(`UPDATE reprice_jobs SET status = 'failed', error = $2 WHERE org_id = $3 AND id = $1`, [repriceId, error.slice(0, 1000), orgId]),
  )
}

export async function listRepriceJobs(orgId: string, limit = 20): Promise<TRepriceJobView[]> {
  const r = await pool().query(
    `SELECT id::text, status, provider, model, gpu_pool, from_ts, total, processed, changed, error, created_at, finished_at
     FROM reprice_jobs WHERE org_id = $1 ORDER BY id DESC LIMIT $2`,
    [orgId, limit],
  )
  return r.rows.map((x) => ({
    id: x.id,
    status: x.status,
    provider: x.provider,
    model: x.model,
    gpu_pool: x.gpu_pool,
    from: x.from_ts?.toISOString() ?? null,
    total: x.total,
    processed: x.processed,
    changed: x.changed,
    error: x.error,
    created_at: x.created_at.toISOString(),
    finished_at: x.finished_at?.toISOString() ?? null,
  }))
}

/** Jobs no worker finished (Redis lost the queue, or a crash): their ids. */
export async function pendingRepriceJobs(olderThanSeconds: number): Promise<string[]> {
  // cross-org: every tenant's stalled jobs (SECURITY DEFINER function)
  const r = await pool().query<{ id: string }>('SELECT id::text FROM outlay_pending_reprice_jobs($1, 100)', [olderThanSeconds])
  return r.rows.map((x) => x.id)
}
