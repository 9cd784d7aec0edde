import type { PoolClient } from 'pg'
import { hourOf } from '@/lib/rollups/hourly'
import type { TIngestOutcome } from '@/lib/outcomes/schema'

// Hourly outcome counts per (workflow, feature, account, kind), beside the cost
// rollups, so "cost per accepted outcome" is one query away.

export const OUTCOME_DIMENSIONS = ['workflow_id', 'feature', 'account_id'] as const

export async function applyOutcomeRollups(client: PoolClient, orgId: string, items: TIngestOutcome[]): Promise<void> {
  const map = new Map<string, { hour: string; workflow: string; feature: string; account: string; kind: string; outcomes: number; accepted: number }>()
  for (const o of items) {
    const row = { hour: hourOf(o.timestamp), workflow: o.workflow_id, feature: o.feature ?? '', account: o.account_id ?? '', kind: o.kind ?? '' }
    const key = JSON.stringify(row)
    const a = map.get(key) ?? { ...row, outcomes: 0, accepted: 0 }
    a.outcomes += 1
    a.accepted += o.accepted ? 1 : 0
    map.set(key, a)
  }
  // Key order: one lock order for concurrent upserts.
  const rows = [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v)
  if (rows.length === 0) return
  await client.query(
    `INSERT INTO rollups_outcomes_hourly (org_id, hour, workflow_id, feature, account_id, kind, outcomes, accepted)
     SELECT $1::uuid, * FROM unnest($2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int8[], $8::int8[])
     ON CONFLICT ON CONSTRAINT rollups_outcomes_hourly_pkey DO UPDATE SET
       outcomes = rollups_outcomes_hourly.outcomes + EXCLUDED.outcomes, accepted = rollups_outcomes_hourly.accepted + EXCLUDED.accepted`,
    [orgId, rows.map((r) => r.hour), rows.map((r) => r.workflow), rows.map((r) => r.feature), rows.map((r) => r.account), rows.map((r) => r.kind),
      rows.map((r) => r.outcomes), rows.map((r) => r.accepted)],
  )
}
