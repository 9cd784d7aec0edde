import { inTransaction, pool } from '@/lib/db'
import { notFound } from '@/lib/errors'
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
  return r.rows.map((x) => ({ feature: x.feature, target_usd_per_action: trim(x.target), unit: x.unit, updated_at: x.updated_at.toISOString(), updated_by: x.updated_by }))
}

/** Set (insert or replace) the targets in one transaction; `userId` is null for API keys. */
export async function putFeatureSlos(orgId: string, userId: string | null, body: TFeatureSlosPut): Promise<void> {
  await inTransaction(async (client) => {
    for (const s of body.slos) {
      await client.query(
        `INSERT INTO feature_slos (org_id, feature, target_usd_per_action, unit, updated_at, updated_by) VALUES ($1, $2, $3, 'run', now(), $4)
         ON CONFLICT (org_id, feature) DO UPDATE SET target_usd_per_action = EXCLUDED.target_usd_per_action, updated_at = now(), updated_by = EXCLUDED.updated_by`,
        [orgId, s.feature, s.target_usd_per_action, userId],
      )
    }
  })
}

/** Remove a feature's SLO; 404 when it has none. */
export async function deleteFeatureSlo(orgId: string, feature: string): Promise<void> {
  const r = await pool().query(`DELETE FROM feature_slos WHERE org_id = $1 AND feature = $2`, [orgId, feature])
  if (r.rowCount === 0) throw notFound(`Feature "${feature}" has no SLO`)
}
