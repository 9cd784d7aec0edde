import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Worker } from 'bullmq'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues, QUEUE_INGEST, workerConnection } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { runRepriceJob } from '@/lib/reprice'
import { ingestProcessor } from '@/workers/processors/ingest'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { PUT as putPrices } from '@/app/api/v1/prices/route'
import { GET as getPromptVersions } from '@/app/api/v1/prompt-versions/route'
import { GET as getEndUsers } from '@/app/api/v1/end-users/route'
import { ZPromptVersionsAnswer, type TPromptVersionsAnswer } from '@/lib/prompt-versions/schema'
import { ZEndUsersAnswer, END_USER_FLAG, type TEndUsersAnswer } from '@/lib/end-users/schema'
import { endUsersPlan } from '@/lib/end-users/load'

// Spend by prompt version and by end user through the ingest API and the worker, compared with SQL over the events:
// calls across batches, a duplicate id counted once, a run seen in two batches counted once, calls without the
// dimension left out, a range whose edges are hours (the hourly table) around whole days (the daily one), a
// re-pricing, and the migration's backfill giving the rollups the worker kept.

let prefix = ''
let orgId = ''
let ingestKey = ''
let readKey = ''
let writeKey = ''
let worker: Worker | null = null

const H = (key: string, body?: unknown) =>
  ({
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  }) as RequestInit

const HOUR = 3_600_000
// four days ago at 00:00 UTC: every event is in the past and inside the ingest window
const T0 = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 4 * 86_400_000
const at = (h: number, m = 0) => new Date(T0 + h * HOUR + m * 60_000).toISOString()
// from 05:00 on day 0 to 10:00 on day 2: hours, a whole day, hours
const FROM = at(5)
const TO = at(58)

type TEv = Record<string, unknown>
let seq = 0
const ev = (ts: string, step: string, extra: TEv = {}): TEv => ({
  id: `e${++seq}`,
  timestamp: ts,
  workflow_id: 'support',
  step,
  provider: 'acme',
  model: 'acme-1',
  tokens_in: 1000 + (seq % 7) * 130,
  cached_tokens_in: (seq % 3) * 100,
  tokens_out: 50 + (seq % 5) * 40,
  ...extra,
})

async function waitProcessed(timeoutMs = 20_000) {
  const until = Date.now() + timeoutMs
  for (;;) {
    const r = await ownerPool().query<{ n: string }>('SELECT count(*)::text AS n FROM ingest_batches WHERE processed_at IS NULL')
    if (r.rows[0].n === '0') return
    if (Date.now() > until) throw new Error(`${r.rows[0].n} batches still pending`)
    await new Promise((res) => setTimeout(res, 100))
  }
}

async function post(events: TEv[]) {
  const res = await postEvents(new Request('http://x/api/v1/events', { method: 'POST', ...H(ingestKey, { events }) }))
  expect(res.status).toBe(202)
  const body = await res.json()
  await waitProcessed()
  return body as { accepted: number; duplicates: number }
}

async function prices(inputPerMtok: string) {
  const res = await putPrices(
    new Request('http://x/api/v1/prices', {
      method: 'PUT',
      ...H(writeKey, {
        prices: [{ provider: 'acme', model: 'acme-1', effective_from: '2020-01-01T00:00:00Z', input_per_mtok: inputPerMtok, output_per_mtok: '4' }],
      }),
    }),
  )
  expect(res.status).toBe(200)
  for (const id of (await res.json()).reprice_job_ids as string[]) await runRepriceJob(id)
}

async function versions(q = `workflow_id=support&from=${FROM}&to=${TO}`): Promise<TPromptVersionsAnswer> {
  const res = await getPromptVersions(new Request(`http://x/api/v1/prompt-versions?${q}`, H(readKey)))
  expect(res.status).toBe(200)
  return ZPromptVersionsAnswer.parse(await res.json())
}

async function users(q = `from=${FROM}&to=${TO}`): Promise<TEndUsersAnswer> {
  const res = await getEndUsers(new Request(`http://x/api/v1/end-users?${q}`, H(readKey)))
  expect(res.status).toBe(200)
  return ZEndUsersAnswer.parse(await res.json())
}

