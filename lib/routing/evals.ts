// Eval results (POST /api/v1/evals): the scores a policy's quality bar is
// checked against. An eval run costs money too, and that cost is internal
// traffic: when the import gives the run's token totals, they go through the
// normal ingest path as inference events with traffic_source "eval" (priced
// like any event, rolled up, visible in spend split by traffic source).
import 'server-only'
import { randomUUID } from 'node:crypto'
import { inTransaction, pool } from '@/lib/db'
import { recordAudit } from '@/lib/audit'
import { acceptEvents } from '@/lib/ingest/accept'
import { fromScaled, toScaled } from '@/lib/cost/money'
import type { z } from 'zod'
import type { TEvalImport, TEvalsBody, ZEvalView } from '@/lib/routing/schema'
import { named } from '@/lib/sql'

/**
 * A run's cost is recorded as at most this many events, each standing for an
 * equal share of the samples (requests) and tokens: close to one event per
 * call for small runs, bounded for large ones. (A price tier keyed on a call's
 * input size then sees a share of samples as one call: for runs much larger
 * than this, tiered models are priced at the tier the share's input reaches.)
 */
export const MAX_COST_EVENTS_PER_EVAL = 50

/** Split n into k integer parts that differ by at most one and sum to n. */
export function splitEvenly(n: bigint, k: number): bigint[] {
  const K = BigInt(k)
  return Array.from({ length: k }, (_, i) => n / K + (BigInt(i) < n % K ? 1n : 0n))
}

export function costEvents(e: TEvalImport, evalId: string, now: Date): Record<string, unknown>[] {
  if (e.tokens_in === undefined && e.tokens_out === undefined) return []
  const k = Math.min(e.sample_count, MAX_COST_EVENTS_PER_EVAL)
  const req = splitEvenly(BigInt(e.sample_count), k)
  const tin = splitEvenly(BigInt(e.tokens_in ?? 0), k)
  const tcached = splitEvenly(BigInt(e.cached_tokens_in ?? 0), k)
  const tout = splitEvenly(BigInt(e.tokens_out ?? 0), k)
  const cost = e.cost_usd !== undefined ? splitEvenly(toScaled(e.cost_usd, 6), k) : null
  return req.map((r, i) => ({
    id: `eval:${evalId}:${i}`,
    timestamp: e.run_at ?? now.toISOString(),
    traffic_source: 'eval',
    ...(e.environment ? { environment: e.environment } : {}),
    workflow_id: e.workflow_id,
    step: e.step,
    provider: e.provider,
    model: e.model,
    tokens_in: Number(tin[i]),
    // a share of cached tokens never exceeds its share of input: both split the same way, cached ≤ input overall
    cached_tokens_in: Number(tcached[i] < tin[i] ? tcached[i] : tin[i]),
    tokens_out: Number(tout[i]),
    requests: Number(r),
    ...(cost ? { cost_usd: Number(fromScaled(cost[i], 6)) } : {}),
    metadata: { eval_set: e.eval_set, eval_id: evalId },
  }))
}

export type TEvalView = z.infer<typeof ZEvalView>

export async function importEvals(orgId: string, body: TEvalsBody, opts: { now?: Date; defaultEnvironment?: string | null } = {}) {
  const now = opts.now ?? new Date()
  const rows = body.evals.map((e) => ({ e, id: randomUUID() }))
  // Cost first: a rate-limited or refused ingest leaves nothing behind, so the import can be sent again as it is.
  const events = rows.flatMap(({ e, id }) => costEvents(e, id, now))
  let accepted = 0
  const rejected: { index: number; errors: string[] }[] = []
  for (let i = 0; i < events.length; i += 1000) {
    const a = await acceptEvents({ orgId, now, defaultEnvironment: opts.defaultEnvironment, source: 'evals' }, { events: events.slice(i, i + 1000) })
    accepted += a.accepted
    rejected.push(...a.rejected.map((r) => ({ ...r, index: r.index + i })))
  }
  await inTransaction(async (c) => {
    for (const { e, id } of rows) {
      await c.query(
        named(
          `INSERT INTO eval_results (id, org_id, eval_set, workflow_id, step, provider, model, scores, sample_count, cost_usd, event_id, run_at)
           VALUES (:id, :org_id, :eval_set, :workflow_id, :step, :provider, :model, :scores, :sample_count, :cost_usd, :event_id, :run_at)`,
          {
            id,
            org_id: orgId,
            eval_set: e.eval_set,
            workflow_id: e.workflow_id,
            step: e.step,
            provider: e.provider,
            model: e.model,
            scores: JSON.stringify(e.scores),
            sample_count: e.sample_count,
            cost_usd: e.cost_usd ?? null,
            event_id: e.tokens_in !== undefined || e.tokens_out !== undefined ? `eval:${id}` : null,
            run_at: e.run_at ?? now.toISOString(),
          },
        ),
      )
    }
    // one entry per import: what was added (the first 100 rows' own fields; costs were sent as events above)
    await recordAudit(c, orgId, {
      action: 'evals.import',
      target: { type: 'eval_results', id: null },
      before: null,
      after: {
        imported: rows.length,
        evals: rows.slice(0, 100).map(({ e, id }) => ({
          id,
          eval_set: e.eval_set,
          workflow_id: e.workflow_id,
          step: e.step,
          provider: e.provider,
          model: e.model,
          scores: e.scores,
          sample_count: e.sample_count,
        })),
      },
    })
  })
  return { imported: rows.length, ids: rows.map((r) => r.id), cost_events: { accepted, rejected } }
}

export async function listEvals(orgId: string, workflowId: string, step: string): Promise<TEvalView[]> {
  const r = await pool().query(
    `SELECT id::text, eval_set, workflow_id, step, provider, model, scores, sample_count, cost_usd::text AS cost_usd, run_at, created_at
     FROM eval_results WHERE org_id = $1 AND workflow_id = $2 AND step = $3 ORDER BY run_at DESC, created_at DESC LIMIT 1000`,
    [orgId, workflowId, step],
  )
  return r.rows.map((x) => ({ ...x, run_at: x.run_at.toISOString(), created_at: x.created_at.toISOString() }))
}
