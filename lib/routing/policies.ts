// Routing policies (issue 7): one per workflow step (optionally per
// environment and/or account), with versions. A policy has at most one draft,
// edited in place; publishing computes the selection from the evals and the
// step's cost per call, freezes it in the version (evidence) and points the
// policy at it. Published versions never change: a rollback publishes a copy.
// The organization id is in every statement.
import 'server-only'
import { named } from '@/lib/sql'
import { DAY_MS, HOUR_MS, PRODUCTION_FILTER } from '@/lib/domain'
import type { PoolClient } from 'pg'
import { pool, inTransaction } from '@/lib/db'
import { recordAudit } from '@/lib/audit'
import { AppError, conflict, isUniqueViolation, notFound } from '@/lib/errors'
import { parseOrThrow } from '@/lib/validation'
import { candidateCosts, stepEvalScores } from '@/lib/routing/evidence'
import { diffSpecs, selectCandidate, type TCallCost } from '@/lib/routing/select'
import type { z } from 'zod'
import {
  fallbackChain,
  refKey,
  ZPolicySpec,
  type ZEvidence,
  type ZPolicyDetail,
  type ZPolicyVersionView,
  type ZPolicyView,
  type ZDiffAnswer,
  type ZSimulateAnswer,
  type TDraftPatch,
  type TPolicyCreate,
  type TPolicyKey,
  type TPolicySpec,
} from '@/lib/routing/schema'
import { announceRoutingChange } from '@/lib/routing/runtime'
import { simulate, type TSimRoute } from '@/lib/routing/simulate'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'

export type TVersionStatus = z.infer<typeof ZPolicyVersionView>['status']
export type TEvidence = z.infer<typeof ZEvidence>
export type TPolicyVersionView = z.infer<typeof ZPolicyVersionView>
export type TPolicyView = z.infer<typeof ZPolicyView>
export type TPolicyDetail = z.infer<typeof ZPolicyDetail>

type TPolicyRow = {
  id: string
  workflow_id: string
  step: string
  environment: NonNullable<TPolicyView['environment']> | '' /* '' : every environment */
  account_id: string
  published_version: number | null
  created_at: Date
  updated_at: Date
}
type TVersionRow = {
  policy_id: string
  version: number
  status: TVersionStatus
  spec: TPolicySpec
  evidence: TEvidence | null
  note: string | null
  author: string
  published_by: string | null
  base_version: number | null
  rolled_back_from: number | null
  created_at: Date
  published_at: Date | null
}

const P_COLS = `id::text, workflow_id, step, environment, account_id, published_version, created_at, updated_at`
const V_COLS = `policy_id::text, version, status, spec, evidence, note, author, published_by, base_version, rolled_back_from, created_at, published_at`

const iso = (d: Date | null) => (d ? d.toISOString() : null)

function versionView(v: TVersionRow, prev: TVersionRow | undefined): TPolicyVersionView {
  return {
    version: v.version,
    status: v.status,
    spec: v.spec,
    evidence: v.evidence,
    note: v.note,
    author: v.author,
    published_by: v.published_by,
    base_version: v.base_version,
    rolled_back_from: v.rolled_back_from,
    created_at: v.created_at.toISOString(),
    published_at: iso(v.published_at),
    changes: diffSpecs(prev?.spec ?? null, v.spec),
  }
}

function policyView(p: TPolicyRow, versions: TVersionRow[]): TPolicyView {
  const pub = versions.find((v) => v.version === p.published_version)
  const draft = versions.find((v) => v.status === 'draft')
  return {
    id: p.id,
    workflow_id: p.workflow_id,
    step: p.step,
    environment: p.environment || null,
    account_id: p.account_id || null,
    published_version: p.published_version,
    draft_version: draft?.version ?? null,
    published: pub
      ? {
          version: pub.version,
          chosen: pub.evidence?.chosen ?? null,
          reason: pub.evidence?.reason ?? null,
          note: pub.note,
          published_at: iso(pub.published_at),
          published_by: pub.published_by,
          canary: pub.spec.canary,
          base_version: pub.base_version,
        }
      : null,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
  }
}

/** Who is acting: a member's email, or "API key" for policies as code. */
export async function authorOf(orgId: string, userId: string | null): Promise<string> {
  if (!userId) return 'API key'
  const r = await pool().query<{ email: string }>(`SELECT u.email FROM users u JOIN memberships m ON m.user_id = u.id AND m.org_id = $1 WHERE u.id = $2`, [
    orgId,
    userId,
  ])
  return r.rows[0]?.email ?? 'member'
}