/** The reference: per step and version, the calls in [from, to); runs = (run, step, version) whose earliest call is in the range. */
async function versionsBySql(from = FROM, to = TO) {
  const r = await ownerPool().query(
    `WITH x AS (SELECT e.*, (run_id IS NOT NULL AND row_number() OVER (PARTITION BY step, prompt_version, run_id ORDER BY "timestamp", event_id COLLATE "C") = 1) AS run_first
       FROM inference_events e WHERE org_id = $1 AND workflow_id = 'support' AND prompt_version IS NOT NULL)
     SELECT step, prompt_version, count(*)::int AS calls, (count(*) FILTER (WHERE run_first))::int AS runs, sum(tokens_in)::int AS tokens_in,
       sum(cached_tokens_in)::int AS cached_tokens_in, sum(tokens_out)::int AS tokens_out, round(coalesce(sum(cost_usd), 0), 6)::text AS cost_usd
     FROM x WHERE "timestamp" >= $2 AND "timestamp" < $3 GROUP BY 1, 2 ORDER BY 1, 2`,
    [orgId, from, to],
  )
  return r.rows
}

/** The reference: per account and user, the calls in [from, to); each account's median user (percentile_disc) and the flag. */
async function usersBySql(account: string | null = null, from = FROM, to = TO) {
  const r = await ownerPool().query(
    `WITH u AS (SELECT coalesce(account_id, '') AS account_id, user_id, count(*)::int AS calls, round(coalesce(sum(cost_usd), 0), 6) AS cost
       FROM inference_events WHERE org_id = $1 AND user_id IS NOT NULL AND "timestamp" >= $2 AND "timestamp" < $3 AND ($4::text IS NULL OR account_id = $4)
       GROUP BY 1, 2),
     a AS (SELECT account_id, count(*)::int AS n, percentile_disc(0.5) WITHIN GROUP (ORDER BY cost) AS median FROM u GROUP BY 1)
     SELECT nullif(u.account_id, '') AS account_id, u.user_id, u.calls, u.cost::text AS cost_usd, a.median::text AS median,
       (a.n >= $5 AND u.cost > $6::numeric AND u.cost > $7 * a.median) AS flagged
     FROM u JOIN a USING (account_id) ORDER BY u.cost DESC, u.account_id COLLATE "C", u.user_id COLLATE "C"`,
    [orgId, from, to, account, END_USER_FLAG.min_users, END_USER_FLAG.floor_usd, END_USER_FLAG.median_ratio],
  )
  return r.rows
}

const pick = (a: TPromptVersionsAnswer) =>
  a.rows.map((r) => ({
    step: r.step,
    prompt_version: r.prompt_version,
    calls: r.calls,
    runs: r.runs,
    tokens_in: r.tokens_in,
    cached_tokens_in: r.cached_tokens_in,
    tokens_out: r.tokens_out,
    cost_usd: r.cost_usd,
  }))
const byKey = <T extends { step: string; prompt_version: string }>(xs: T[]) =>
  [...xs].sort((x, y) => (x.step + '\u0000' + x.prompt_version < y.step + '\u0000' + y.prompt_version ? -1 : 1))

