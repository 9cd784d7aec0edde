import { DAY_MS, HOUR_MS } from '@/lib/domain'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useTestServices, ownerPool, createTestApiKey } from '@/lib/testing/services'
import { apiRequest } from '@/lib/testing/http'
import { closeDb, setTestDefaultOrg } from '@/lib/db'
import { closeQueues } from '@/lib/queues'
import { createOrgWithAdmin } from '@/lib/orgs'
import { processBatch, pendingBatches } from '@/lib/ingest/process'
import { POST as postEvents } from '@/app/api/v1/events/route'
import { GET as getForecast } from '@/app/api/v1/forecast/route'
import { GET as getSummary } from '@/app/api/v1/forecast/summary/route'
import { GET as getBudgetOutlook } from '@/app/api/v1/forecast/budgets/route'
import { createBudget } from '@/lib/budgets'
import { loadPriceBook } from '@/lib/cost/pricebook'
import { divRound } from '@/lib/cost/money'

// 56 days of spend with a weekly pattern, sent through the ingest API; the
// forecast's recorded part must equal SQL on the events, and the model must
// find the pattern.

let orgId = ''
let readKey = ''
const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())
// gpt-4o-mini: 1M input tokens = $0.15; weekdays 4 calls, weekends 1, on two workflows, one account each
const callsOn = (dayIndex: number) =>
  [5, 6].includes(new Date(today - dayIndex * DAY_MS).getUTCDay() === 0 ? 6 : new Date(today - dayIndex * DAY_MS).getUTCDay() - 1) ? 1 : 4