async function versionsOf(db: Pick<PoolClient, 'query'>, orgId: string, policyIds: string[]): Promise<TVersionRow[]> {
  if (!policyIds.length) return []
  const r = await db.query<TVersionRow>(
    `SELECT ${V_COLS} FROM routing_policy_versions WHERE org_id = $1 AND policy_id = ANY($2::uuid[]) ORDER BY policy_id, version`,
    [orgId, policyIds],
  )
  return r.rows
}

export async function listPolicies(orgId: string, filter: { workflow_id?: string; step?: string } = {}): Promise<TPolicyView[]> {
  const r = await pool().query<TPolicyRow>(
    `SELECT ${P_COLS} FROM routing_policies WHERE org_id = $1 AND ($2::text IS NULL OR workflow_id = $2) AND ($3::text IS NULL OR step = $3)
     ORDER BY workflow_id, step, environment, account_id`,
    [orgId, filter.workflow_id ?? null, filter.step ?? null],
  )
  const v = await versionsOf(
    pool(),
    orgId,
    r.rows.map((p) => p.id),
  )
  return r.rows.map((p) =>
    policyView(
      p,
      v.filter((x) => x.policy_id === p.id),
    ),
  )
}

async function policyRow(db: Pick<PoolClient, 'query'>, orgId: string, id: string, lock = false): Promise<TPolicyRow> {
  const r = await db.query<TPolicyRow>(`SELECT ${P_COLS} FROM routing_policies WHERE org_id = $1 AND id = $2${lock ? ' FOR UPDATE' : ''}`, [orgId, id])
  if (!r.rows[0]) throw notFound(`No routing policy ${id} in this organization`)
  return r.rows[0]
}

/** A policy as the audit log keeps it: its view, with the draft's and the published version's specs. */
async function policyAuditView(c: PoolClient, orgId: string, id: string) {
  const p = await policyRow(c, orgId, id)
  const versions = await versionsOf(c, orgId, [id])
  const { updated_at: _u, ...view } = policyView(p, versions)
  return {
    ...view,
    draft_spec: versions.find((v) => v.status === 'draft')?.spec ?? null,
    published_spec: versions.find((v) => v.version === p.published_version)?.spec ?? null,
  }
}

export async function getPolicy(orgId: string, id: string): Promise<TPolicyDetail> {
  const p = await policyRow(pool(), orgId, id)
  const versions = await versionsOf(pool(), orgId, [id])
  return { ...policyView(p, versions), versions: versions.map((v, i) => versionView(v, versions[i - 1])).reverse() }
}

export async function findPolicyId(orgId: string, key: TPolicyKey): Promise<string> {
  const r = await pool().query<{ id: string }>(
    `SELECT id::text FROM routing_policies WHERE org_id = $1 AND workflow_id = $2 AND step = $3 AND environment = $4 AND account_id = $5`,
    [orgId, key.workflow_id, key.step, key.environment ?? '', key.account_id ?? ''],
  )
  if (!r.rows[0])
    throw notFound(
      `No routing policy for workflow "${key.workflow_id}", step "${key.step}"${key.environment ? `, environment ${key.environment}` : ''}${key.account_id ? `, account ${key.account_id}` : ''}`,
    )
  return r.rows[0].id
}

export async function createPolicy(orgId: string, body: TPolicyCreate, author: string): Promise<TPolicyDetail> {
  const { workflow_id, step, environment, account_id, ...spec } = body
  let id: string
  try {
    id = await inTransaction(async (c) => {
      const r = await c.query<{ id: string }>(
        `INSERT INTO routing_policies (id, org_id, workflow_id, step, environment, account_id) VALUES (gen_random_uuid(), $1, $2, $3, $4, $5) RETURNING id::text`,
        [orgId, workflow_id, step, environment ?? '', account_id ?? ''],
      )
      await c.query(`INSERT INTO routing_policy_versions (policy_id, version, org_id, status, spec, author) VALUES ($1, 1, $2, 'draft', $3, $4)`, [
        r.rows[0].id,
        orgId,
        JSON.stringify(spec),
        author,
      ])
      await recordAudit(c, orgId, {
        action: 'policy.create',
        target: { type: 'routing_policy', id: r.rows[0].id },
        before: null,
        after: await policyAuditView(c, orgId, r.rows[0].id),
      })
      return r.rows[0].id
    })
  } catch (e) {
    if (isUniqueViolation(e)) throw conflict(`A routing policy for workflow "${workflow_id}", step "${step}" and this segment exists: edit its draft (PATCH)`)
    throw e
  }
  return getPolicy(orgId, id)
}

