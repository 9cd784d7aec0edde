// A step's decision record saved as a dated decision (PRODUCT.md "Decision record"): the model chosen, the
// note, who chose it and when, the period, and the record as it was answered that day — kept as it was, so a
// later re-price or more traffic never rewrites what the decision was based on. Written with its audit entry.
import 'server-only'
import { inTransaction, pool } from '@/lib/db'
import { badRequest } from '@/lib/errors'
import { recordAudit } from '@/lib/audit'
import { currentActor } from '@/lib/audit/actor'
import { loadDecisionRecord } from '@/lib/decision-record/load'
import type { TDecision, TDecisionCreate, TDecisionRecord } from '@/lib/decision-record/schema'

/** The newest decisions listed on a step. */
export const DECISIONS_LISTED = 100

type TDecisionRow = {
  id: string
  workflow_id: string
  step: string
  chosen_model: string
  note: string
  decided_by_user_id: string | null
  decided_by: string
  period_from: Date
  period_to: Date
  record: TDecisionRecord
  created_at: Date
}

const COLUMNS = `id::text AS id, workflow_id, step, chosen_model, note, decided_by_user_id::text AS decided_by_user_id, decided_by,
  period_from, period_to, record, created_at`

/** The chosen model's key figures in a record: its cost per call (measured when it served, priced when eval only). */
export function decisionFigures(record: TDecisionRecord, chosen: string): TDecision['figures'] {
  const served = record.options.find((o) => o.model === chosen && o.calls > 0)
  const candidate = record.candidates.find((c) => c.model === chosen)
  return {
    calls: record.calls,
    cost_usd: record.cost_usd,
    chosen_cost_per_call_usd: served ? served.cost_per_call_usd : (candidate?.priced?.cost_per_call_usd ?? null),
    chosen_served: !!served,
    quality_pass_rate: record.quality_pass_rate,
  }
}

function view(r: TDecisionRow): TDecision {
  return {
    id: r.id,
    workflow_id: r.workflow_id,
    step: r.step,
    chosen_model: r.chosen_model,
    note: r.note,
    decided_at: r.created_at.toISOString(),
    decided_by: { user_id: r.decided_by_user_id, name: r.decided_by },
    period: { from: r.period_from.toISOString(), to: r.period_to.toISOString() },
    figures: decisionFigures(r.record, r.chosen_model),
    record: r.record,
  }
}

/** Who is saving: the member's name (else email), or the API key's name. */
async function actorName(orgId: string): Promise<{ userId: string | null; name: string }> {
  const a = currentActor()
  if (a.type === 'user' && a.id) {
    const u = await pool().query<{ name: string | null; email: string }>('SELECT name, email FROM users WHERE id = $1', [a.id])
    return { userId: a.id, name: u.rows[0]?.name || u.rows[0]?.email || a.label || 'user' }
  }
  if (a.type === 'api_key' && a.id) {
    const k = await pool().query<{ name: string }>('SELECT name FROM api_keys WHERE org_id = $1 AND id = $2', [orgId, a.id])
    return { userId: null, name: k.rows[0]?.name ?? 'API key' }
  }
  return { userId: null, name: a.label ?? 'system' }
}

/**
 * Save the step's record of the period as a decision for `chosen_model`, one of the record's served options
 * or eval candidates (else 400 on chosen_model). The record is computed here, not taken from the client.
 */
export async function saveDecision(orgId: string, body: TDecisionCreate): Promise<TDecision> {
  const record = await loadDecisionRecord(orgId, { ...body, format: 'json' })
  const choices = [...record.options.filter((o) => o.calls > 0).map((o) => o.model), ...record.candidates.map((c) => c.model)]
  if (!choices.includes(body.chosen_model))
    throw badRequest('Invalid decision', {
      errors: [
        `chosen_model: is not an option of the record (${choices.length ? `one of ${choices.join(', ')}` : 'the step has no calls and no eval results in the period'})`,
      ],
    })
  const who = await actorName(orgId)
  return inTransaction(async (c) => {
    const r = await c.query<TDecisionRow>(
      `INSERT INTO step_decisions (org_id, workflow_id, step, chosen_model, note, decided_by_user_id, decided_by, period_from, period_to, record)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb) RETURNING ${COLUMNS}`,
      [orgId, body.workflow_id, body.step, body.chosen_model, body.note, who.userId, who.name, record.period.from, record.period.to, JSON.stringify(record)],
    )
    const d = view(r.rows[0])
    await recordAudit(c, orgId, {
      action: 'step_decision.create',
      target: { type: 'step_decision', id: d.id },
      before: null,
      after: { workflow_id: d.workflow_id, step: d.step, chosen_model: d.chosen_model, note: d.note, period: d.period, figures: d.figures },
    })
    return d
  })
}

/** A step's decisions, newest first (at most DECISIONS_LISTED). */
export async function listDecisions(orgId: string, workflowId: string, step: string): Promise<TDecision[]> {
  const r = await pool().query<TDecisionRow>(
    `SELECT ${COLUMNS} FROM step_decisions WHERE org_id = $1 AND workflow_id = $2 AND step = $3
     ORDER BY created_at DESC, id DESC LIMIT ${DECISIONS_LISTED}`,
    [orgId, workflowId, step],
  )
  return r.rows.map(view)
}
