import 'server-only'
import { inTransaction, pool } from '@/lib/db'
import { notFound } from '@/lib/errors'
import { recordAudit } from '@/lib/audit'
import type { TFeatureSlosPut, TFeatureSloView } from '@/lib/slos/schema'

// Per-feature cost SLOs (PRODUCT.md "Features"): the most one action of a
// feature should cost. The organization id is in every statement.

const trim = (v: string) => (v.includes('.') ? v.replace(/0+$/, '').replace(/\.$/, '') : v)

export async function listFeatureSlos(orgId: string): Promise<TFeatureSloView[]> {
  const r = await pool().query<{ feature: string; target: string; unit: 'run'; updated_at: Date; updated_by: string | null }>(
    `SELECT feature, target_usd_per_action::text AS target, unit, updated_at, updated_by::text AS updated_by
     FROM feature_slos WHERE org_id = $1 ORDER BY feature`,
    [orgId],
  )
  return r.rows.map((x) => ({
    feature: x.feature,
    target_usd_per_action: trim(x.target),
    unit: x.unit,
    updated_at: x.updated_at.toISOString(),
    updated_by: x.updated_by,
  }))
}

/** Set (insert or replace) the targets in one transaction; `userId` is null for API keys. */
const SLO_COLUMNS = `feature, target_usd_per_action::text AS target_usd_per_action, unit`

export async function putFeatureSlos(orgId: string, userId: string | null, body: TFeatureSlosPut): Promise<void> {
  await inTransaction(async (client) => {
    for (const s of body.slos) {
      const before = await client.query(`SELECT ${SLO_COLUMNS} FROM feature_slos WHERE org_id = $1 AND feature = $2 FOR UPDATE`, [orgId, s.feature])
      const after = await client.query(
        `INSERT INTO feature_slos (org_id, feature, target_usd_per_action, unit, updated_at, updated_by) VALUES ($1, $2, $3, 'run', now(), $4)
         ON CONFLICT (org_id, feature) DO UPDATE SET target_usd_per_action = EXCLUDED.target_usd_per_action, updated_at = now(), updated_by = EXCLUDED.updated_by
         RETURNING ${SLO_COLUMNS}`,
        [orgId, s.feature, s.target_usd_per_action, userId],
      )
      await recordAudit(client, orgId, {
        action: 'feature_slo.set',
        target: { type: 'feature_slo', id: s.feature },
        before: before.rows[0] ?? null,
        after: after.rows[0],
      })
    }
  })
}

/** Remove a feature's SLO; 404 when it has none. */
export async function deleteFeatureSlo(orgId: string, feature: string): Promise<void> {
  await inTransaction(async (c) => {
    const r = await c.query(`DELETE FROM feature_slos WHERE org_id = $1 AND feature = $2 RETURNING ${SLO_COLUMNS}`, [orgId, feature])
    if (!r.rows[0]) throw notFound(`Feature "${feature}" has no SLO`)
    await recordAudit(c, orgId, { action: 'feature_slo.delete', target: { type: 'feature_slo', id: feature }, before: r.rows[0], after: null })
  })
}