/** Change the draft (made from the version in force when there is none). */
export async function editDraft(orgId: string, id: string, patch: TDraftPatch, author: string): Promise<TPolicyDetail> {
  await inTransaction(async (c) => {
    const p = await policyRow(c, orgId, id, true)
    const before = await policyAuditView(c, orgId, id)
    const versions = await versionsOf(c, orgId, [id])
    const draft = versions.find((v) => v.status === 'draft')
    const from = draft ?? versions.find((v) => v.version === p.published_version) ?? versions[versions.length - 1]
    const spec = parseOrThrow(ZPolicySpec, { ...from.spec, ...patch }, 'Invalid policy draft')
    if (draft) {
      await c.query(
        `UPDATE routing_policy_versions SET spec = $3, author = $4, created_at = now() WHERE org_id = $1 AND policy_id = $2 AND version = $5 AND status = 'draft'`,
        [orgId, id, JSON.stringify(spec), author, draft.version],
      )
    } else {
      const next = Math.max(...versions.map((v) => v.version)) + 1
      await c.query(`INSERT INTO routing_policy_versions (policy_id, version, org_id, status, spec, author) VALUES ($1, $2, $3, 'draft', $4, $5)`, [
        id,
        next,
        orgId,
        JSON.stringify(spec),
        author,
      ])
    }
    await c.query(`UPDATE routing_policies SET updated_at = now() WHERE org_id = $1 AND id = $2`, [orgId, id])
    await recordAudit(c, orgId, { action: 'policy.edit_draft', target: { type: 'routing_policy', id }, before, after: await policyAuditView(c, orgId, id) })
  })
  return getPolicy(orgId, id)
}

/** What a spec would select now: the evidence a publish freezes (and the editor shows for a draft). */
export async function computeEvidence(orgId: string, key: { workflow_id: string; step: string }, spec: TPolicySpec, now = new Date()): Promise<TEvidence> {
  const models = [...spec.candidates, ...(spec.cascade?.models ?? []), ...fallbackChain(spec)]
  const [evals, costs] = await Promise.all([stepEvalScores(orgId, key.workflow_id, key.step), candidateCosts(orgId, key.workflow_id, key.step, models, now)])
  return { ...selectCandidate(spec, evals, costs), computed_at: now.toISOString(), model_costs: Object.fromEntries(costs) }
}

const unpublishable = (message: string, details?: unknown) => new AppError('not_publishable', 409, message, details)

/** Publish the draft: compute and freeze its selection, make it the version in force, tell every decide process. */
export async function publishDraft(orgId: string, id: string, note: string, author: string, now = new Date()): Promise<TPolicyDetail> {
  await inTransaction(async (c) => {
    const p = await policyRow(c, orgId, id, true)
    const before = await policyAuditView(c, orgId, id)
    const versions = await versionsOf(c, orgId, [id])
    const draft = versions.find((v) => v.status === 'draft')
    if (!draft) throw unpublishable('Nothing to publish: this policy has no draft (edit it first, or roll back to an older version)')
    const evidence = await computeEvidence(orgId, p, draft.spec, now)
    if (!evidence.chosen) throw unpublishable(`Not published: ${evidence.reason}`, { candidates: evidence.candidates })
    const ladder = draft.spec.cascade?.models.map(refKey)
    if (ladder && !ladder.includes(refKey(evidence.chosen))) {
      throw unpublishable(
        `Not published: cascade: the selected model ${refKey(evidence.chosen)} is not on the cascade (${ladder.join(' → ')}); add it where escalation should start`,
      )
    }
    // The canary's other side (base_version): the stable version — the version in force, or, when that is a canary itself, its own
    // other side (a new canary replaces the running one, so a ramp 10% → 50% keeps the rest where it was). None (a first policy, or a
    // canary over the caller's default): the rest stays on the caller's default, whatever model each call asked for.
    const inForce = versions.find((v) => v.version === p.published_version)
    const base = draft.spec.canary && inForce?.spec.canary ? inForce.base_version : p.published_version
    await c.query(
      `UPDATE routing_policy_versions SET status = 'published', evidence = $4, note = $5, published_by = $6, published_at = $7, base_version = $8
       WHERE org_id = $1 AND policy_id = $2 AND version = $3 AND status = 'draft'`,
      [orgId, id, draft.version, JSON.stringify(evidence), note, author, now, base],
    )
    await c.query(`UPDATE routing_policies SET published_version = $3, updated_at = now() WHERE org_id = $1 AND id = $2`, [orgId, id, draft.version])
    await recordAudit(c, orgId, {
      action: 'policy.publish',
      target: { type: 'routing_policy', id },
      before,
      after: { ...(await policyAuditView(c, orgId, id)), note },
    })
  })
  await announceRoutingChange(orgId)
  return getPolicy(orgId, id)
}

