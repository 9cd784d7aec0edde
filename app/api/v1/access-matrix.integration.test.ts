import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { asOrg, closeDb } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { KEY_SCOPES } from '@/lib/auth/api-keys'
import { ROLES } from '@/lib/auth/permissions'
import { muteAlertSource } from '@/lib/alerts'
import { createInvitation } from '@/lib/members/invitations'
import type { TSessionUser } from '@/lib/auth/session'
import { API_DIR, API_ROUTES, HTTP_METHODS } from '@/lib/testing/routes'

// The route × role × tenant matrix: every exported method of every route.ts
// under app/api/v1, called directly with no credentials, with an API key of
// each scope and as a member of each role, on its own organization and on
// another one. The expected cells are written out in EXPECTED below (derived
// from each route's declared scope / permission and lib/auth/permissions.ts),
// so a route, a wrapper or the role map that loosens access fails here.

// The signed-in member for the session columns (next-auth's cookie is not in play when handlers are called directly).
let signedIn: TSessionUser | null = null
vi.mock('@/lib/auth/session', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/auth/session')>()),
  sessionUser: async () => signedIn,
}))

const ok = 'ok' as const
/** ok: let past authentication and tenancy (any answer but 401, 403 and 404, below 500; an empty or invalid body's 400/422 counts); else the status. */
type TCell = typeof ok | 401 | 403
/** 'user': the route acts on the signed-in user, not an organization (no ?org= tenancy to check). */
type TRow = [
  none: TCell,
  ingest: TCell,
  read: TCell,
  write: TCell,
  gateway: TCell,
  admin: TCell,
  engineer: TCell,
  finance: TCell,
  customer_success: TCell,
  viewer: TCell,
  scope?: 'user',
]

const COLUMNS = ['none', ...KEY_SCOPES.map((s) => `key:${s}`), ...ROLES.map((r) => `session:${r}`)]
const THIS_FILE = 'app/api/v1/access-matrix.integration.test.ts'

