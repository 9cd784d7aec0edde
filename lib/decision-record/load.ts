// Loads a step's decision record: four metrics queries on the rollups, and the
// scenario and owner from the step's most recent events (they are not rolled up).
import 'server-only'
import { pool } from '@/lib/db'
import { parseOrThrow } from '@/lib/validation'
import { queryMetrics, resolveRange, ZMetricsQuery, type TMetricsQuery } from '@/lib/metrics/query'
import { decisionRecord } from '@/lib/decision-record/record'
import type { TDecisionRecord, TDecisionRecordQuery } from '@/lib/decision-record/schema'
import { named } from '@/lib/sql'
import { textOrNullOf, type TPgRow } from '@/lib/metrics/rows'
import { stepEvalScores } from '@/lib/routing/evidence'
import { loadPriceBook } from '@/lib/cost/pricebook'

export { ZDecisionRecordQuery } from '@/lib/decision-record/schema'
export type { TDecisionRecordQuery } from '@/lib/decision-record/schema'

/** A step's event attributes that are not rolled up (inference_events). */
const attributesOf = (r: TPgRow) => ({ scenario_id: textOrNullOf(r.scenario_id, 'scenario_id'), owner: textOrNullOf(r.owner, 'owner') })

/** How many of the step's latest events are read for its scenario and owner. */
const ATTRIBUTE_SAMPLE = 500
/** How many of the step's latest events are counted for its majority scenario (bounded: the step's index walk, not a scan of the period). */
const SCENARIO_SAMPLE = 20_000

/** A step's calls of a period, as the two samples read them (the figures' own filters). */
export type TStepSample = {
  orgId: string
  from: Date
  to: Date
  workflow_id: string
  step: string
  sources: string[] | null
  environments: string[] | null
}

// Both samples are index-only scans of inference_events' (org_id, workflow_id, step, timestamp) index, which INCLUDEs
// every other column they read (migration 20261214000000_step_events_index): a column added here must be added there.

/** The scenario and owner of the step's latest ATTRIBUTE_SAMPLE calls. */
export const attributeSampleSql = (s: TStepSample) =>
  named(
    `SELECT scenario_id, owner FROM inference_events
     WHERE org_id = :org AND timestamp >= :from AND timestamp < :to AND workflow_id = :workflow_id AND step = :step
     ORDER BY timestamp DESC LIMIT ${ATTRIBUTE_SAMPLE}`,
    { org: s.orgId, from: s.from.toISOString(), to: s.to.toISOString(), workflow_id: s.workflow_id, step: s.step },
  )

/** The majority scenario: calls per scenario_id among the step's latest SCENARIO_SAMPLE calls of the period (the same filters as the figures). */
export const scenarioSampleSql = (s: TStepSample) =>
  named(
    `SELECT scenario_id, count(*)::int AS calls FROM (
       SELECT scenario_id FROM inference_events
       WHERE org_id = :org AND timestamp >= :from AND timestamp < :to AND workflow_id = :workflow_id AND step = :step
         AND (:sources::text[] IS NULL OR traffic_source = ANY(:sources::text[]))
         AND (:environments::text[] IS NULL OR environment = ANY(:environments::text[]))
       ORDER BY timestamp DESC LIMIT ${SCENARIO_SAMPLE}) s
     GROUP BY scenario_id`,
    {
      org: s.orgId,
      from: s.from.toISOString(),
      to: s.to.toISOString(),
      workflow_id: s.workflow_id,
      step: s.step,
      sources: s.sources,
      environments: s.environments,
    },
  )

export async function loadDecisionRecord(orgId: string, q: TDecisionRecordQuery): Promise<TDecisionRecord> {
  // the metrics API's own parsing (dates, environment and traffic-source lists)
  const given = Object.fromEntries(
    Object.entries({ from: q.from, to: q.to, environment: q.environment, traffic_source: q.traffic_source }).filter(([, v]) => v !== undefined),
  )
  const base = { ...parseOrThrow(ZMetricsQuery, given, 'Invalid query parameters'), workflow_id: [q.workflow_id] }
  const stepQ = (extra: Partial<TMetricsQuery>): TMetricsQuery => ({ ...base, step: [q.step], ...extra })
  const { from, to } = resolveRange(base)
  const sources = q.traffic_source
    ? q.traffic_source
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : null
  const environments = q.environment
    ? q.environment
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
    : null
  const sample: TStepSample = { orgId, from, to, workflow_id: q.workflow_id, step: q.step, sources, environments }
  const [total, models, modelOutcomes, workflow, attrs, scenarioCounts, evals, book] = await Promise.all([
    queryMetrics(orgId, stepQ({ latency_quantiles: true })),
    queryMetrics(orgId, stepQ({ group_by: ['provider', 'model'], latency_quantiles: true })),
    queryMetrics(orgId, stepQ({ group_by: ['provider', 'model', 'outcome'] })),
    queryMetrics(orgId, { ...base, group_by: ['workflow_id'] }),
    pool()
      .query(attributeSampleSql(sample))
      .then((r) => r.rows.map(attributesOf)),
    pool()
      .query<{ scenario_id: string | null; calls: number }>(scenarioSampleSql(sample))
      .then((r) => r.rows.map((x) => ({ scenario_id: textOrNullOf(x.scenario_id, 'scenario_id'), calls: Number(x.calls) }))),
    // the eval candidates: every eval result of the step, and the price book to price those that never served it
    stepEvalScores(orgId, q.workflow_id, q.step),
    loadPriceBook(orgId),
  ])
  const distinct = (xs: (string | null)[]) => [...new Set(xs.filter((x): x is string => !!x))].slice(0, 5)
  return decisionRecord({
    workflow_id: q.workflow_id,
    step: q.step,
    period: { from: from.toISOString(), to: to.toISOString() },
    total: total.rows,
    models: models.rows,
    modelOutcomes: modelOutcomes.rows,
    workflow: workflow.rows,
    scenarios: distinct(attrs.map((r) => r.scenario_id)),
    owners: distinct(attrs.map((r) => r.owner)),
    scenarioCounts,
    evals,
    price: (ev) => book.price(ev),
  })
}