/**
 * Roll back: publish a copy of an older published version, its spec and its
 * frozen selection (the behaviour it had), without its canary: a rollback
 * takes all traffic at once. An open draft keeps its content and moves after it.
 */
export async function rollbackTo(orgId: string, id: string, version: number, note: string, author: string, now = new Date()): Promise<TPolicyDetail> {
  await inTransaction(async (c) => {
    const p = await policyRow(c, orgId, id, true)
    const before = await policyAuditView(c, orgId, id)
    const versions = await versionsOf(c, orgId, [id])
    const old = versions.find((v) => v.version === version)
    if (!old) throw notFound(`Policy ${id} has no version ${version}`)
    if (old.status !== 'published' || !old.evidence) throw conflict(`Version ${version} was never published: publish the draft instead`)
    if (version === p.published_version && !old.spec.canary) throw conflict(`Version ${version} is already the version in force`)
    const draft = versions.find((v) => v.status === 'draft')
    const top = Math.max(...versions.filter((v) => v.status !== 'draft').map((v) => v.version))
    const next = top + 1
    if (draft && draft.version <= next)
      await c.query(`UPDATE routing_policy_versions SET version = $4 WHERE org_id = $1 AND policy_id = $2 AND version = $3 AND status = 'draft'`, [
        orgId,
        id,
        draft.version,
        next + 1,
      ])
    const spec = { ...old.spec, canary: null }
    await c.query(
      named(
        `INSERT INTO routing_policy_versions (policy_id, version, org_id, status, spec, evidence, note, author, published_by, published_at, base_version, rolled_back_from)
         VALUES (:policy_id, :version, :org_id, 'published', :spec, :evidence, :note, :author, :author, :now, :base_version, :rolled_back_from)`,
        {
          policy_id: id,
          version: next,
          org_id: orgId,
          spec: JSON.stringify(spec),
          evidence: JSON.stringify(old.evidence),
          note,
          author,
          now,
          base_version: p.published_version,
          rolled_back_from: version,
        },
      ),
    )
    await c.query(`UPDATE routing_policies SET published_version = $3, updated_at = now() WHERE org_id = $1 AND id = $2`, [orgId, id, next])
    await recordAudit(c, orgId, {
      action: 'policy.rollback',
      target: { type: 'routing_policy', id },
      before,
      after: { ...(await policyAuditView(c, orgId, id)), rolled_back_to: version, note },
    })
  })
  await announceRoutingChange(orgId)
  return getPolicy(orgId, id)
}

/**
 * Withdraw: no version in force any more, so the step returns to the caller's default model (decide answers as for a
 * step without a policy). The way back from a first policy (e.g. a first canary over the caller's default), which has no
 * older version to roll back to. The versions stay; publishing the draft or rolling back to a version puts one in force again.
 */
export async function withdrawPolicy(orgId: string, id: string, note: string, author: string): Promise<TPolicyDetail> {
  await inTransaction(async (c) => {
    const p = await policyRow(c, orgId, id, true)
    if (p.published_version === null) throw conflict('Nothing to withdraw: no version of this policy is in force')
    const before = await policyAuditView(c, orgId, id)
    await c.query(`UPDATE routing_policies SET published_version = NULL, updated_at = now() WHERE org_id = $1 AND id = $2`, [orgId, id])
    await recordAudit(c, orgId, {
      action: 'policy.withdraw',
      target: { type: 'routing_policy', id },
      before,
      after: { ...(await policyAuditView(c, orgId, id)), withdrawn_version: p.published_version, withdrawn_by: author, note },
    })
  })
  await announceRoutingChange(orgId)
  return getPolicy(orgId, id)
}

