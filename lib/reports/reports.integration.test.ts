import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as getMetrics } from '@/app/api/v1/metrics/route'
import { GET as getMonthly } from '@/app/api/v1/reports/monthly/route'
import { GET as getAudit } from '@/app/api/v1/reports/audit/route'
import { monthRange } from '@/lib/reports/monthly'
import { quarterRange, sampleParams, sampleSql } from '@/lib/reports/audit'
import { expectedAuditSample } from '@/lib/testing/audit-sample'
import type { TSessionUser } from '@/lib/auth/session'

// The signed-in member for the session calls (next-auth's cookie is not in play when handlers are called directly).
let signedIn: TSessionUser | null = null
vi.mock('@/lib/auth/session', async (importOriginal) => ({
  ...(await importOriginal<typeof import('@/lib/auth/session')>()),
  sessionUser: async () => signedIn,
}))

// Events in the last two full months and the last full quarter, sent through
// the ingest API: the monthly report must equal the metrics API for the month
// to the micro-dollar (and SQL on the events for scenarios), and the audit must
// sample the same calls every time and flag the workflow whose eval calls are
// far cheaper than its production calls.

let orgId = ''
let orgSlug = ''
let readKey = ''
const now = new Date()
const ym = (t: number) => new Date(t).toISOString().slice(0, 7)
const month = ym(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
const range = monthRange(month)
const q0 = Math.floor(now.getUTCMonth() / 3) * 3
const prevQuarterStart = Date.UTC(now.getUTCFullYear(), q0 - 3, 1)
const quarter = `${new Date(prevQuarterStart).getUTCFullYear()}-Q${Math.floor(new Date(prevQuarterStart).getUTCMonth() / 3) + 1}`
const qRange = quarterRange(quarter)

beforeAll(async () => {
  await useTestServices('reports')
  const made = await createOrgWithAdmin({ org_name: 'Reports Co', email: 'reports@example.com', password: 'password-123' })
  orgId = made.org.id
  orgSlug = made.org.slug
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  const ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  const events: Record<string, unknown>[] = []
  let n = 0
  const at = (from: number, to: number, i: number, of: number) => new Date(from + Math.floor(((i + 0.5) / of) * (to - from))).toISOString()
  // the report's month and the one before: several dimensions, some events with a scenario
  for (const [from, to, scale] of [
    [range.previous.from, range.previous.to, 1],
    [range.from, range.to, 2],
  ] as const) {
    for (let i = 0; i < 40 * scale; i++) {
      events.push({
        id: `m-${n++}`,
        timestamp: at(from, to, i, 40 * scale),
        workflow_id: i % 3 ? 'support' : 'search',
        step: 'draft',
        account_id: i % 4 ? 'acme' : undefined,
        feature: i % 5 ? 'chat' : 'email',
        environment: i % 7 ? 'production' : 'staging',
        traffic_source: i % 6 ? 'production' : 'eval',
        scenario_id: i % 8 === 0 ? 'trial-a' : i % 8 === 1 ? 'trial-b' : undefined,
        provider: 'openai',
        model: i % 2 ? 'gpt-4o-mini' : 'gpt-4o',
        tokens_in: 1000 + 37 * i,
        cached_tokens_in: 100 * (i % 3),
        tokens_out: 77 + i,
      })
    }
  }
  // the audit's quarter: costly production drafts and cheap eval drafts (flagged), a workflow where both cost alike, one without eval
  for (let i = 0; i < 240; i++) {
    const t = at(qRange.from, qRange.to, i, 240)
    events.push({
      id: `q-prod-${i}`,
      timestamp: t,
      workflow_id: 'drafter',
      step: 'draft',
      provider: 'openai',
      model: 'gpt-4o',
      tokens_in: 2000 + (i % 10) * 100,
      tokens_out: 300,
    })
    if (i % 2 === 0)
      events.push({
        id: `q-steady-${i}`,
        timestamp: t,
        workflow_id: 'steady',
        step: 's',
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens_in: 1500,
        tokens_out: 50,
      })
    if (i % 3 === 0)
      events.push({ id: `q-lonely-${i}`, timestamp: t, workflow_id: 'lonely', step: 's', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 500 })
    // staging production traffic is not production: left out of the production sample
    if (i % 4 === 0)
      events.push({
        id: `q-stg-${i}`,
        timestamp: t,
        environment: 'staging',
        workflow_id: 'drafter',
        step: 'draft',
        provider: 'openai',
        model: 'gpt-4o',
        tokens_in: 90_000,
      })
  }
  for (let i = 0; i < 30; i++) {
    const t = at(qRange.from, qRange.to, i, 30)
    events.push({
      id: `q-eval-${i}`,
      timestamp: t,
      traffic_source: i % 3 ? 'eval' : 'replay',
      environment: 'staging',
      workflow_id: 'drafter',
      step: 'draft',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 700,
      tokens_out: 300,
    })
    events.push({
      id: `q-steady-eval-${i}`,
      timestamp: t,
      traffic_source: 'eval',
      workflow_id: 'steady',
      step: 's',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 1400,
      tokens_out: 60,
      requests: 1 + (i % 2),
    })
  }
  // a workflow with more eval and replay calls than a sample: its eval sample is drawn as the production one is
  for (let i = 0; i < 300; i++) {
    events.push({
      id: `q-evalonly-${i}`,
      timestamp: at(qRange.from, qRange.to, i, 300),
      traffic_source: i % 3 ? 'eval' : 'replay',
      environment: i % 2 ? 'staging' : 'production',
      workflow_id: 'evalonly',
      step: 's',
      provider: 'openai',
      model: 'gpt-4o-mini',
      tokens_in: 100 + i,
    })
  }
  // a busy workflow on five days: runs of a cheap retrieval and, 2 s later, a costly draft; one run an hour at night, ten an hour by day
  for (let d = 3; d < 8; d++) {
    for (const [hour, runs] of [...[0, 1, 2, 3, 4, 5].map((h) => [h, 1]), ...[9, 10, 11, 12, 13, 14, 15, 16, 17].map((h) => [h, 10])]) {
      for (let r = 0; r < runs; r++) {
        const t = qRange.from + d * 86_400_000 + hour * 3_600_000 + r * 360_000 + 17_000
        const base = { workflow_id: 'busy', provider: 'openai', model: 'gpt-4o', tokens_out: 10 }
        events.push({ ...base, id: `q-busy-${d}-${hour}-${r}-a`, timestamp: new Date(t).toISOString(), step: 'retrieve', tokens_in: 100 })
        events.push({ ...base, id: `q-busy-${d}-${hour}-${r}-b`, timestamp: new Date(t + 2000).toISOString(), step: 'draft', tokens_in: 5000 })
      }
    }
  }
  for (let i = 0; i < events.length; i += 500) {
    expect((await postEvents(apiRequest('/api/v1/events', { key: ingestKey, body: { events: events.slice(i, i + 500) } }))).status).toBe(202)
  }
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('GET /api/v1/reports/monthly', () => {
  it('answers every section as the metrics API does for the month, to the micro-dollar, against the month before', async () => {
    const r = await getMonthly(apiRequest(`/api/v1/reports/monthly?month=${month}`, { key: readKey }))
    expect(r.status).toBe(200)
    const rep = await r.json()
    expect(rep).toMatchObject({
      month,
      from: new Date(range.from).toISOString(),
      to: new Date(range.to).toISOString(),
      current: false,
      forecast: null,
      previous: { month: ym(range.previous.from) },
    })
    const metrics = async (from: number, to: number, group?: string) => {
      const res = await getMetrics(
        apiRequest(`/api/v1/metrics?from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}${group ? `&group_by=${group}` : ''}`, {
          key: readKey,
        }),
      )
      return (await res.json()).rows as Record<string, string | number | null>[]
    }
    const [total] = await metrics(range.from, range.to)
    const [prevTotal] = await metrics(range.previous.from, range.previous.to)
    expect(rep.total).toMatchObject({
      cost_usd: total.cost_usd,
      events: total.events,
      production_cost_usd: total.production_cost_usd,
      previous_cost_usd: prevTotal.cost_usd,
    })
    for (const dim of ['workflow_id', 'account_id', 'feature', 'environment', 'traffic_source']) {
      const section = rep.sections.find((s: { dimension: string }) => s.dimension === dim)
      const cur = await metrics(range.from, range.to, dim)
      const prev = await metrics(range.previous.from, range.previous.to, dim)
      expect(section.rows.length).toBeGreaterThan(1)
      for (const row of section.rows) {
        expect(row.cost_usd, `${dim}=${row.key}`).toBe(cur.find((m) => m[dim] === row.key)?.cost_usd ?? '0.000000')
        expect(row.previous_cost_usd, `${dim}=${row.key} before`).toBe(prev.find((m) => m[dim] === row.key)?.cost_usd ?? '0.000000')
      }
      expect(section.rows.length).toBe(new Set([...cur, ...prev].map((m) => m[dim])).size)
    }
  })

  it('splits spend by scenario: scenario_id where the calls carry one, else the workflow, adding up to the total', async () => {
    const rep = await (await getMonthly(apiRequest(`/api/v1/reports/monthly?month=${month}`, { key: readKey }))).json()
    const rows = rep.sections.find((s: { dimension: string }) => s.dimension === 'scenario').rows as {
      key: string
      from: string
      cost_usd: string
      events: number
    }[]
    const sql = (
      await ownerPool().query<{ key: string; src: string; usd: string; n: number }>(
        `SELECT coalesce(scenario_id, workflow_id) AS key, CASE WHEN scenario_id IS NULL THEN 'workflow' ELSE 'scenario_id' END AS src, round(sum(cost_usd), 6)::text AS usd, count(*)::int AS n
       FROM inference_events WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3 GROUP BY 1, 2`,
        [orgId, new Date(range.from), new Date(range.to)],
      )
    ).rows
    // (rows of the month before only are there too, at $0 this month)
    expect(
      rows
        .filter((r) => r.events > 0)
        .map((r) => [r.key, r.from, r.cost_usd, r.events])
        .sort(),
    ).toEqual(sql.map((s) => [s.key, s.src, s.usd, s.n]).sort())
    const sum = rows.reduce((a, r) => a + BigInt(r.cost_usd.replace('.', '')), 0n)
    // each part rounded once to the micro-dollar: within a micro-dollar per row of the total
    const off = sum - BigInt(rep.total.cost_usd.replace('.', ''))
    expect(off <= BigInt(rows.length) && off >= -BigInt(rows.length)).toBe(true)
  })

  it('exports the same figures as CSV, forecasts the current month, and rejects a bad month', async () => {
    const r = await getMonthly(apiRequest(`/api/v1/reports/monthly?month=${month}&format=csv`, { key: readKey }))
    expect(r.headers.get('content-type')).toMatch(/^text\/csv/)
    expect(r.headers.get('content-disposition')).toBe(`attachment; filename="outlay-monthly-${month}.csv"`)
    const lines = (await r.text()).trim().split('\r\n')
    const rep = await (await getMonthly(apiRequest(`/api/v1/reports/monthly?month=${month}`, { key: readKey }))).json()
    expect(lines).toContain(
      `${month},total,,,${rep.total.cost_usd},${rep.total.events},1.0000,${rep.previous.month},${rep.total.previous_cost_usd},${rep.total.previous_events},${rep.total.change_usd}`,
    )
    const wf = rep.sections[0].rows[0]
    expect(lines).toContain(
      `${month},workflow_id,${wf.key},,${wf.cost_usd},${wf.events},${wf.share.toFixed(4)},${rep.previous.month},${wf.previous_cost_usd},${wf.previous_events},${wf.change_usd}`,
    )

    const cur = await (await getMonthly(apiRequest('/api/v1/reports/monthly', { key: readKey }))).json()
    expect(cur).toMatchObject({ month: ym(now.getTime()), current: true, previous: { month } })
    // the month before to the same day and hour, the current hour included (the overview's previous period for month
    // to date): the report's own month's events as SQL sees them
    const hourEnd = Math.ceil((now.getTime() + 1) / 3_600_000) * 3_600_000
    const sameTo = Math.min(range.from + (hourEnd - Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)), range.to)
    const [{ usd }] = (
      await ownerPool().query(
        `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS usd FROM inference_events WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3`,
        [orgId, new Date(range.from), new Date(sameTo)],
      )
    ).rows
    expect(cur.total.previous_to_date).toEqual({ to: new Date(sameTo).toISOString(), cost_usd: usd, change_usd: expect.any(String) })
    expect(rep.total.previous_to_date).toBeUndefined()
    expect(cur.forecast.month_end.end).toBe(new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString())
    const bad = await getMonthly(apiRequest('/api/v1/reports/monthly?month=2026-13&format=pdf', { key: readKey }))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual(['month: must be a month, YYYY-MM', 'format: must be json or csv'])
  })
})

describe('GET /api/v1/reports/audit', () => {
  /** A workflow's sample recomputed from its events in SQL (lib/testing/audit-sample.ts): 100 calls, none twice. */
  const expectedSample = async (workflow: string, side: 'production' | 'eval') => {
    const ids = await expectedAuditSample(async (text, params) => (await ownerPool().query(text, params)).rows, {
      orgId,
      workflow,
      side,
      quarter,
      from: new Date(qRange.from),
      to: new Date(qRange.to),
    })
    expect(ids).toHaveLength(100)
    expect(new Set(ids).size).toBe(100)
    return ids
  }

  it('samples 100 production calls per workflow, by day and by hour in proportion to the calls, the same every time, and flags production far above eval', async () => {
    const r = await getAudit(apiRequest(`/api/v1/reports/audit?quarter=${quarter}`, { key: readKey }))
    expect(r.status).toBe(200)
    const a = await r.json()
    expect(a).toMatchObject({ quarter, from: new Date(qRange.from).toISOString(), sample_size: 100, ratio_limit: 2 })
    // (the report tests' workflows may have calls in this quarter too: their month before can fall in it)
    const mine = a.workflows.filter((w: { workflow_id: string }) => ['drafter', 'steady', 'lonely'].includes(w.workflow_id))
    expect(mine.map((w: { workflow_id: string; status: string }) => [w.workflow_id, w.status])).toEqual([
      ['drafter', 'flagged'],
      ['steady', 'within'],
      ['lonely', 'no_eval'],
    ])
    const drafter = mine[0]
    expect(drafter).toMatchObject({ production_calls: 240, eval_calls: 30 })
    // the production sample, stratified by day and, within a day, by hour in proportion to the calls: recomputed from the events
    const expected = await expectedSample('drafter', 'production')
    expect(a.samples.drafter.production.map((c: { event_id: string }) => c.event_id).sort()).toEqual(expected.sort())
    const [{ mean }] = (
      await ownerPool().query(`SELECT round(avg(cost_usd), 6)::text AS mean FROM inference_events WHERE org_id = $1 AND event_id = ANY($2)`, [orgId, expected])
    ).rows
    expect(drafter.production.mean_usd).toBe(mean)
    // eval and replay together (30 calls, all of them)
    expect(drafter.eval.calls).toBe(30)
    expect(drafter.ratio_mean).toBeGreaterThan(2)
    expect(drafter.finding).toMatch(/^Production costs \d+(\.\d)?× more per call than eval/)
    // steady: eval events standing for 2 calls count twice
    const steady = mine[1]
    expect(steady.eval.calls).toBe(45)
    expect(steady.eval.events).toBe(30)
    // eval and replay calls (any environment) are one sample, drawn the same way
    const evalOnly = a.workflows.find((w: { workflow_id: string }) => w.workflow_id === 'evalonly')
    expect(evalOnly).toMatchObject({ status: 'no_production', eval_calls: 300, eval: { calls: 100 } })
    expect(a.samples.evalonly.eval.map((c: { event_id: string }) => c.event_id).sort()).toEqual((await expectedSample('evalonly', 'eval')).sort())
    // within a day, hours in proportion to their calls (night: 12 of a day's 192 calls, 6%) and every step of a run alike
    const busy = a.samples.busy.production as { event_id: string; timestamp: string; step: string }[]
    expect(busy.map((c) => c.event_id).sort()).toEqual((await expectedSample('busy', 'production')).sort())
    const night = busy.filter((c) => new Date(c.timestamp).getUTCHours() < 6).length
    expect(night).toBeGreaterThanOrEqual(5)
    expect(night).toBeLessThanOrEqual(10)
    const drafts = busy.filter((c) => c.step === 'draft').length
    expect(drafts).toBeGreaterThanOrEqual(35)
    expect(drafts).toBeLessThanOrEqual(65)
    // deterministic: the same quarter samples the same calls
    const again = await (await getAudit(apiRequest(`/api/v1/reports/audit?quarter=${quarter}`, { key: readKey }))).json()
    expect(again.samples).toEqual(a.samples)
  })

  it('walks an index that starts at the instant for the sample, with no index of its own', async () => {
    const { rows: idx } = await ownerPool().query(
      `SELECT indexname FROM pg_indexes WHERE tablename = 'inference_events' AND indexname = 'inference_events_sample_idx'`,
    )
    expect(idx).toEqual([])
    const c = await ownerPool().connect()
    try {
      await c.query('BEGIN')
      // a tiny table would be scanned whole anyway; the question is whether the walk starts at the instant (on a large organization
      // the index also gives the time order, and the walk stops after n matches: docs/forecast-and-reports.md, EXPLAIN)
      await c.query('SET LOCAL enable_seqscan = off')
      await c.query('SET LOCAL enable_bitmapscan = off')
      const hour = qRange.from + 9 * 3_600_000
      const walk = { workflow_id: 'drafter', lo: new Date(hour), start: new Date(hour + 1_234_567), hi: new Date(hour + 3_600_000), skip: 3, n: 2 }
      const plan = (await c.query(`EXPLAIN ${sampleSql('production')}`, sampleParams(orgId, [walk]))).rows.map((r) => r['QUERY PLAN']).join('\n')
      // (org_id, timestamp), or (org_id, workflow_id, timestamp) (the Calls explorer's index) when the planner prefers it: either starts at the instant.
      // inference_events is partitioned by month: one scan per partition (its own copy of the index), the others pruned at run time.
      const scans = plan.match(/Index Scan using \S+/g) ?? []
      expect(scans.length).toBeGreaterThanOrEqual(2)
      for (const s of scans) expect(s).toMatch(/^Index Scan using inference_events_(\d{6}_|default_)?org_id_(workflow_id_)?timestamp_idx$/)
      expect(plan).not.toMatch(/Seq Scan/)
      expect(plan).toMatch(/Index Cond: \(\(org_id = .*\) AND (\(workflow_id = .*\) AND )?\("timestamp" >= p\.start\) AND \("timestamp" < p\.hi\)\)/)
      expect(plan).toMatch(/Index Cond: \(\(org_id = .*\) AND (\(workflow_id = .*\) AND )?\("timestamp" >= p\.lo\) AND \("timestamp" < p\.start\)\)/)
      await c.query('ROLLBACK')
    } finally {
      c.release()
    }
  })

  it('exports the verdicts and the sampled calls as CSV, and rejects a bad quarter', async () => {
    const csv = await (await getAudit(apiRequest(`/api/v1/reports/audit?quarter=${quarter}&format=csv`, { key: readKey }))).text()
    const lines = csv.trim().split('\r\n')
    expect(lines[0]).toMatch(/^quarter,workflow_id,status,ratio_mean/)
    expect(lines.some((l) => l.startsWith(`${quarter},drafter,flagged,`))).toBe(true)
    const samples = (await (await getAudit(apiRequest(`/api/v1/reports/audit?quarter=${quarter}&format=samples_csv`, { key: readKey }))).text())
      .trim()
      .split('\r\n')
    expect(samples.filter((l) => l.startsWith(`${quarter},drafter,production,`))).toHaveLength(100)
    const bad = await getAudit(apiRequest('/api/v1/reports/audit?quarter=2026-Q5', { key: readKey }))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual(['quarter: must be a quarter, YYYY-Qn (e.g. 2026-Q4)'])
  })
})

describe('exports need exports.read', () => {
  async function member(role: string): Promise<TSessionUser> {
    const email = `${role}@reports.example`
    const u = await ownerPool().query<{ id: string }>(`INSERT INTO users (id, email, password_hash) VALUES (gen_random_uuid(), $1, 'x') RETURNING id`, [email])
    await ownerPool().query(`INSERT INTO memberships (org_id, user_id, role) VALUES ($1, $2, $3)`, [orgId, u.rows[0].id, role])
    return { id: u.rows[0].id, email, name: null }
  }
  const asMember = async (user: TSessionUser, get: typeof getMonthly | typeof getAudit, path: string) => {
    signedIn = user
    try {
      return await get(apiRequest(`${path}&org=${orgSlug}`))
    } finally {
      signedIn = null
    }
  }

  it('finance downloads the CSV forms of both reports; engineers and viewers read the reports but are refused their CSV', async () => {
    const finance = await member('finance')
    const engineer = await member('engineer')
    const viewer = await member('viewer')
    const csvs: [typeof getMonthly | typeof getAudit, string][] = [
      [getMonthly, `/api/v1/reports/monthly?month=${month}&format=csv`],
      [getAudit, `/api/v1/reports/audit?quarter=${quarter}&format=csv`],
      [getAudit, `/api/v1/reports/audit?quarter=${quarter}&format=samples_csv`],
    ]
    for (const [get, path] of csvs) {
      const f = await asMember(finance, get, path)
      expect(f.status, path).toBe(200)
      expect(f.headers.get('content-type')).toMatch(/^text\/csv/)
      for (const refused of [engineer, viewer]) {
        const r = await asMember(refused, get, path)
        expect(r.status, `${refused.email} ${path}`).toBe(403)
        expect((await r.json()).error.message).toContain('exports.read')
      }
    }
    // the same reports as JSON: every reader
    for (const user of [engineer, viewer]) {
      expect((await asMember(user, getMonthly, `/api/v1/reports/monthly?month=${month}`)).status).toBe(200)
      expect((await asMember(user, getAudit, `/api/v1/reports/audit?quarter=${quarter}`)).status).toBe(200)
    }
  })
})
