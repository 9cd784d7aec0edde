import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { acceptEvents } from '@/lib/ingest/accept'
import { pendingBatches, processBatch } from '@/lib/ingest/process'
import { GET as getStepMedians } from '@/app/api/v1/metrics/step-medians/route'
import { GET as getAccountAnomalies } from '@/app/api/v1/metrics/account-anomalies/route'
import type { TAccountAnomaly, TStepMedian } from '@/lib/metrics/step-medians'
import { isStepAnomaly } from '@/lib/metrics/views/account-detail'
import { evaluateOrgAlerts } from '@/lib/alerts/evaluate'
import { DEFAULT_DRIFT_CONFIG } from '@/lib/alerts/detectors'
import { pool } from '@/lib/db'

// GET /api/v1/metrics/step-medians against the events it was built from: runs
// of two workflows by eight accounts over 2026-10-25 … 2026-11-09 (the weekly,
// daily and hourly rollups all answer parts of the ranges below), each account
// calling "retrieve" a different number of times per run; the medians must be
// those of the calls per run computed here from the generated events.

const NOW = new Date('2026-11-10T00:00:00Z')
const ACCOUNTS = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8']
type TEvent = {
  id: string
  timestamp: string
  workflow_id: string
  step: string
  run_id: string
  account_id?: string
  environment: string
  provider: string
  model: string
  tokens_in: number
  tokens_out: number
}

function generate(): TEvent[] {
  const out: TEvent[] = []
  let x = 11
  const r = (k: number) => {
    x = (x * 48271) % 2147483647
    return x % k
  }
  for (let run = 0; run < 900; run++) {
    const a = r(ACCOUNTS.length + 1) // the last: a run without an account, which no median counts
    const account = a < ACCOUNTS.length ? ACCOUNTS[a] : undefined
    // every call of a run in the same hour, so a run counts where its events are
    const start = Date.UTC(2026, 9, 25, 12) + r(15 * 24 + 6) * 3600_000
    const environment = r(4) === 0 ? 'staging' : 'production'
    const workflow = r(3) === 0 ? 'triage' : 'support'
    // a1 … a8 retrieve 1, 1, 1, 1, 2, 1, 3, 1 times per run, with a second try one run in five
    const retrieves = workflow === 'support' ? [1, 1, 1, 1, 2, 1, 3, 1, 1][a] + (r(5) === 0 ? 1 : 0) : 0
    const steps = workflow === 'support' ? [...Array(retrieves).fill('retrieve'), 'draft'] : ['classify']
    steps.forEach((step, i) =>
      out.push({
        id: `e-${run}-${i}`,
        timestamp: new Date(start + i * 1000).toISOString(),
        workflow_id: workflow,
        step,
        run_id: `run-${run}`,
        ...(account ? { account_id: account } : {}),
        environment,
        provider: 'openai',
        model: 'gpt-4o-mini',
        tokens_in: 100,
        tokens_out: 10,
      }),
    )
  }
  return out
}
const EVENTS = generate()

/** The medians computed from the events themselves. */
function expected(from: string, to: string, environment?: string): TStepMedian[] {
  const xs = EVENTS.filter((e) => e.account_id && e.timestamp >= from && e.timestamp < to && (!environment || e.environment === environment))
  const runs = new Map<string, Set<string>>()
  const calls = new Map<string, number>()
  for (const e of xs) {
    const wf = `${e.account_id}|${e.workflow_id}`
    runs.set(wf, (runs.get(wf) ?? new Set()).add(e.run_id))
    calls.set(`${wf}|${e.step}`, (calls.get(`${wf}|${e.step}`) ?? 0) + 1)
  }
  const ratios = new Map<string, number[]>()
  for (const [k, n] of calls) {
    const [account, workflow, step] = k.split('|')
    const list = ratios.get(`${workflow}|${step}`) ?? []
    list.push(n / runs.get(`${account}|${workflow}`)!.size)
    ratios.set(`${workflow}|${step}`, list)
  }
  return [...ratios]
    .map(([k, list]) => {
      const [workflow_id, step] = k.split('|')
      const s = list.sort((a, b) => a - b)
      const m = s.length >> 1
      return { workflow_id, step, accounts: s.length, median_calls_per_run: s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }
    })
    .sort((a, b) => a.workflow_id.localeCompare(b.workflow_id) || a.step.localeCompare(b.step))
}

let readKey = ''
let orgId = ''
const get = async (qs: string) => {
  const res = await getStepMedians(apiRequest(`/api/v1/metrics/step-medians?${qs}`, { key: readKey }))
  return { status: res.status, body: await res.json() }
}