export async function diffVersions(orgId: string, id: string, from: number, to: number): Promise<z.infer<typeof ZDiffAnswer>> {
  await policyRow(pool(), orgId, id)
  const versions = await versionsOf(pool(), orgId, [id])
  const a = versions.find((v) => v.version === from)
  const b = versions.find((v) => v.version === to)
  if (!a) throw notFound(`Policy ${id} has no version ${from}`)
  if (!b) throw notFound(`Policy ${id} has no version ${to}`)
  return { from, to, changes: diffSpecs(a.spec, b.spec), chosen: { from: a.evidence?.chosen ?? null, to: b.evidence?.chosen ?? null } }
}

/**
 * The draft (or, without one, the version in force) replayed over the step's
 * production calls of the last `days` days: its evidence (each candidate's
 * scores against the bar and cost per call) and the simulation.
 */
export async function simulatePolicy(
  orgId: string,
  id: string,
  days: number,
  now = new Date(),
  whatIf: { candidate?: string } = {},
): Promise<z.infer<typeof ZSimulateAnswer>> {
  const p = await policyRow(pool(), orgId, id)
  const versions = await versionsOf(pool(), orgId, [id])
  // the draft, the version in force, or (a withdrawn policy without a draft) its latest version
  const found = versions.find((x) => x.status === 'draft') ?? versions.find((x) => x.version === p.published_version) ?? versions[versions.length - 1]
  // A what-if candidate (the Opportunities page's cheaper model) joins the candidates of the version simulated, unsaved.
  const extra = whatIf.candidate
    ? { provider: whatIf.candidate.slice(0, whatIf.candidate.indexOf('/')), model: whatIf.candidate.slice(whatIf.candidate.indexOf('/') + 1) }
    : null
  const v =
    extra && !found.spec.candidates.some((c) => refKey(c) === refKey(extra))
      ? { ...found, spec: { ...found.spec, candidates: [...found.spec.candidates, extra] } }
      : found
  const from = new Date(Math.floor((now.getTime() - days * DAY_MS) / HOUR_MS) * HOUR_MS)
  const to = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS) // whole hours: the rollups are hourly
  // A draft is compared with the version in force (replayed over the same calls, its canary split included), not with the
  // window's mix, which may predate it; its canary's rest goes where publishing would send it (the stable version, or the caller's default).
  const inForce = v.status === 'draft' ? versions.find((x) => x.version === p.published_version && x.evidence?.chosen) : undefined
  const route = (x: TVersionRow | undefined): TSimRoute | null =>
    x?.evidence?.chosen ? { version: x.version, chosen: x.evidence.chosen, cascade: x.spec.cascade } : null
  const baseOf = (x: TVersionRow) => versions.find((y) => y.version === x.base_version && y.status === 'published')
  const stable = v.spec.canary && inForce ? (inForce.spec.canary ? route(baseOf(inForce)) : route(inForce)) : null
  const baseline = inForce ? { route: route(inForce)!, canary: inForce.spec.canary, stable: inForce.spec.canary ? route(baseOf(inForce)) : null } : null
  const others = [stable, baseline?.route, baseline?.stable].flatMap((r) => (r ? [r.chosen!, ...(r.cascade?.models ?? [])] : []))
  const [evidence, traffic, otherCosts] = await Promise.all([
    computeEvidence(orgId, p, v.spec, now),
    queryMetrics(orgId, {
      ...ZMetricsQuery.parse({}),
      from,
      to,
      workflow_id: [p.workflow_id],
      step: [p.step],
      ...PRODUCTION_FILTER,
      group_by: ['provider', 'model', 'outcome'],
    }),
    others.length ? candidateCosts(orgId, p.workflow_id, p.step, others, now) : Promise.resolve(new Map<string, TCallCost>()),
  ])
  const simulation = simulate({
    step: p.step,
    window: { from: from.toISOString(), to: to.toISOString() },
    spec: v.spec,
    chosen: evidence.chosen,
    candidates: evidence.candidates,
    costs: { ...Object.fromEntries(otherCosts), ...(evidence.model_costs ?? {}) },
    stable,
    baseline,
    traffic: traffic.rows.map((r) => ({
      provider: r.provider ?? null,
      model: r.model ?? null,
      outcome: r.outcome ?? null,
      events: r.events,
      cost_usd: r.cost_usd,
    })),
  })
  return { version: v.version, status: v.status, evidence, simulation }
}