beforeAll(async () => {
  ;({ prefix } = await useTestServices('keyed_rollups'))
  orgId = (await createOrgWithAdmin({ org_name: 'Keyed Co', email: 'keyed@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId)
  ingestKey = (await createTestApiKey(orgId, { name: 'i', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'r', scopes: ['read'] })).key
  writeKey = (await createTestApiKey(orgId, { name: 'w', scopes: ['write'] })).key
  worker = new Worker(QUEUE_INGEST, ingestProcessor, { connection: workerConnection(), prefix, concurrency: 2 })
  await prices('1')
})
afterAll(async () => {
  await worker?.close()
  await closeQueues()
  await closeDb()
})

describe('GET /api/v1/prompt-versions and GET /api/v1/end-users', () => {
  it('answer empty lists before any event', async () => {
    expect((await versions()).rows).toEqual([])
    expect(await users()).toMatchObject({ users_counted: 0, total_cost_usd: '0.000000', users: [] })
  })

  it('by prompt version: equal to SQL over the events, across batches, a duplicate id and a run in two batches counted once', async () => {
    const first = [
      ev(at(4), 'generate', { prompt_version: 'v1', run_id: 'r0', user_id: 'u1', account_id: 'acme' }), // before the range
      ev(at(6), 'generate', { prompt_version: 'v1', run_id: 'r1', user_id: 'u1', account_id: 'acme' }),
      ev(at(6, 1), 'generate', { prompt_version: 'v1', run_id: 'r1', outcome: 'retry', user_id: 'u1', account_id: 'acme' }),
      ev(at(7), 'classify', { prompt_version: 'c3', run_id: 'r1', user_id: 'u2', account_id: 'acme' }),
      ev(at(8), 'generate', { run_id: 'r2', user_id: 'u3', account_id: 'acme' }), // no version: not in the version view
      ev(at(30), 'generate', { prompt_version: 'v2', run_id: 'r3', user_id: 'u4', account_id: 'acme' }),
      ev(at(31), 'generate', { prompt_version: 'v2', run_id: 'r4', environment: 'staging', user_id: 'u5', account_id: 'acme' }),
      ev(at(32), 'generate', { prompt_version: 'v2', model: 'unpriced-1', run_id: 'r4', user_id: 'u6' }), // unpriced, no account
      ev(at(57, 30), 'generate', { prompt_version: 'v2', run_id: 'r5', user_id: 'u7', account_id: 'acme' }), // the last hour
      ev(at(58), 'generate', { prompt_version: 'v2', run_id: 'r6', user_id: 'u1', account_id: 'acme' }), // after the range
    ]
    expect(await post(first)).toMatchObject({ accepted: 10 })
    const dup = { ...first[1], tokens_out: 99_999 }
    const second = [
      dup, // a duplicate id: counted once
      ev(at(31, 30), 'generate', { prompt_version: 'v2', run_id: 'r3', user_id: 'u4', account_id: 'acme' }), // r3 again: one run
      ev(at(40), 'generate', { prompt_version: 'v2', run_id: 'r7', user_id: 'big', account_id: 'acme', tokens_in: 900_000 }),
      ev(at(41), 'generate', { prompt_version: 'v2', run_id: 'r7', user_id: 'big', account_id: 'acme', tokens_in: 900_000 }),
      ev(at(5, 30), 'generate', { prompt_version: 'v1', run_id: 'r1', user_id: 'u1', account_id: 'acme' }), // older than r1's first: r1 still one run
      ev(at(9), 'classify', { prompt_version: 'c3', run_id: 'r8', user_id: 'x1', account_id: 'globex' }),
    ]
    expect(await post(second)).toMatchObject({ accepted: 5, duplicates: 1 })

    const a = await versions()
    expect(a.from).toBe(FROM)
    expect(a.to).toBe(TO)
    const sql = await versionsBySql()
    expect(byKey(pick(a))).toEqual(sql)
    const v2 = a.rows.find((r) => r.step === 'generate' && r.prompt_version === 'v2')!
    expect(v2).toMatchObject({ runs: 4, unpriced_events: 1 }) // r3, r4, r5, r7 (r4 staging)
    expect(v2.cost_per_run_usd).not.toBeNull()
    // the versions of a step, first seen first
    expect(a.rows.filter((r) => r.step === 'generate').map((r) => r.prompt_version)).toEqual(['v1', 'v2'])
    // a filter by environment, and another workflow
    const prod = await versions(`workflow_id=support&from=${FROM}&to=${TO}&environment=production`)
    expect(prod.rows.find((r) => r.prompt_version === 'v2')!.calls).toBe(v2.calls - 1)
    expect((await versions(`workflow_id=other&from=${FROM}&to=${TO}`)).rows).toEqual([])
  })

  it('by end user: equal to SQL over the events, with the median and the flag', async () => {
    // five more users of acme, so the account has enough users for the flag
    await post(['u8', 'u9', 'u10', 'u11', 'u12'].map((u, i) => ev(at(20 + i), 'generate', { user_id: u, account_id: 'acme', run_id: `r-${u}` })))
    const sql = await usersBySql()
    const a = await users()
    expect(a.users.map((u) => ({ account_id: u.account_id, user_id: u.user_id, calls: u.calls, cost_usd: u.cost_usd }))).toEqual(
      sql.map((r) => ({ account_id: r.account_id, user_id: r.user_id, calls: r.calls, cost_usd: r.cost_usd })),
    )
    expect(a.users.map((u) => [u.user_id, u.account_median_cost_usd, u.flagged])).toEqual(sql.map((r) => [r.user_id, r.median, r.flagged]))
    expect(a.users_counted).toBe(sql.length)
    const big = a.users.find((u) => u.user_id === 'big')!
    expect(big.flagged).toBe(true)
    expect(a.users.filter((u) => u.flagged).map((u) => u.user_id)).toEqual(['big'])
    // one account, and the top N
    const acme = await users(`from=${FROM}&to=${TO}&account_id=acme&limit=3`)
    expect(acme.users.map((u) => u.user_id)).toEqual((await usersBySql('acme')).slice(0, 3).map((r) => r.user_id))
    expect(acme.users_counted).toBe((await usersBySql('acme')).length)
    expect(acme.users[0].share_of_account).toBeGreaterThan(0.5)
  })

  it('follows a re-pricing to the micro-dollar', async () => {
    const before = await versions()
    await prices('3')
    const after = await versions()
    expect(byKey(pick(after))).toEqual(await versionsBySql())
    expect(after.rows[0].cost_usd).not.toBe(before.rows[0].cost_usd)
    const sql = await usersBySql()
    expect((await users()).users.map((u) => [u.user_id, u.cost_usd])).toEqual(sql.map((r) => [r.user_id, r.cost_usd]))
  })

  it('the migration’s backfill SQL gives the rollups the worker kept', async () => {
    const migration = await import('node:fs').then((fs) =>
      ['20261210400000_prompt_version_and_user_rollups', '20261212200000_weekly_user_rollups']
        .map((m) => fs.readFileSync(`prisma/migrations/${m}/migration.sql`, 'utf8'))
        .join('\n'),
    )
    const snapshot = async () =>
      Promise.all(
        [
          'SELECT workflow_id, step, prompt_version, run_id FROM prompt_version_runs WHERE org_id = $1 ORDER BY 1, 2, 3, 4',
          // runs: the worker counts a run in the hour of its earliest call in the batch that first brings it (as the
          // runs table does), the backfill in the hour of its earliest call: r1's older call, sent later, moves it an hour
          `SELECT hour, environment, traffic_source, workflow_id, step, prompt_version, events::int, tokens_in::int, cached_tokens_in::int,
             tokens_out::int, unpriced_events::int, round(cost_usd, 6)::text AS cost FROM rollups_hourly_prompts WHERE org_id = $1 ORDER BY 1, 2, 3, 4, 5, 6`,
          `SELECT workflow_id, step, prompt_version, sum(runs)::int AS runs FROM rollups_hourly_prompts WHERE org_id = $1 GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
          `SELECT day, environment, traffic_source, workflow_id, step, prompt_version, events::int, tokens_out::int, round(cost_usd, 6)::text AS cost
             FROM rollups_daily_prompts WHERE org_id = $1 ORDER BY 1, 2, 3, 4, 5, 6`,
          `SELECT hour, environment, traffic_source, account_id, user_id, events::int, tokens_in::int, unpriced_events::int, round(cost_usd, 6)::text AS cost
             FROM rollups_hourly_users WHERE org_id = $1 ORDER BY 1, 2, 3, 4, 5`,
          `SELECT day, environment, traffic_source, account_id, user_id, events::int, round(cost_usd, 6)::text AS cost
             FROM rollups_daily_users WHERE org_id = $1 ORDER BY 1, 2, 3, 4, 5`,
          `SELECT week, environment, traffic_source, account_id, user_id, events::int, tokens_out::int, unpriced_events::int, round(cost_usd, 6)::text AS cost
             FROM rollups_weekly_users WHERE org_id = $1 ORDER BY 1, 2, 3, 4, 5`,
        ].map(async (q) => (await ownerPool().query(q, [orgId])).rows),
      )
    const kept = await snapshot()
    expect(kept[1].length).toBeGreaterThan(0)
    expect(kept[6].length).toBeGreaterThan(0)
    // rebuild from the events with the migration's own statements (this database holds only this test's organization)
    const tables = [
      'prompt_version_runs',
      'rollups_hourly_prompts',
      'rollups_daily_prompts',
      'rollups_hourly_users',
      'rollups_daily_users',
      'rollups_weekly_users',
    ]
    for (const t of tables) await ownerPool().query(`DELETE FROM ${t}`)
    const inserts = migration
      .split(';')
      .map((s) => s.replace(/^\s*--.*$/gm, '').trim())
      .filter((s) => s.startsWith('INSERT INTO'))
    expect(inserts).toHaveLength(6)
    for (const s of inserts) await ownerPool().query(s)
    expect(await snapshot()).toEqual(kept)
  })

  it('end users over weeks: whole ISO weeks from the weekly table, the days and hours around them, equal to the events', async () => {
    // calls of four users of two accounts, one every 5 h 10 min over the 20 days before the first test's days
    const D = 86_400_000
    const events: TEv[] = []
    for (let i = 0, t = T0 - 20 * D; t < T0; i++, t += 5 * HOUR + 10 * 60_000) {
      events.push(ev(new Date(t).toISOString(), 'answer', { account_id: i % 3 ? 'acme' : 'globex', user_id: `w${i % 4}`, tokens_out: 100 + (i % 9) * 37 }))
    }
    await post(events)
    // a range holding at least one whole ISO week, starting and ending mid-day
    const from = new Date(T0 - 18 * D + 7 * HOUR).toISOString()
    const to = new Date(T0 - 2 * D - 5 * HOUR).toISOString()
    const weekly = await ownerPool().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM rollups_weekly_users WHERE org_id = $1 AND week >= $2 AND week + interval '7 days' <= $3`,
      [orgId, new Date(T0 - 17 * D).toISOString(), new Date(T0 - 2 * D).toISOString()],
    )
    expect(weekly.rows[0].n).toBeGreaterThan(0) // the writers keep the weekly table, and the range holds its weeks
    for (const account of [null, 'acme']) {
      const q = `from=${from}&to=${to}${account ? `&account_id=${account}` : ''}`
      const a = await users(q)
      const sql = await usersBySql(account, from, to)
      expect(a.users.map((u) => [u.account_id, u.user_id, u.calls, u.cost_usd])).toEqual(sql.map((r) => [r.account_id, r.user_id, r.calls, r.cost_usd]))
      expect(a.users_counted).toBe(sql.length)
    }
    // and a range with no whole week (the days read from the daily table alone) still adds up
    const short = { from: new Date(T0 - 9 * D + 3 * HOUR).toISOString(), to: new Date(T0 - 6 * D).toISOString() }
    const b = await users(`from=${short.from}&to=${short.to}`)
    expect(b.users.map((u) => [u.user_id, u.cost_usd])).toEqual((await usersBySql(null, short.from, short.to)).map((r) => [r.user_id, r.cost_usd]))
  })

  it('end users over ragged weeks: each end read as its whole week minus the other days, equal to the events', async () => {
    const D = 86_400_000
    // the Monday on or after 33 days before T0 (T0 is a midnight): the range runs from the Tuesday 07:00 before it to
    // the Saturday 13:00 of the week after it, so both ends have five or more ragged days beside a whole week
    const dow = (new Date(T0 - 33 * D).getUTCDay() + 6) % 7 // 0 = Monday
    const M = T0 - 33 * D + ((7 - dow) % 7) * D
    const from = new Date(M - 6 * D + 7 * HOUR).toISOString()
    const to = new Date(M + 12 * D + 13 * HOUR).toISOString()
    const plan = endUsersPlan({ from: new Date(from), to: new Date(to) })
    expect(plan.weekly).toEqual({ table: 'rollups_weekly_users', from: new Date(M), to: new Date(M + 7 * D) })
    expect(plan.complement?.weeks).toEqual([
      { from: new Date(M - 7 * D), to: new Date(M) },
      { from: new Date(M + 7 * D), to: new Date(M + 14 * D) },
    ])
    // calls of five users of two accounts every 4 h 50 min from 41 to 20 days before T0, one user whose only call is on
    // the Monday the range leaves out before it, one whose only call is on the Sunday it leaves out after it, and one
    // with calls inside the range and in the hours before it on its first day
    const events: TEv[] = []
    for (let i = 0, t = T0 - 41 * D; t < T0 - 20 * D; i++, t += 4 * HOUR + 50 * 60_000) {
      events.push(ev(new Date(t).toISOString(), 'answer', { account_id: i % 2 ? 'acme' : 'globex', user_id: `x${i % 5}`, tokens_out: 90 + (i % 7) * 41 }))
    }
    events.push(ev(new Date(M - 7 * D + 10 * HOUR).toISOString(), 'answer', { account_id: 'acme', user_id: 'only-left-out-monday' }))
    events.push(ev(new Date(M + 13 * D + 10 * HOUR).toISOString(), 'answer', { account_id: 'acme', user_id: 'only-left-out-sunday' }))
    events.push(ev(new Date(M - 6 * D + 3 * HOUR).toISOString(), 'answer', { account_id: 'globex', user_id: 'early' }))
    events.push(ev(new Date(M + 2 * D).toISOString(), 'answer', { account_id: 'globex', user_id: 'early' }))
    await post(events)
    for (const account of [null, 'acme', 'globex']) {
      const a = await users(`from=${from}&to=${to}${account ? `&account_id=${account}` : ''}`)
      const sql = await usersBySql(account, from, to)
      expect(sql.length).toBeGreaterThan(1)
      expect(a.users.map((u) => [u.account_id, u.user_id, u.calls, u.cost_usd])).toEqual(sql.map((r) => [r.account_id, r.user_id, r.calls, r.cost_usd]))
      expect(a.users_counted).toBe(sql.length)
      expect(a.users.map((u) => u.user_id)).not.toContain('only-left-out-monday')
      expect(a.users.map((u) => u.user_id)).not.toContain('only-left-out-sunday')
    }
    expect((await usersBySql('globex', from, to)).find((r) => r.user_id === 'early')?.calls).toBe(1)
  })
})