beforeAll(async () => {
  await useTestServices('step-medians')
  orgId = (await createOrgWithAdmin({ org_name: 'Medians Co', email: 'medians@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  for (let i = 0; i < EVENTS.length; i += 500)
    expect(await acceptEvents({ orgId, now: NOW }, { events: EVENTS.slice(i, i + 500) })).toMatchObject({ accepted: Math.min(500, EVENTS.length - i) })
  for (const id of await pendingBatches(0)) await processBatch(id)
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

describe('GET /api/v1/metrics/step-medians', () => {
  const cases: [string, string, string, string?][] = [
    // hours of 25 Oct, two whole ISO weeks (the weekly rollups), hours of 9 Nov
    ['whole weeks with hours around them', '2026-10-25T13:00:00.000Z', '2026-11-09T05:00:00.000Z'],
    // days only, from the middle of one week to the middle of the next
    ['days across a week boundary', '2026-10-28T00:00:00.000Z', '2026-11-05T00:00:00.000Z'],
    ['production only', '2026-10-25T13:00:00.000Z', '2026-11-09T05:00:00.000Z', 'production'],
    ['a few hours', '2026-11-02T06:00:00.000Z', '2026-11-02T18:00:00.000Z'],
    // 21 hours of 26 Oct and 20 of 8 Nov: each read as its whole day minus the day's other hours (lib/metrics/source.ts)
    ['ragged days read as the day minus its other hours', '2026-10-26T03:00:00.000Z', '2026-11-08T19:30:00.000Z'],
  ]
  for (const [name, from, to, environment] of cases) {
    it(`equals the median of the events' calls per run: ${name}`, async () => {
      const { status, body } = await get(new URLSearchParams({ from, to, ...(environment ? { environment } : {}) }).toString())
      expect(status).toBe(200)
      const want = expected(from, to, environment)
      expect(want.length).toBeGreaterThan(0)
      expect(body.rows.map((x: TStepMedian) => [x.workflow_id, x.step, x.accounts])).toEqual(want.map((x) => [x.workflow_id, x.step, x.accounts]))
      body.rows.forEach((x: TStepMedian, i: number) => expect(x.median_calls_per_run).toBeCloseTo(want[i].median_calls_per_run, 9))
    })
  }

  it('limits to a workflow, and the accounts that call twice per run do not move the median', async () => {
    const { body } = await get('from=2026-10-25T13:00:00Z&to=2026-11-09T05:00:00Z&workflow_id=support')
    expect(body.rows.map((x: TStepMedian) => x.step)).toEqual(['draft', 'retrieve'])
    const retrieve = body.rows.find((x: TStepMedian) => x.step === 'retrieve')
    expect(retrieve.accounts).toBe(8)
    expect(retrieve.median_calls_per_run).toBeGreaterThan(1.1)
    expect(retrieve.median_calls_per_run).toBeLessThan(1.3) // a second try one run in five: ~1.2, where a5 and a7 make ~2.2 and ~3.2
  })

  it('names the field and the reason for bad input', async () => {
    expect(await get('from=2026-11-05&to=2026-11-01')).toMatchObject({ status: 400, body: { error: { details: { errors: ['to: must be after from'] } } } })
    const bad = await get('group_by=step')
    expect(bad.status).toBe(400)
    expect(JSON.stringify(bad.body)).toContain('group_by')
    expect((await get('environment=prod')).status).toBe(400)
  })
})

/** The account × step rows the account page would flag, from the events themselves and the medians above. */
function expectedAnomalies(from: string, to: string, environment?: string) {
  const medians = new Map(expected(from, to, environment).map((m) => [`${m.workflow_id}|${m.step}`, m]))
  const xs = EVENTS.filter((e) => e.account_id && e.timestamp >= from && e.timestamp < to && (!environment || e.environment === environment))
  const runs = new Map<string, Set<string>>()
  const calls = new Map<string, number>()
  for (const e of xs) {
    runs.set(`${e.account_id}|${e.workflow_id}`, (runs.get(`${e.account_id}|${e.workflow_id}`) ?? new Set()).add(e.run_id))
    calls.set(`${e.account_id}|${e.workflow_id}|${e.step}`, (calls.get(`${e.account_id}|${e.workflow_id}|${e.step}`) ?? 0) + 1)
  }
  return [...calls]
    .map(([k, n]) => {
      const [account_id, workflow_id, step] = k.split('|')
      const r = runs.get(`${account_id}|${workflow_id}`)!.size
      const m = medians.get(`${workflow_id}|${step}`)!
      return { account_id, workflow_id, step, calls_per_run: n / r, median_calls_per_run: m.median_calls_per_run, runs: r, peers: m.accounts }
    })
    .filter(isStepAnomaly)
    .map((x) => `${x.account_id} ${x.workflow_id}/${x.step}`)
    .sort()
}

describe('GET /api/v1/metrics/account-anomalies and the account_step_anomaly alert', () => {
  const from = '2026-10-25T13:00:00.000Z'
  const to = '2026-11-09T05:00:00.000Z'

  it('flags the account × steps the account page flags (one rule: isStepAnomaly): a5 and a7 retrieve twice and three times per run', async () => {
    const res = await getAccountAnomalies(apiRequest(`/api/v1/metrics/account-anomalies?from=${from}&to=${to}`, { key: readKey }))
    expect(res.status).toBe(200)
    const { rows } = (await res.json()) as { rows: TAccountAnomaly[] }
    const got = rows.map((r) => `${r.account_id} ${r.workflow_id}/${r.step}`)
    expect([...got].sort()).toEqual(expectedAnomalies(from, to))
    expect([...got].sort()).toEqual(['a5 support/retrieve', 'a7 support/retrieve'])
    // largest excess over the median first
    expect(rows[0].account_id).toBe('a7')
    for (const r of rows) expect(r.calls_per_run).toBeGreaterThanOrEqual(r.median_calls_per_run * 1.5)
  })

  it('fires once per account × step and week, however often the detectors run', async () => {
    const now = new Date(to) // the window: the 7 days before 2026-11-09 05:00 UTC (production traffic)
    const kinds = ['account_step_anomaly'] as const
    const first = await evaluateOrgAlerts(orgId, now, { kinds, config: DEFAULT_DRIFT_CONFIG })
    expect(first.map((a) => a.subject).sort()).toEqual(['a5:support/retrieve', 'a7:support/retrieve'])
    expect(first[0]).toMatchObject({ kind: 'account_step_anomaly', period_start: '2026-11-09T00:00:00.000Z' })
    expect(first.find((a) => a.subject.startsWith('a7'))!.title).toMatch(
      /^a7: \d+\.\d\d calls per run at support\/retrieve over the last 7 days, where the median account makes 1\.\d\d/,
    )
    // the same hour again, and the next hours of the same week: nothing new
    expect(await evaluateOrgAlerts(orgId, new Date(now.getTime() + 1000), { kinds, config: DEFAULT_DRIFT_CONFIG })).toEqual([])
    expect(await evaluateOrgAlerts(orgId, new Date(now.getTime() + 3600_000), { kinds, config: DEFAULT_DRIFT_CONFIG })).toEqual([])
    const stored = await pool().query(`SELECT count(*)::int AS n FROM alerts WHERE org_id = $1 AND kind = 'account_step_anomaly'`, [orgId])
    expect(stored.rows[0].n).toBe(2)
  })

  it("gives each flagged row its step's median exactly as the step medians do, for an odd and an even number of accounts", async () => {
    // workflow "odd" on 27 Oct (outside the alert's window above): five accounts call "look" 1, 2, 3, 4 and 9 times in
    // each of their five runs, so the median is the middle account's 3 and c5 is flagged
    const perRun: Record<string, number> = { c1: 1, c2: 2, c3: 3, c4: 4, c5: 9 }
    const events: TEvent[] = []
    for (const [account, calls] of Object.entries(perRun))
      for (let run = 0; run < 5; run++)
        for (let i = 0; i < calls; i++)
          events.push({
            id: `odd-${account}-${run}-${i}`,
            timestamp: new Date(Date.UTC(2026, 9, 27, 10) + events.length * 1000).toISOString(),
            workflow_id: 'odd',
            step: 'look',
            run_id: `odd-${account}-${run}`,
            account_id: account,
            environment: 'production',
            provider: 'openai',
            model: 'gpt-4o-mini',
            tokens_in: 100,
            tokens_out: 10,
          })
    expect(await acceptEvents({ orgId, now: NOW }, { events })).toMatchObject({ accepted: events.length })
    for (const id of await pendingBatches(0)) await processBatch(id)
    const res = await getAccountAnomalies(apiRequest(`/api/v1/metrics/account-anomalies?from=${from}&to=${to}`, { key: readKey }))
    const { rows } = (await res.json()) as { rows: TAccountAnomaly[] }
    expect(rows.map((r) => `${r.account_id} ${r.workflow_id}/${r.step}`).sort()).toEqual(['a5 support/retrieve', 'a7 support/retrieve', 'c5 odd/look'])
    const medians = (await get(`from=${from}&to=${to}`)).body.rows as TStepMedian[]
    const medianOf = (r: TAccountAnomaly) => medians.find((m) => m.workflow_id === r.workflow_id && m.step === r.step)!
    for (const r of rows) {
      expect(r.median_calls_per_run).toBe(medianOf(r).median_calls_per_run)
      expect(r.peers).toBe(medianOf(r).accounts)
    }
    expect(rows.find((r) => r.account_id === 'c5')).toMatchObject({ calls_per_run: 9, median_calls_per_run: 3, peers: 5 })
    expect(medianOf(rows.find((r) => r.account_id === 'a7')!).accounts).toBe(8) // even: between the two middle accounts
  })
})
