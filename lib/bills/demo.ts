import 'server-only'
import { micros, microsToUsd } from '@/lib/domain'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { importBill } from '@/lib/bills/import'
import { DAY_MS } from '@/lib/domain'
import type { TDemoEvent } from '@/lib/demo/generate'

// The demo organization's bills (lib/demo/seed.ts): last month's OpenAI and Anthropic invoices as the providers
// would send them, built from the demo's own computed cost, with two differences that give Reconciliation a story:
// OpenAI raised gpt-4.1's price by 8% for the second half of the billed days (Outlay's price table still has the
// old one), and Anthropic bills claude-3-5-haiku traffic from a service that never reports to Outlay (billed spend
// no event explains). When the demo's days do not reach last month (a short demo late in a month), the bills are
// this month's so far, as the providers' month-to-date cost reports: the story is there whatever the date.
// OpenAI's bill also charges a fine-tuned model Outlay has no price for (UNPRICED: its events count $0, the
// bill prices their tokens at the fine-tune's rates), so Reconciliation names unpriced events as the cause.

const PRICE_CHANGE = { provider: 'openai', model: 'gpt-4.1', percent: 108n }
export const UNPRICED = {
  provider: 'openai',
  model: 'ft:gpt-4.1-mini-2025-04-14:demo-co:sentiment:B7x2kQ',
  workflow: 'feedback-sentiment',
  callsPerDay: 24,
  // what OpenAI charges for the fine-tune per million tokens (no catalog entry has it)
  inputPerMtok: 80n, // tenths of a dollar: $0.80
  outputPerMtok: 32n, // $3.20
}
const UNREPORTED = { provider: 'anthropic', model: 'claude-3-5-haiku-20241022', usdPerDay: '0.420000', lastDays: 10 }

async function costByDay(orgId: string, from: Date, to: Date) {
  const { rows } = await queryMetrics(
    orgId,
    ZMetricsQuery.parse({
      from: from.toISOString(),
      to: to.toISOString(),
      group_by: 'provider,model',
      granularity: 'day',
      measures: 'cost_usd,tokens_in,tokens_out',
      limit: '100000',
    }),
  )
  return rows
}

export async function seedDemoBills(orgId: string, now: Date): Promise<string[]> {
  let from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1))
  let rows = await costByDay(orgId, from, new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)))
  if (rows.length === 0) {
    from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1))
    rows = await costByDay(orgId, from, now)
  }
  const month = from.toISOString().slice(0, 7)
  // the price change starts halfway through the billed days of the changed model
  const changedDays = [...new Set(rows.filter((r) => r.model === PRICE_CHANGE.model && r.bucket).map((r) => r.bucket!.slice(0, 10)))].sort()
  const changeFrom = changedDays[Math.floor(changedDays.length / 2)] ?? '9999-12-31'
  const sources: string[] = []
  for (const provider of [PRICE_CHANGE.provider, UNREPORTED.provider]) {
    const lines = ['date,provider,model,cost_usd,description']
    const days = new Set<string>()
    for (const r of rows) {
      if (r.provider !== provider || !r.model || !r.bucket) continue
      const day = r.bucket.slice(0, 10)
      days.add(day)
      let cost = micros(r.cost_usd)
      if (r.model === PRICE_CHANGE.model && day >= changeFrom) cost = (cost * PRICE_CHANGE.percent) / 100n
      // micro-dollars: tokens × tenths of a dollar per million ÷ 10
      if (r.model === UNPRICED.model) cost = (BigInt(r.tokens_in) * UNPRICED.inputPerMtok + BigInt(r.tokens_out) * UNPRICED.outputPerMtok) / 10n
      lines.push(`${day},${provider},${r.model},${microsToUsd(cost)},usage`)
    }
    if (days.size === 0) continue
    if (provider === UNREPORTED.provider)
      for (const day of [...days].sort().slice(-UNREPORTED.lastDays))
        lines.push(`${day},${provider},${UNREPORTED.model},${UNREPORTED.usdPerDay},batch summaries (another service)`)
    const source = `${provider}-${month}`
    const req = new Request('http://demo.invalid/api/v1/bills', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: lines.join('\n') })
    await importBill(orgId, { source }, req)
    sources.push(source)
  }
  return sources
}

/**
 * The fine-tuned model's calls: a small sentiment workflow over customer feedback, UNPRICED.callsPerDay calls a
 * day spread over the day, on the demo's days before this month (the month the bills cover), or this month's when
 * the demo's days do not reach last month. Sent through the ingest API with the rest of the demo.
 */
export function demoUnpricedEvents(now: Date, days: number): TDemoEvent[] {
  const monthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)
  const lastMonthStart = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1)
  const first = Math.max(Date.parse(new Date(now.getTime() - days * DAY_MS).toISOString().slice(0, 10)), lastMonthStart)
  const end = first < monthStart ? monthStart : now.getTime()
  const events: TDemoEvent[] = []
  for (let day = first; day < end; day += DAY_MS) {
    const date = new Date(day).toISOString().slice(0, 10)
    for (let i = 0; i < UNPRICED.callsPerDay; i++) {
      const t = day + Math.floor(((i + 0.5) / UNPRICED.callsPerDay) * DAY_MS)
      if (t > now.getTime()) break
      events.push({
        id: `sentiment-${date}-${i}`,
        timestamp: new Date(t).toISOString(),
        environment: 'production',
        traffic_source: 'production',
        workflow_id: UNPRICED.workflow,
        run_id: `sentiment-${date}-${i}`,
        step: 'score',
        call_type: 'generation',
        feature: 'feedback-insights',
        provider: UNPRICED.provider,
        model: UNPRICED.model,
        tokens_in: 600 + ((i * 37) % 400),
        tokens_out: 8 + (i % 5),
        outcome: 'success',
        attempt: 1,
        latency_ms: 180 + ((i * 13) % 90),
        max_tokens: 16,
        owner: 'insights-team',
      })
    }
  }
  return events
}
