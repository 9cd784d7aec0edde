import 'server-only'
import type { PoolClient } from 'pg'
import type { Prisma } from '@/generated/prisma/client'
import { pool } from '@/lib/db'
import { named } from '@/lib/sql'
import { toCsv } from '@/lib/csv'
import { currentActor } from '@/lib/audit/actor'
import { chainHash, jsonView, type TChainFields } from '@/lib/audit/chain'
import type { TAuditEntry, TAuditLogQuery, TAuditLogResponse } from '@/lib/audit/schema'

// The audit log (PRODUCT.md "Audit log"): every change of configuration or access writes one row, in the
// transaction of the change, so the row exists exactly when the change does. The actor comes from the
// scope withOrg / the CLI opened (lib/audit/actor.ts). Rows form one hash chain per organization
// (lib/audit/chain.ts); writers of one organization take a transaction-scoped advisory lock before reading
// the chain's end, so two concurrent changes never both extend the same row (no fork).

export { asActor, CLI_ACTOR, type TActor } from '@/lib/audit/actor'

/** A raw transaction's client (lib/db.ts inTransaction) or a Prisma interactive transaction. */
export type TAuditTx = PoolClient | Prisma.TransactionClient

export type TAuditChange = {
  /** verb on a resource: "budget.update", "api_key.revoke", "member.role_change" … */
  action: string
  target: { type: string; id: string | null }
  /** the resource's JSON view before the change (null when created) and after it (null when deleted); never a secret */
  before: unknown
  after: unknown
}

async function rows<R>(tx: TAuditTx, sql: string, params: unknown[]): Promise<R[]> {
  if ('query' in tx && typeof tx.query === 'function') return (await (tx as PoolClient).query(sql, params)).rows as R[]
  return (tx as Prisma.TransactionClient).$queryRawUnsafe<R[]>(sql, ...params)
}

/**
 * Append one entry for organization `orgId` inside the caller's transaction `tx` (the one making the
 * change): it commits or rolls back with it. Members and invitations call this too.
 */
export async function recordAudit(tx: TAuditTx, orgId: string, change: TAuditChange): Promise<{ id: string; seq: number }> {
  // one writer per organization at a time until this transaction ends; then read the chain's end
  await rows(tx, `SELECT 1 AS locked FROM pg_advisory_xact_lock(hashtextextended('outlay.audit_log:' || $1::text, 0))`, [orgId])
  const last = (
    await rows<{ seq: string; hash: string }>(tx, 'SELECT seq::text AS seq, hash FROM audit_log WHERE org_id = $1::uuid ORDER BY audit_log.seq DESC LIMIT 1', [
      orgId,
    ])
  )[0]
  const actor = currentActor()
  let label = actor.label
  if (label === null && actor.type === 'api_key' && actor.id) {
    const k = await rows<{ name: string }>(tx, 'SELECT name FROM api_keys WHERE org_id = $1::uuid AND id = $2::uuid', [orgId, actor.id])
    label = k[0]?.name ?? 'API key'
  }
  const f: TChainFields = {
    org_id: orgId,
    seq: last ? Number(last.seq) + 1 : 1,
    at: new Date(),
    actor_type: actor.type,
    actor_id: actor.id,
    actor_label: label ?? (actor.type === 'user' ? 'user' : 'API key'),
    action: change.action,
    target_type: change.target.type,
    target_id: change.target.id,
    before: jsonView(change.before),
    after: jsonView(change.after),
  }
  const hash = chainHash(last?.hash ?? null, f)
  const json = (v: unknown) => (v === null ? null : JSON.stringify(v))
  const insert = named(
    `INSERT INTO audit_log (id, org_id, seq, at, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, prev_hash, hash)
     VALUES (gen_random_uuid(), :org_id::uuid, :seq::bigint, :at::timestamptz, :actor_type, :actor_id, :actor_label, :action, :target_type, :target_id,
             :before::jsonb, :after::jsonb, :prev_hash, :hash) RETURNING id::text AS id`,
    { ...f, before: json(f.before), after: json(f.after), prev_hash: last?.hash ?? null, hash },
  )
  const r = await rows<{ id: string }>(tx, insert.text, insert.values)
  return { id: r[0].id, seq: f.seq }
}

type TRow = {
  id: string
  seq: string
  at: Date
  actor_type: string
  actor_id: string | null
  actor_label: string
  action: string
  target_type: string
  target_id: string | null
  before: unknown
  after: unknown
  prev_hash: string | null
  hash: string
}
// seq is answered as text (a bigint): ORDER BY must name the column, audit_log.seq, not the text alias
const COLUMNS = 'id::text, seq::text, at, actor_type, actor_id, actor_label, action, target_type, target_id, before, after, prev_hash, hash'

