import 'server-only'
import { pool } from '@/lib/db'
import { DAY_MS, HOUR_MS } from '@/lib/domain'
import { fromScaled, toScaled } from '@/lib/cost/money'
import { queryMetrics } from '@/lib/metrics/query'
import { loadOpportunities } from '@/lib/opportunities/load'
import { measureSaving, reviewWindows } from '@/lib/opportunities/review-calc'
import type { TOpportunityReviewAnswer, TOpportunityReviewQuery, TReviewItem } from '@/lib/opportunities/schema'

// GET /api/v1/opportunities/review (the quarterly optimisation review): the opportunities of the range (default: the
// last 90 days), the first routing policy version published for each one's step since the range began, and the
// step's cost per call before and after it (the cost rollups through the metrics engine: never the raw events).

/** The first publication of a policy (any scope) on each workflow step since `from`. */
async function publications(orgId: string, from: Date) {
  const r = await pool().query<{
    workflow_id: string
    step: string
    policy_id: string
    version: number
    published_at: Date
    published_by: string | null
    note: string | null
  }>(
    `SELECT DISTINCT ON (p.workflow_id, p.step) p.workflow_id, p.step, p.id::text AS policy_id, v.version, v.published_at, v.published_by, v.note
     FROM routing_policies p JOIN routing_policy_versions v ON v.policy_id = p.id AND v.org_id = p.org_id
     WHERE p.org_id = $1 AND v.published_at IS NOT NULL AND v.published_at >= $2
     ORDER BY p.workflow_id, p.step, v.published_at, v.version`,
    [orgId, from],
  )
  return new Map(r.rows.map((x) => [JSON.stringify([x.workflow_id, x.step]), x]))
}

async function stepCost(orgId: string, workflowId: string, step: string, w: { from: Date; to: Date }) {
  const { rows } = await queryMetrics(orgId, {
    from: w.from,
    to: w.to,
    granularity: 'none',
    limit: 10,
    measures: ['cost_usd'],
    workflow_id: [workflowId],
    step: [step],
  })
  return {
    calls: rows.reduce((n, r) => n + r.events, 0),
    cost_usd: fromScaled(
      rows.reduce((n, r) => n + toScaled(r.cost_usd ?? '0', 6), 0n),
      6,
    ),
  }
}

export async function loadOpportunityReview(orgId: string, q: TOpportunityReviewQuery, now = new Date()): Promise<TOpportunityReviewAnswer> {
  const to = q.to ?? now
  const from = q.from ?? new Date(to.getTime() - 90 * DAY_MS)
  const [opps, pubs] = await Promise.all([
    loadOpportunities(orgId, { ...q, from, to }),
    publications(orgId, new Date(Math.floor(from.getTime() / HOUR_MS) * HOUR_MS)),
  ])
  // one measurement per step, shared by the step's opportunities
  const measured = new Map<string, Promise<{ before: { calls: number; cost_usd: string }; after: { calls: number; cost_usd: string } } | null>>()
  const items: TReviewItem[] = await Promise.all(
    opps.opportunities.map(async (o): Promise<TReviewItem> => {
      const key = JSON.stringify([o.workflow_id, o.step])
      const pub = o.workflow_id && o.step ? pubs.get(key) : undefined
      if (!pub) return { opportunity: o, acted_on: null, measured: null }
      const acted_on = {
        policy_id: pub.policy_id,
        version: pub.version,
        published_at: pub.published_at.toISOString(),
        published_by: pub.published_by,
        note: pub.note,
      }
      const w = reviewWindows(pub.published_at, new Date(opps.from), now)
      if (!w) return { opportunity: o, acted_on, measured: null }
      let m = measured.get(key)
      if (!m) {
        m = Promise.all([stepCost(orgId, o.workflow_id, o.step, w.before), stepCost(orgId, o.workflow_id, o.step, w.after)]).then(([before, after]) => ({
          before,
          after,
        }))
        measured.set(key, m)
      }
      const sides = await m
      return { opportunity: o, acted_on, measured: sides ? measureSaving(w, sides.before, sides.after, o.savings_usd_per_month) : null }
    }),
  )
  const acted = items.filter((i) => i.acted_on)
  const micros = (s: string | null | undefined) => (s ? toScaled(s, 6) : 0n)
  const measuredSteps = new Map<string, bigint>()
  for (const i of acted)
    if (i.measured?.saving_usd_per_month)
      measuredSteps.set(JSON.stringify([i.opportunity.workflow_id, i.opportunity.step]), micros(i.measured.saving_usd_per_month))
  const order = (a: TReviewItem, b: TReviewItem) => {
    if (!!a.acted_on !== !!b.acted_on) return a.acted_on ? -1 : 1
    if (a.acted_on && b.acted_on && a.acted_on.published_at !== b.acted_on.published_at) return a.acted_on.published_at > b.acted_on.published_at ? -1 : 1
    const x = micros(a.opportunity.savings_usd_per_month)
    const y = micros(b.opportunity.savings_usd_per_month)
    return x > y ? -1 : x < y ? 1 : 0
  }
  return {
    from: opps.from,
    to: opps.to,
    estimated_usd_per_month: opps.total_savings_usd_per_month,
    acted_on: acted.length,
    acted_on_estimated_usd_per_month: fromScaled(
      acted.reduce((n, i) => n + micros(i.opportunity.savings_usd_per_month), 0n),
      6,
    ),
    measured_usd_per_month: fromScaled(
      [...measuredSteps.values()].reduce((n, v) => n + v, 0n),
      6,
    ),
    items: [...items].sort(order),
  }
}