// One line per route method. Columns: no credentials | API key ingest, read, write, gateway | session admin, engineer, finance, customer_success, viewer.
// prettier-ignore
const EXPECTED: Record<string, TRow> = {
  'GET /api/v1/admin/queues': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'POST /api/v1/admin/queues/retry': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'GET /api/v1/alerts': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/alerts/[id]/ack': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'POST /api/v1/alerts/[id]/mute': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'GET /api/v1/alerts/mutes': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'DELETE /api/v1/alerts/mutes/[id]': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'GET /api/v1/alerts/settings': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'PUT /api/v1/alerts/settings': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/audit-log': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'GET /api/v1/accounts/margin': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/accounts/revenue': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'PUT /api/v1/accounts/revenue': [401, 403, 403, ok, 403, ok, 403, ok, 403, 403],
  'GET /api/v1/bills': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/bills': [401, 403, 403, ok, 403, ok, 403, ok, 403, 403],
  'DELETE /api/v1/bills/[id]': [401, 403, 403, ok, 403, ok, 403, ok, 403, 403],
  'GET /api/v1/budgets': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/budgets': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'GET /api/v1/budgets/[id]': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'PATCH /api/v1/budgets/[id]': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'DELETE /api/v1/budgets/[id]': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'GET /api/v1/budgets/[id]/history': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/calls': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/changes': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/channels': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/channels': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/channels/[id]': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'PATCH /api/v1/channels/[id]': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'DELETE /api/v1/channels/[id]': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/channels/[id]/deliveries': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/channels/[id]/test': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'POST /api/v1/decide': [401, ok, 403, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/decision-record': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/decision-record/decisions': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'POST /api/v1/decision-record/decisions': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/evals': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/evals': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'POST /api/v1/events': [401, ok, 403, 403, 403, 401, 401, 401, 401, 401],
  'GET /api/v1/exports/focus': [401, 403, ok, 403, 403, ok, 403, ok, 403, 403],
  'GET /api/v1/feature-slos': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'PUT /api/v1/feature-slos': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'DELETE /api/v1/feature-slos': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'GET /api/v1/forecast': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/forecast/budgets': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/forecast/summary': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  // the gateway's provider-shaped endpoints take a "gateway" key only (errors in the provider's shape, not withOrg)
  'POST /api/v1/gateway/anthropic/v1/messages': [401, 403, 403, 403, ok, 401, 401, 401, 401, 401],
  'GET /api/v1/gateway/calls': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/gateway/openai/v1/chat/completions': [401, 403, 403, 403, ok, 401, 401, 401, 401, 401],
  'POST /api/v1/gateway/openai/v1/embeddings': [401, 403, 403, 403, ok, 401, 401, 401, 401, 401],
  'POST /api/v1/gateway/openai/v1/responses': [401, 403, 403, 403, ok, 401, 401, 401, 401, 401],
  'GET /api/v1/gateway/providers': [401, 403, ok, 403, 403, ok, ok, 403, 403, 403],
  'PUT /api/v1/gateway/providers': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/gpu/fleet': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/gpu/self-hosting': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/gpu/pools': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/gpu/pools': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'PATCH /api/v1/gpu/pools': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/gpu/pools/[id]': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'PATCH /api/v1/gpu/pools/[id]': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'POST /api/v1/gpu/samples': [401, ok, 403, 403, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/keys': [401, 403, 403, 403, 403, ok, ok, 403, 403, 403],
  'POST /api/v1/keys': [401, 403, 403, 403, 403, ok, ok, 403, 403, 403],
  'DELETE /api/v1/keys/[id]': [401, 403, 403, 403, 403, ok, ok, 403, 403, 403],
  'POST /api/v1/keys/[id]/rotate': [401, 403, 403, 403, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/invitations': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'POST /api/v1/invitations': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'DELETE /api/v1/invitations/[id]': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'GET /api/v1/members': [401, 403, 403, 403, 403, ok, ok, ok, ok, ok],
  'PATCH /api/v1/members/[id]': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'DELETE /api/v1/members/[id]': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'GET /api/v1/metrics': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/metrics/step-medians': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/metrics/account-anomalies': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'POST /api/v1/otlp/v1/traces': [401, ok, 403, 403, 403, 401, 401, 401, 401, 401],
  'GET /api/v1/openapi.json': [ok, ok, ok, ok, ok, ok, ok, ok, ok, ok, 'user'],
  'GET /api/v1/opportunities': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/opportunities/review': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/prompt-versions': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/end-users': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/telemetry-health': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/overview': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/organization': [401, 403, 403, 403, 403, ok, ok, ok, ok, ok],
  'PATCH /api/v1/organization': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'POST /api/v1/outcomes': [401, ok, 403, 403, 403, 401, 401, 401, 401, 401],
  'GET /api/v1/policies': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/policies': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'PATCH /api/v1/policies': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/policies/[id]': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'PATCH /api/v1/policies/[id]': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/policies/[id]/diff': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/policies/[id]/publish': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'POST /api/v1/policies/[id]/rollback': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/policies/[id]/simulate': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/policies/[id]/withdraw': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/prices': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'PUT /api/v1/prices': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/prices/catalog': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/prices/discrepancies': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/prices/unpriced': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/reconciliation': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/reports/audit': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/reports/monthly': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/reprice-jobs': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/routing-defaults': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'PUT /api/v1/routing-defaults': [401, 403, 403, ok, 403, ok, ok, 403, 403, 403],
  'GET /api/v1/runs/[run_id]': [401, 403, ok, 403, 403, ok, ok, ok, ok, ok],
  'GET /api/v1/scenarios/cost': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'GET /api/v1/scenarios/line-items': [401, 403, ok, 403, 403, ok, ok, ok, 403, ok],
  'POST /api/v1/scenarios/line-items': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'DELETE /api/v1/scenarios/line-items/[id]': [401, 403, 403, ok, 403, ok, ok, ok, 403, 403],
  'GET /api/v1/sso/domains': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
  'PUT /api/v1/sso/domains': [401, 403, 403, 403, 403, ok, 403, 403, 403, 403],
}

// A body (or query string) that gets a request past validation to the resource lookup, where
// the other organization's id must be refused; every other request sends `{}`.
const BODY: Record<string, unknown> = {
  'POST /api/v1/alerts/[id]/mute': { duration_hours: 1 },
  'PATCH /api/v1/budgets/[id]': { amount_usd: '2' },
  'PATCH /api/v1/channels/[id]': { name: 'renamed' },
  'PATCH /api/v1/gpu/pools/[id]': { region: 'eu-west-1' },
  'PATCH /api/v1/members/[id]': { role: 'viewer' },
  'PATCH /api/v1/policies/[id]': { eval_set: null },
  'POST /api/v1/policies/[id]/publish': { note: 'matrix test' },
  'POST /api/v1/policies/[id]/rollback': { version: 1, note: 'matrix test' },
  'POST /api/v1/policies/[id]/withdraw': { note: 'matrix test' },
}
const QUERY: Record<string, string> = {
  'GET /api/v1/policies/[id]/diff': 'from=1&to=1',
}

// ─── the routes, from the filesystem ───────────────────────────────────────────
type THandler = (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>
const ROUTES = API_ROUTES

// ─── the two organizations ─────────────────────────────────────────────────────
type TOrg = { id: string; slug: string; keys: Record<string, string>; writeKey: string; members: Record<string, TSessionUser> }
let A: TOrg
let B: TOrg
/** Text of the other organization's data: never in an answer to organization A's callers. */
const MARK = 'zz-other-org-secret'
let leakMarkers: string[] = []

/** How to make a resource of a route prefix with an [id] in an organization (reads share one; each write cell gets its own). */
type TFixture = { make: (org: TOrg) => Promise<string> }
const fixtureIds = new Map<string, { A: string; B: string }>()

async function member(org: TOrg, role: string, email: string): Promise<TSessionUser> {
  const u = await ownerPool().query<{ id: string }>(`INSERT INTO users (id, email, password_hash) VALUES (gen_random_uuid(), $1, 'x') RETURNING id`, [email])
  await ownerPool().query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)`, [org.id, u.rows[0].id, role])
  return { id: u.rows[0].id, email, name: null }
}

async function makeOrg(name: string, label: string): Promise<TOrg> {
  const email = `admin@${label}.example`
  const made = await createOrgWithAdmin({ org_name: name, email, password: 'password-123' })
  const org: TOrg = { id: made.org.id, slug: made.org.slug, keys: {}, writeKey: '', members: { admin: { id: made.userId, email, name: null } } }
  for (const s of KEY_SCOPES) org.keys[s] = (await createTestApiKey(made.org.id, { name: `${label}-${s}`, scopes: [s] })).key
  org.writeKey = (await createTestApiKey(made.org.id, { name: `${label}-fixtures`, scopes: ['write'] })).key
  for (const role of ROLES.filter((r) => r !== 'admin')) org.members[role] = await member(org, role, `${role}@${label}.example`)
  return org
}

/** Create a resource through its own route with the organization's write key. */
async function created(handlerFile: string, urlPath: string, org: TOrg, body: unknown, pick: (j: Record<string, any>) => string): Promise<string> {
  const mod = (await import(path.join(API_DIR, handlerFile))) as Record<string, THandler>
  const res = await mod.POST(apiRequest(urlPath, { key: org.writeKey, body }), { params: Promise.resolve({}) })
  const j = await res.json()
  if (res.status !== 201) throw new Error(`fixture ${urlPath}: ${res.status} ${JSON.stringify(j)}`)
  return pick(j)
}

let serial = 0
const name = (org: TOrg) => `${org === B ? MARK : 'own'}-${++serial}`
async function alertOf(org: TOrg): Promise<string> {
  const subject = name(org)
  const r = await ownerPool().query<{ id: string }>(
    `INSERT INTO alerts (org_id, kind, source_key, dedupe_key, subject, title, period_start, state) VALUES ($1, 'spend_anomaly', $2, $3, $4, $4, now(), 'warning') RETURNING id::text`,
    [org.id, `spend_anomaly:${subject}`, `spend_anomaly:${subject}:p`, subject],
  )
  return r.rows[0].id
}

const FIXTURES: Record<string, TFixture> = {
  '/api/v1/alerts/[id]': { make: alertOf },
  '/api/v1/alerts/mutes/[id]': {
    make: async (org) => (await asOrg(org.id, async () => muteAlertSource(org.id, await alertOf(org), new Date(Date.now() + 3_600_000), null))).id,
  },
  '/api/v1/bills/[id]': {
    make: (org) => {
      const source = name(org)
      const page = {
        object: 'page',
        data: [{ start_time: 1793491200, end_time: 1793577600, results: [{ amount: { value: 1.5, currency: 'usd' }, line_item: 'gpt-4o, input' }] }],
      }
      return created('bills/route.ts', `/api/v1/bills?source=${source}`, org, page, (j) => j.import.id)
    },
  },
  '/api/v1/budgets/[id]': {
    make: (org) =>
      created(
        'budgets/route.ts',
        '/api/v1/budgets',
        org,
        { name: name(org), workflow_id: 'support', period: 'day', metric: 'spend', amount_usd: '1', thresholds: [50, 100] },
        (j) => j.budget.id,
      ),
  },
  '/api/v1/channels/[id]': {
    make: (org) =>
      created(
        'channels/route.ts',
        '/api/v1/channels',
        org,
        { name: name(org), type: 'email', emails: [`${name(org)}@example.com`], is_default: false },
        (j) => j.channel.id,
      ),
  },
  '/api/v1/gpu/pools/[id]': {
    make: (org) =>
      created(
        'gpu/pools/route.ts',
        '/api/v1/gpu/pools',
        org,
        { name: name(org), role: 'staging', gpu_type: 'A10', gpu_count: 1, pricing: 'hourly', gpu_hour_usd: 1 },
        (j) => j.pool.id,
      ),
  },
  '/api/v1/invitations/[id]': {
    make: async (org) => (await asOrg(org.id, () => createInvitation(org.id, { email: `${name(org)}@invited.example`, role: 'viewer' }, null))).id,
  },
  // a member of their own (each write cell changes or removes one)
  '/api/v1/members/[id]': { make: async (org) => (await member(org, 'viewer', `${name(org)}@member.example`)).id },
  '/api/v1/keys/[id]': { make: async (org) => (await createTestApiKey(org.id, { name: name(org), scopes: ['read'] })).api_key.id },
  '/api/v1/policies/[id]': {
    make: (org) =>
      created(
        'policies/route.ts',
        '/api/v1/policies',
        org,
        {
          workflow_id: name(org),
          step: 'classify',
          quality_bar: [{ metric: 'grounding', min: 0.9 }],
          candidates: [{ provider: 'openai', model: 'gpt-4o-mini' }],
          fallback: { provider: 'openai', model: 'gpt-4o-mini' },
        },
        (j) => j.policy.id,
      ),
  },
  // a run: an event carrying the run id (the run view reads the events)
  '/api/v1/runs/[run_id]': {
    make: async (org) => {
      const run = name(org)
      await ownerPool().query(
        `INSERT INTO inference_events (org_id, event_id, "timestamp", environment, traffic_source, workflow_id, run_id, step, call_type, outcome, batch_id)
         VALUES ($1, $2, now(), 'production', 'production', $2, $2, 'classify', 'generation', 'success', 1)`,
        [org.id, run],
      )
      return run
    },
  },
  '/api/v1/scenarios/line-items/[id]': {
    make: (org) =>
      created(
        'scenarios/line-items/route.ts',
        '/api/v1/scenarios/line-items',
        org,
        { scenario: name(org), month: '2026-11', category: 'operations', amount_usd: 1, note: 'matrix' },
        (j) => j.line_item.id,
      ),
  },
}
const fixtureKeyOf = (routePathName: string) =>
  Object.keys(FIXTURES)
    .filter((k) => routePathName === k || routePathName.startsWith(`${k}/`))
    .sort((a, b) => b.length - a.length)[0]

beforeAll(async () => {
  await useTestServices('access_matrix')
  A = await makeOrg('Own Co', 'own')
  B = await makeOrg(`Other Co ${MARK}`, 'other')
  // Every resource type exists in both organizations, B's named with MARK.
  for (const [key, f] of Object.entries(FIXTURES)) fixtureIds.set(key, { A: await f.make(A), B: await f.make(B) })
  // (alert ids are short numbers, found in any text: B's alerts are known by MARK in their subject)
  leakMarkers = [MARK, B.id, ...[...fixtureIds.values()].map((v) => v.B).filter((id) => id.length >= 32)]
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

// ─── calling one cell ──────────────────────────────────────────────────────────
type TPrincipal = { column: string; key?: string; user?: TSessionUser }
const principals = (org: TOrg): TPrincipal[] => [
  { column: 'none' },
  ...KEY_SCOPES.map((s) => ({ column: `key:${s}`, key: org.keys[s] })),
  ...ROLES.map((r) => ({ column: `session:${r}`, user: org.members[r] })),
]

type TAnswer = { status: number; text: string; url: string }
async function call(handler: THandler, method: string, p: TPrincipal, url: string, params: Record<string, string>, body: unknown): Promise<TAnswer> {
  signedIn = p.user ?? null
  const withBody = !['GET', 'HEAD', 'DELETE', 'OPTIONS'].includes(method)
  const req = apiRequest(url, { method, key: p.key, body: withBody ? body : undefined })
  // A browser sends its page's origin with a session's mutating request; a same-origin check must let it through.
  if (p.user && method !== 'GET' && method !== 'HEAD') req.headers.set('origin', new URL(req.url).origin)
  const res = await handler(req, { params: Promise.resolve(params) })
  return { status: res.status, text: await res.text(), url }
}

const classify = (status: number): TCell | number => (status === 401 || status === 403 || status === 404 || status >= 500 ? status : ok)
const fmt = (c: TCell | number) => (c === ok ? 'ok' : String(c))
const line = (id: string, row: (TCell | number)[]) => `  '${id}':${' '.repeat(Math.max(1, 44 - id.length - 3))}[${row.map(fmt).join(', ')}],`

/** The URL and route params for a path with `resourceId` as its [id] or [run_id] (other dynamic segments: a random UUID), ?org=<slug> and a query string. */
function target(routePathName: string, resourceId: string | null, orgSlug: string | null, query: string | undefined) {
  const params: Record<string, string> = {}
  for (const [, k] of routePathName.matchAll(/\[(\w+)\]/g)) params[k] = (k === 'id' || k === 'run_id') && resourceId ? resourceId : crypto.randomUUID()
  const url = routePathName.replace(/\[(\w+)\]/g, (_m, k: string) => params[k])
  const qs = [orgSlug ? `org=${orgSlug}` : null, query ?? null].filter(Boolean).join('&')
  return { url: qs ? `${url}?${qs}` : url, params }
}

describe('route × role × tenant matrix', () => {
  it('has the columns of every key scope and role (a new scope or role needs its column here)', () => {
    expect(COLUMNS).toEqual([
      'none',
      'key:ingest',
      'key:read',
      'key:write',
      'key:gateway',
      'session:admin',
      'session:engineer',
      'session:finance',
      'session:customer_success',
      'session:viewer',
    ])
  })

  it('finds the API routes on disk', () => {
    expect(ROUTES.length).toBeGreaterThan(40)
  })

  it('has no entry for a route method that no longer exists', async () => {
    const live = new Set<string>()
    for (const r of ROUTES) {
      const mod = (await import(r.file)) as Record<string, unknown>
      for (const m of HTTP_METHODS) if (typeof mod[m] === 'function') live.add(`${m} ${r.path}`)
    }
    const stale = Object.keys(EXPECTED).filter((k) => !live.has(k))
    expect(stale, `remove these lines from EXPECTED in ${THIS_FILE}: ${stale.join('; ')}`).toEqual([])
  })

  it.each(ROUTES)('$path', async (route) => {
    const mod = (await import(route.file)) as Record<string, THandler>
    const methods = HTTP_METHODS.filter((m) => typeof mod[m] === 'function')
    expect(methods.length, `${route.file} exports no HTTP method`).toBeGreaterThan(0)
    const fixtureKey = fixtureKeyOf(route.path)
    const hasId = route.path.includes('[')
    const problems: string[] = []
    for (const method of methods) {
      const id = `${method} ${route.path}`
      const handler = mod[method]
      const body = BODY[id] ?? {}
      const query = QUERY[id]
      const ids = fixtureKey ? fixtureIds.get(fixtureKey)! : null
      if (hasId && !ids) problems.push(`${id}: no fixture for its [id]: add one to FIXTURES in ${THIS_FILE} (a resource made in each organization)`)
      const row = EXPECTED[id]
      const expected = row ? (row.slice(0, COLUMNS.length) as TCell[]) : null
      const observed: (TCell | number)[] = []
      const seen: TAnswer[] = []

      // Own organization: the cell as declared.
      for (const [i, p] of principals(A).entries()) {
        // A write gets a resource of its own: one cell's DELETE, rotation or publish must not change the next cell's.
        const ownId = ids ? (method === 'GET' || method === 'HEAD' ? ids.A : await FIXTURES[fixtureKey].make(A)) : null
        const t = target(route.path, ownId, p.user ? A.slug : null, query)
        const a = await call(handler, method, p, t.url, t.params, body)
        seen.push(a)
        observed.push(classify(a.status))
        if (expected && classify(a.status) !== expected[i])
          problems.push(`${id} as ${p.column} on its own organization: expected ${fmt(expected[i])}, got ${a.status} ${a.text.slice(0, 200)}`)
      }
      if (!expected) {
        const odd = observed.some((c) => c !== ok && c !== 401 && c !== 403)
          ? ` — it answered 404 or 5xx on its own organization's resource: fix the route or its FIXTURES entry first`
          : ''
        problems.push(
          `${id} has no entry: add this line to EXPECTED in ${THIS_FILE} (what the route answers now; check it against the route's declared scope/permission and lib/auth/permissions.ts${odd}):\n${line(id, observed)}`,
        )
        continue
      }
      if (row?.[COLUMNS.length] === 'user') continue

      // The other organization: its resource, or its slug, from organization A's callers.
      for (const [i, p] of principals(A).entries()) {
        if (p.column === 'none') continue
        const attempts = p.user
          ? [target(route.path, ids?.B ?? null, B.slug, query), ...(ids ? [target(route.path, ids.B, A.slug, query)] : [])]
          : [target(route.path, ids?.B ?? null, B.slug, query)]
        for (const t of attempts) {
          const a = await call(handler, method, p, t.url, t.params, body)
          seen.push(a)
          const c = expected[i]
          // A key ignores ?org= (its organization is the key's): on a route without an id it answers as on its own organization.
          const keyOnOwnData = !p.user && !ids
          const good = c !== ok ? a.status === c : keyOnOwnData ? classify(a.status) === ok : a.status === 403 || a.status === 404
          const hint = p.user && !ids && c === ok ? ` (if the route acts on the signed-in user, not an organization, end its EXPECTED line with 'user')` : ''
          if (!good)
            problems.push(
              `${id} as ${p.column} on the other organization (${t.url}): expected ${c !== ok ? c : keyOnOwnData ? 'ok, for its own organization' : '403 or 404'}, got ${a.status} ${a.text.slice(0, 200)}${hint}`,
            )
        }
      }

      // No answer to A's callers carries B's data (B's ids count only where the request did not name them).
      for (const a of seen) {
        const leaked = leakMarkers.filter((m) => a.text.includes(m) && !a.url.includes(m))
        if (leaked.length)
          problems.push(`${id}: the answer to ${a.url} (${a.status}) holds the other organization's data (${leaked.join(', ')}): ${a.text.slice(0, 300)}`)
      }
    }
    expect(problems, problems.join('\n')).toEqual([])
  })
})