const entryOf = (r: TRow): TAuditEntry => ({
  id: r.id,
  at: r.at.toISOString(),
  actor: { type: r.actor_type as TAuditEntry['actor']['type'], id: r.actor_id, label: r.actor_label },
  action: r.action,
  target: { type: r.target_type, id: r.target_id },
  before: r.before,
  after: r.after,
})

/** Newest first, filtered; next_cursor pages on (null on the last page). */
export async function listAuditLog(orgId: string, q: Omit<TAuditLogQuery, 'format'>): Promise<TAuditLogResponse> {
  const where = ['org_id = $1']
  const params: unknown[] = [orgId]
  const add = (sql: (n: string) => string, v: unknown) => (params.push(v), where.push(sql(`$${params.length}`)))
  if (q.from) add((n) => `at >= ${n}`, new Date(q.from))
  if (q.to) add((n) => `at < ${n}`, new Date(q.to))
  if (q.actor) add((n) => `(actor_id = ${n} OR actor_label = ${n})`, q.actor)
  if (q.action) add((n) => `action = ${n}`, q.action)
  if (q.target_type) add((n) => `target_type = ${n}`, q.target_type)
  if (q.cursor) add((n) => `seq < ${n}::bigint`, q.cursor)
  params.push(q.limit + 1)
  const r = await pool().query<TRow>(
    `SELECT ${COLUMNS} FROM audit_log WHERE ${where.join(' AND ')} ORDER BY audit_log.seq DESC LIMIT $${params.length}`,
    params,
  )
  const page = r.rows.slice(0, q.limit)
  return { entries: page.map(entryOf), next_cursor: r.rows.length > q.limit ? page[page.length - 1].seq : null }
}

/** Every entry the filters match, newest first, from the cursor on (at most `max`): the CSV export. */
export async function exportAuditLog(
  orgId: string,
  q: Omit<TAuditLogQuery, 'format' | 'limit'>,
  max = 10_000,
): Promise<{ entries: TAuditEntry[]; next_cursor: string | null }> {
  const entries: TAuditEntry[] = []
  let cursor = q.cursor
  for (;;) {
    const page = await listAuditLog(orgId, { ...q, cursor, limit: Math.min(500, max - entries.length) })
    entries.push(...page.entries)
    cursor = page.next_cursor ?? undefined
    if (!page.next_cursor || entries.length >= max) return { entries, next_cursor: page.next_cursor }
  }
}

/** The entries as CSV, before/after as JSON text. */
export function auditLogCsv(entries: TAuditEntry[]): string {
  const j = (v: unknown) => (v === null || v === undefined ? '' : JSON.stringify(v))
  return toCsv([
    ['id', 'at', 'actor_type', 'actor_id', 'actor_label', 'action', 'target_type', 'target_id', 'before', 'after'],
    ...entries.map((e) => [e.id, e.at, e.actor.type, e.actor.id, e.actor.label, e.action, e.target.type, e.target.id, j(e.before), j(e.after)]),
  ])
}

export type TChainCheck = { ok: true; rows: number } | { ok: false; rows: number; bad: { id: string; seq: number; reason: string } }

/** Walk an organization's chain from its first row; the first row whose place or hash does not match is named. */
export async function verifyAuditChain(orgId: string): Promise<TChainCheck> {
  let prev: string | null = null
  let expected = 1
  for (;;) {
    const r = await pool().query<TRow>(`SELECT ${COLUMNS} FROM audit_log WHERE org_id = $1 AND seq >= $2 ORDER BY audit_log.seq LIMIT 1000`, [orgId, expected])
    for (const row of r.rows) {
      const seq = Number(row.seq)
      const bad = (reason: string): TChainCheck => ({ ok: false, rows: expected - 1, bad: { id: row.id, seq, reason } })
      if (seq !== expected) return bad(`row ${expected} is missing (found ${seq} next)`)
      if ((row.prev_hash ?? null) !== prev) return bad("its prev_hash is not the previous row's hash")
      const f: TChainFields = {
        org_id: orgId,
        seq,
        at: row.at,
        actor_type: row.actor_type,
        actor_id: row.actor_id,
        actor_label: row.actor_label,
        action: row.action,
        target_type: row.target_type,
        target_id: row.target_id,
        before: row.before,
        after: row.after,
      }
      if (chainHash(prev, f) !== row.hash) return bad('its contents do not match its hash (altered)')
      prev = row.hash
      expected++
    }
    if (r.rows.length < 1000) return { ok: true, rows: expected - 1 }
  }
}
