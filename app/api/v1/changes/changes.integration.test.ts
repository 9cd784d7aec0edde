import { DAY_MS, HOUR_MS, micros } from '@/lib/domain'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { putOrgPrices } from '@/lib/prices'
import { ZPricesPut } from '@/lib/prices/schema'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { fromScaled } from '@/lib/cost/money'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as getChanges } from '@/app/api/v1/changes/route'
import type { TChangesResponse } from '@/lib/changes/query'

// GET /api/v1/changes against events sent through the real ingest route and
// processed by the real pipeline; totals checked against SQL on the raw events.

let orgId = ''
let ingestKey = ''
let readKey = ''
let otherReadKey = ''
// Two 7-day periods ending at the start of the current hour.
const bTo = new Date(Math.floor(Date.now() / HOUR_MS) * HOUR_MS)
const bFrom = new Date(bTo.getTime() - 7 * DAY_MS)
const aTo = bFrom
const aFrom = new Date(aTo.getTime() - 7 * DAY_MS)
const periodsQs = `a_from=${aFrom.toISOString()}&a_to=${aTo.toISOString()}&b_from=${bFrom.toISOString()}&b_to=${bTo.toISOString()}`

const req = apiRequest

type TEv = Record<string, unknown>
let seq = 0
const at = (start: Date, i: number) => new Date(start.getTime() + 2 * HOUR_MS + (i % 100) * HOUR_MS).toISOString()
function events(period: 'a' | 'b', n: number, over: TEv, runPrefix?: string): TEv[] {
  const start = period === 'a' ? aFrom : bFrom
  return Array.from({ length: n }, (_, i) => ({
    id: `e${++seq}`,
    timestamp: at(start, i),
    environment: 'production',
    account_id: i % 2 ? 'acme' : 'globex',
    ...(runPrefix ? { run_id: `${runPrefix}-${period}-${i}` } : {}),
    ...over,
  }))
}

async function send(evs: TEv[]) {
  for (let i = 0; i < evs.length; i += 500) {
    const res = await postEvents(req('/api/v1/events', { method: 'POST', key: ingestKey, body: JSON.stringify({ events: evs.slice(i, i + 500) }) }))
    expect(res.status).toBe(202)
    expect((await res.json()).rejected).toEqual([])
  }
  for (const id of await pendingBatches(0)) await processBatch(id)
}

const sqlSpend = async (from: Date, to: Date, extra = '', params: unknown[] = []) =>
  (
    await ownerPool().query<{ cost: string }>(
      `SELECT round(coalesce(sum(cost_usd), 0), 6)::text AS cost FROM inference_events WHERE org_id = $1 AND "timestamp" >= $2 AND "timestamp" < $3 ${extra}`,
      [orgId, from.toISOString(), to.toISOString(), ...params],
    )
  ).rows[0].cost

beforeAll(async () => {
  await useTestServices('changes')
  const o = await createOrgWithAdmin({ org_name: 'Changes Co', email: 'changes@example.com', password: 'password-123' })
  setTestDefaultOrg(o.org.id) // the tests' own calls of lib functions run for this organization
  orgId = o.org.id
  const other = await createOrgWithAdmin({ org_name: 'Elsewhere', email: 'elsewhere@example.com', password: 'password-123' })
  ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  otherReadKey = (await createTestApiKey(other.org.id, { name: 'read', scopes: ['read'] })).key
  // A self-hosted model whose price doubles at the start of period B.
  await putOrgPrices(
    orgId,
    ZPricesPut.parse({
      prices: [
        { provider: 'selfhost', model: 'house-llm', effective_from: aFrom.toISOString(), input_per_mtok: '1', output_per_mtok: '2' },
        { provider: 'selfhost', model: 'house-llm', effective_from: bFrom.toISOString(), input_per_mtok: '2', output_per_mtok: '4' },
      ],
    }),
  )

  const gen = { workflow_id: 'support-agent', step: 'generate', provider: 'openai', model: 'gpt-4o-mini', tokens_in: 1000, tokens_out: 100 }
  const draft = { workflow_id: 'email-drafter', step: 'draft', provider: 'openai', tokens_in: 2000, tokens_out: 300 }
  const score = { workflow_id: 'lead-qualifier', step: 'score', provider: 'selfhost', model: 'house-llm', tokens_in: 5000, tokens_out: 50 }
  await send([
    // support-agent: runs double (volume) and output tokens per call double (tokens); B adds a retry storm
    ...events('a', 40, gen, 'sa'),
    ...events('b', 80, { ...gen, tokens_out: 200 }, 'sa'),
    ...events('b', 30, { ...gen, outcome: 'retry', attempt: 1 }),
    // email-drafter: the draft step moves from gpt-4o to gpt-4.1 (mix)
    ...events('a', 20, { ...draft, model: 'gpt-4o' }, 'ed'),
    ...events('b', 20, { ...draft, model: 'gpt-4.1' }, 'ed'),
    // lead-qualifier: same calls and tokens, the price doubles (price)
    ...events('a', 25, score, 'lq'),
    ...events('b', 25, score, 'lq'),
    // outside both periods: never counted
    { id: 'old', timestamp: new Date(aFrom.getTime() - DAY_MS).toISOString(), ...gen },
  ])
})
afterAll(async () => {
  await closeQueues()
  await closeDb()
})

const get = async (qs: string, key = readKey) => getChanges(req(`/api/v1/changes?${qs}`, { key }))