beforeAll(async () => {
  await useTestServices('forecast')
  orgId = (await createOrgWithAdmin({ org_name: 'Forecast Co', email: 'forecast@example.com', password: 'password-123' })).org.id
  setTestDefaultOrg(orgId) // the tests' own calls of lib functions run for this organization
  const ingestKey = (await createTestApiKey(orgId, { name: 'ingest', scopes: ['ingest'] })).key
  readKey = (await createTestApiKey(orgId, { name: 'read', scopes: ['read'] })).key
  const events: Record<string, unknown>[] = []
  for (let d = 1; d <= 56; d++) {
    for (let i = 0; i < callsOn(d); i++) {
      for (const [wf, acct] of [
        ['support', 'acme'],
        ['search', 'globex'],
      ]) {
        events.push({
          id: `${wf}-${d}-${i}`,
          timestamp: new Date(today - d * DAY_MS + HOUR_MS * (i + 1)).toISOString(),
          workflow_id: wf,
          step: 's',
          account_id: acct,
          provider: 'openai',
          model: 'gpt-4o-mini',
          tokens_in: 1_000_000,
        })
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

describe('GET /api/v1/forecast', () => {
  it('records the month so far exactly as the events, and forecasts the rest with a band and a backtest', async () => {
    const r = await getForecast(apiRequest('/api/v1/forecast', { key: readKey }))
    expect(r.status).toBe(200)
    const f = await r.json()
    const monthStart = new Date(Date.UTC(new Date(today).getUTCFullYear(), new Date(today).getUTCMonth(), 1))
    const [{ usd }] = (
      await ownerPool().query(
        `SELECT coalesce(round(sum(cost_usd), 6), 0)::text AS usd FROM inference_events WHERE org_id = $1 AND timestamp >= $2 AND timestamp < $3`,
        [orgId, monthStart, new Date(today)],
      )
    ).rows
    expect(f.month_end.actual_to_date_usd).toBe(Number(usd).toFixed(6))
    expect(f.model).toMatchObject({ kind: 'holt_winters_additive', history_days: 56 })
    expect(f.backtest.mape).toBeLessThan(0.02) // the pattern is exact
    expect(Number(f.month_end.forecast_usd)).toBeGreaterThanOrEqual(Number(f.month_end.actual_to_date_usd))
    expect(Number(f.quarter_end.lower_usd)).toBeLessThanOrEqual(Number(f.quarter_end.forecast_usd))
    // tomorrow-ish points: weekdays ≈ $1.20 (2 workflows × 4 × $0.15), weekends ≈ $0.30
    const ahead = f.series.filter((p: { forecast_usd: string | null }) => p.forecast_usd !== null).slice(0, 7)
    const byDow = ahead.map((p: { day: string; forecast_usd: string }) => [new Date(p.day).getUTCDay(), Number(p.forecast_usd)])
    for (const [dow, v] of byDow) expect(v).toBeCloseTo(dow === 0 || dow === 6 ? 0.3 : 1.2, 1)
  })

  it('forecasts one workflow, and says why when a scope has no history', async () => {
    const one = await (await getForecast(apiRequest('/api/v1/forecast?workflow_id=support', { key: readKey }))).json()
    expect(one.scope).toEqual({ workflow_id: 'support', account_id: null })
    expect(one.model).not.toBeNull()
    const none = await (await getForecast(apiRequest('/api/v1/forecast?account_id=nobody', { key: readKey }))).json()
    expect(none).toMatchObject({ model: null, month_end: { actual_to_date_usd: '0.000000', forecast_usd: null } })
    expect(none.note).toMatch(/at least 14 days/)
    const bad = await getForecast(apiRequest('/api/v1/forecast?history_days=3&extra=1', { key: readKey }))
    expect(bad.status).toBe(400)
    expect((await bad.json()).error.details.errors).toEqual(expect.arrayContaining(['history_days: must be at least 14', 'extra: unknown field']))
  })

  it("holds this month's spend budgets against their scope's forecast", async () => {
    const base = {
      environment: null,
      account_id: null,
      feature: null,
      traffic_sources: ['production' as const],
      rolling_days: null,
      thresholds: [50, 100],
      hard_cutoff: false,
      cutoff_action: 'throttle' as const,
      throttle_per_minute: 60,
      owner: null,
      metric: 'spend' as const,
    }
    await createBudget(orgId, { ...base, name: 'tiny', workflow_id: 'support', period: 'month', amount_usd: '0.01' })
    await createBudget(orgId, { ...base, name: 'huge', workflow_id: null, period: 'month', amount_usd: '100000' })
    await createBudget(orgId, { ...base, name: 'daily', workflow_id: null, period: 'day', amount_usd: '1' })
    const { budgets } = await (await getBudgetOutlook(apiRequest('/api/v1/forecast/budgets', { key: readKey }))).json()
    expect(budgets.map((b: { name: string }) => b.name)).toEqual(['huge', 'tiny']) // month spend budgets only
    const tiny = budgets.find((b: { name: string }) => b.name === 'tiny')
    const huge = budgets.find((b: { name: string }) => b.name === 'huge')
    expect(huge).toMatchObject({ verdict: 'within', exceeds_on: null })
    expect(tiny.verdict).toBe('over')
    // a month with recorded spend already passed $0.01 by today; on the 1st of a month, the forecast passes it today
    expect(Date.parse(tiny.exceeds_on)).toBeLessThanOrEqual(today)
  })

  it('summarises every workflow and the top accounts', async () => {
    const { rows } = await (await getSummary(apiRequest('/api/v1/forecast/summary', { key: readKey }))).json()
    expect(rows.map((r: { kind: string; id: string }) => `${r.kind}/${r.id}`).sort()).toEqual([
      'account/acme',
      'account/globex',
      'workflow/search',
      'workflow/support',
    ])
    for (const r of rows) expect(r.month_end.forecast_usd).not.toBeNull()
  })
})

describe('GET /api/v1/forecast what-if', () => {
  const asOf = new Date(today)
  const windowFrom = new Date(today - 30 * DAY_MS)
  it('moves a step to another model: its 30 days of production calls priced on the target, the scenario shifted by the change per day', async () => {
    const r = await getForecast(apiRequest('/api/v1/forecast?move_workflow_id=support&move_step=s&move_to=openai/gpt-4o', { key: readKey }))
    expect(r.status).toBe(200)
    const f = await r.json()
    const [sums] = (
      await ownerPool().query(
        `SELECT count(*)::int AS calls, round(sum(cost_usd), 6)::text AS usd, sum(tokens_in)::text AS tin, sum(cached_tokens_in)::text AS tcached, sum(tokens_out)::text AS tout
       FROM inference_events WHERE org_id = $1 AND workflow_id = 'support' AND step = 's' AND traffic_source = 'production' AND timestamp >= $2 AND timestamp < $3`,
        [orgId, windowFrom, asOf],
      )
    ).rows
    const m = f.what_if.step_move
    expect(m).toMatchObject({
      workflow_id: 'support',
      step: 's',
      to: { provider: 'openai', model: 'gpt-4o' },
      calls: sums.calls,
      current_cost_usd: sums.usd,
      unpriced_calls: 0,
    })
    expect(m.current_models).toEqual([{ provider: 'openai', model: 'gpt-4o-mini', calls: sums.calls, cost_usd: sums.usd }])
    // the target: the price book's gpt-4o rates on the SQL token sums, in integer micro-dollars (USD/Mtok × tokens / 1e6)
    const p = (await loadPriceBook(orgId)).modelPrice('openai', 'gpt-4o', asOf)!
    const micro = (usdPerM: string, tokens: string) => (BigInt(Math.round(Number(usdPerM) * 1e6)) * BigInt(tokens)) / 1_000_000n
    const target = micro(p.input_per_mtok, sums.tin) + micro(p.output_per_mtok, sums.tout)
    expect(sums.tcached).toBe('0')
    expect(m.target_cost_usd).toBe((Number(target) / 1e6).toFixed(6))
    const delta = divRound(target - BigInt(Math.round(Number(sums.usd) * 1e6)), 30n) // half away from zero
    expect(m.delta_per_day_usd).toBe((Number(delta) / 1e6).toFixed(6))
    // every scenario day is the baseline day + the change per day; the month end sums them onto the exact month to date
    const ahead = f.series.filter((x: { forecast_usd: string | null }) => x.forecast_usd !== null)
    expect(f.what_if.series.map((x: { day: string }) => x.day)).toEqual(ahead.map((x: { day: string }) => x.day))
    f.what_if.series.forEach((x: { forecast_usd: string }, i: number) =>
      expect(x.forecast_usd).toBe(Math.max(0, Number(ahead[i].forecast_usd) + Number(delta) / 1e6).toFixed(6)),
    )
    const inMonth = f.what_if.series.filter((x: { day: string }) => Date.parse(x.day) < Date.parse(f.month_end.end))
    const monthMicros = inMonth.reduce(
      (a: bigint, x: { forecast_usd: string }) => a + BigInt(Math.round(Number(x.forecast_usd) * 1e6)),
      BigInt(Math.round(Number(f.month_end.actual_to_date_usd) * 1e6)),
    )
    expect(f.what_if.month_end.forecast_usd).toBe((Number(monthMicros) / 1e6).toFixed(6))
    expect(f.what_if.month_end.actual_to_date_usd).toBe(f.month_end.actual_to_date_usd)
  })

  it('grows traffic per month, and leaves the baseline as it was', async () => {
    const base = await (await getForecast(apiRequest('/api/v1/forecast', { key: readKey }))).json()
    const f = await (await getForecast(apiRequest('/api/v1/forecast?growth_pct=50', { key: readKey }))).json()
    expect(base.what_if).toBeUndefined()
    expect(f.month_end).toEqual(base.month_end)
    expect(f.what_if).toMatchObject({ growth_pct: 50, step_move: null })
    const k = (day: string) => Math.round((Date.parse(day) - today) / DAY_MS)
    const last = f.what_if.series.at(-1)
    const baseLast = base.series.at(-1)
    expect(Number(last.forecast_usd)).toBeCloseTo(Number(baseLast.forecast_usd) * Math.pow(1.5, k(last.day) / 30), 5)
    expect(Number(f.what_if.quarter_end.forecast_usd)).toBeGreaterThan(Number(base.quarter_end.forecast_usd))
  })

  it('says which what-if field is wrong', async () => {
    const errs = async (qs: string) => {
      const r = await getForecast(apiRequest(`/api/v1/forecast?${qs}`, { key: readKey }))
      expect(r.status).toBe(400)
      return (await r.json()).error.details.errors as string[]
    }
    expect(await errs('growth_pct=lots')).toEqual(['growth_pct: must be a number (percent per month)'])
    expect(await errs('growth_pct=-95')).toEqual(['growth_pct: must be at least -90'])
    expect(await errs('move_to=openai/gpt-4o')).toEqual(
      expect.arrayContaining([expect.stringMatching(/^move_workflow_id: is required/), expect.stringMatching(/^move_step: is required/)]),
    )
    expect(await errs('move_workflow_id=support&move_step=s&move_to=gpt-4o')).toEqual(['move_to: must be "provider/model"'])
    expect(await errs('move_workflow_id=support&move_step=s&move_to=nobody/no-such-model')).toEqual([
      expect.stringMatching(/^move_to: nobody\/no-such-model has no price/),
    ])
    expect(await errs('move_workflow_id=support&move_step=nope&move_to=openai/gpt-4o')).toEqual([
      expect.stringMatching(/^move_step: support \/ nope has no production calls/),
    ])
    expect(await errs('workflow_id=search&move_workflow_id=support&move_step=s&move_to=openai/gpt-4o')).toEqual([
      expect.stringMatching(/^move_workflow_id: must be the forecast's workflow/),
    ])
  })
})