describe('GET /api/v1/changes', () => {
  it('splits the delta into parts that add up to the SQL totals of the raw events', async () => {
    const res = await get(periodsQs)
    expect(res.status).toBe(200)
    const body = (await res.json()) as TChangesResponse
    const [sqlA, sqlB] = [await sqlSpend(aFrom, aTo), await sqlSpend(bFrom, bTo)]
    expect(micros(sqlA)).toBeGreaterThan(0n)
    expect(body.a.cost_usd).toBe(sqlA)
    expect(body.b.cost_usd).toBe(sqlB)
    expect(body.delta_usd).toBe(fromScaled(micros(sqlB) - micros(sqlA), 6))
    expect(
      fromScaled(
        body.parts.reduce((s, p) => s + micros(p.usd), 0n),
        6,
      ),
    ).toBe(body.delta_usd)
    expect(body.parts.map((p) => p.part)).toEqual(['volume', 'tokens', 'mix', 'price', 'retries'])

    const part = (name: string) => micros(body.parts.find((p) => p.part === name)!.usd)
    // each scenario lands in its part, measured from the raw events it moved
    const retrySpend = await sqlSpend(bFrom, bTo, `AND outcome = 'retry'`)
    expect(part('retries')).toBe(micros(retrySpend))
    const scoreA = await sqlSpend(aFrom, aTo, `AND workflow_id = 'lead-qualifier'`)
    const scoreB = await sqlSpend(bFrom, bTo, `AND workflow_id = 'lead-qualifier'`)
    expect(part('price')).toBe(micros(scoreB) - micros(scoreA))
    const draftA = await sqlSpend(aFrom, aTo, `AND workflow_id = 'email-drafter'`)
    const draftB = await sqlSpend(bFrom, bTo, `AND workflow_id = 'email-drafter'`)
    expect(part('mix')).toBe(micros(draftB) - micros(draftA))
    // support-agent: 40 → 80 runs at A's cost per call, then 100 → 200 output tokens per call
    const genA = await sqlSpend(aFrom, aTo, `AND workflow_id = 'support-agent'`)
    expect(part('volume')).toBe(micros(genA))
    expect(part('tokens')).toBeGreaterThan(0n)
    expect(body.parts.find((p) => p.part === 'tokens')!.explanation).toContain(
      'support-agent/generate (openai/gpt-4o-mini): input 1,000 → 1,000, output 100 → 200',
    )
    expect(body.parts.find((p) => p.part === 'volume')!.explanation).toContain('runs of support-agent: 40 → 80')

    expect(body.a.runs).toBe(85)
    expect(body.b.events).toBe(155)
    const wf = body.contributors.workflows
    expect(wf.map((w) => w.key).sort()).toEqual(['email-drafter', 'lead-qualifier', 'support-agent'])
    expect(
      fromScaled(
        wf.reduce((s, w) => s + micros(w.delta_usd), 0n),
        6,
      ),
    ).toBe(body.delta_usd)
    expect(body.contributors.accounts.map((x) => x.key).sort()).toEqual(['acme', 'globex'])
    // the accounts list sums its own read (per account, not the decomposition's pooled cells): each figure is the SQL sum of that account's events
    for (const x of body.contributors.accounts) {
      expect(x.a_usd).toBe(await sqlSpend(aFrom, aTo, `AND account_id = $4`, [x.key]))
      expect(x.b_usd).toBe(await sqlSpend(bFrom, bTo, `AND account_id = $4`, [x.key]))
    }
    expect(body.contributors.models.map((x) => x.key)).toContain('openai/gpt-4.1')
  })

  it('scopes to a workflow or an account, like the same SQL filter', async () => {
    const wf = (await (await get(`${periodsQs}&workflow_id=support-agent`)).json()) as TChangesResponse
    expect(wf.a.cost_usd).toBe(await sqlSpend(aFrom, aTo, `AND workflow_id = $4`, ['support-agent']))
    expect(wf.b.cost_usd).toBe(await sqlSpend(bFrom, bTo, `AND workflow_id = $4`, ['support-agent']))
    expect(wf.contributors.workflows.map((w) => w.key)).toEqual(['support-agent'])
    const acct = (await (await get(`${periodsQs}&account_id=acme&environment=production`)).json()) as TChangesResponse
    expect(acct.b.cost_usd).toBe(await sqlSpend(bFrom, bTo, `AND account_id = $4`, ['acme']))
    expect(
      fromScaled(
        acct.parts.reduce((s, p) => s + micros(p.usd), 0n),
        6,
      ),
    ).toBe(acct.delta_usd)
    const none = (await (await get(`${periodsQs}&traffic_source=eval`)).json()) as TChangesResponse
    expect(none).toMatchObject({ delta_usd: '0.000000', delta_ratio: null, a: { cost_usd: '0.000000' } })
  })

  it('shows nothing of the organization to another one', async () => {
    const body = (await (await get(periodsQs, otherReadKey)).json()) as TChangesResponse
    expect(body.a.events + body.b.events).toBe(0)
  })

  it('rejects missing and wrong parameters field by field', async () => {
    const res = await get(`a_from=2026-13-01&b_from=${bFrom.toISOString()}&b_to=${bFrom.toISOString()}&environment=prod&colour=red`)
    expect(res.status).toBe(400)
    const errors: string[] = (await res.json()).error.details.errors
    expect(errors).toEqual(
      expect.arrayContaining([
        'a_from: must be an ISO-8601 date or date-time',
        'a_to: is required',
        expect.stringMatching(/^environment: values must be among: production/),
        'colour: unknown field',
      ]),
    )
    const order = await get(`a_from=2026-11-10&a_to=2026-11-03&b_from=2026-11-10&b_to=2026-11-17`)
    expect((await order.json()).error.details.errors).toEqual(['a_to: must be after a_from'])
    expect((await get(periodsQs, ingestKey)).status).toBe(403)
  })
})
