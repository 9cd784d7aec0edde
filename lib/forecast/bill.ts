import 'server-only'
import { micros, microsToUsd, DAY_MS } from '@/lib/domain'
import { wholeBill } from '@/lib/finance/whole-bill'
import { listPools } from '@/lib/gpu'
import { monthlyMicros, poolCost } from '@/lib/gpu/cost'
import { versionsOf } from '@/lib/gpu/summary'
import { listLineItems } from '@/lib/gpu/scenarios'
import type { TBillForecast, TBillPeriodForecast, TForecast, TPeriodForecast } from '@/lib/forecast/schema'
import type { TWholeBill } from '@/lib/finance/schema'
import { partsOf } from '@/lib/finance/parts'

// The organization's forecast of the whole bill, not only of events: the GPU
// pools' capacity is known from their sizes and prices (and versions already
// scheduled), the line items are known per month, and only API inference is a
// model estimate (the event forecast, less the share of event spend paid through
// the pools' capacity to date).

const monthKey = (t: number) => new Date(t).toISOString().slice(0, 7)

export async function billForecast(orgId: string, f: TForecast, now = new Date()): Promise<TBillForecast> {
  const asOf = Date.parse(f.as_of)
  const d = new Date(asOf)
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
  const q = Math.floor(d.getUTCMonth() / 3) * 3
  const quarterStart = Date.UTC(d.getUTCFullYear(), q, 1)
  const [pools, items, monthToDate, quarterToDate] = await Promise.all([
    listPools(orgId, now),
    listLineItems(orgId),
    wholeBill(orgId, { from: new Date(monthStart), to: new Date(asOf) }, now),
    wholeBill(orgId, { from: new Date(quarterStart), to: new Date(asOf) }, now),
  ])
  const itemsOf = (from: number, to: number) => {
    const months = new Set<string>()
    for (let t = from; t < to; t = Date.UTC(new Date(t).getUTCFullYear(), new Date(t).getUTCMonth() + 1, 1)) months.add(monthKey(t))
    return items.filter((i) => months.has(i.month)).reduce((s, i) => s + micros(i.amount_usd), 0n)
  }
  const capacity = (from: number, to: number) => pools.reduce((s, p) => s + poolCost(versionsOf(p), new Date(from), new Date(to)).cost_micros, 0n)

  const period = (start: number, toDate: TWholeBill, events: TPeriodForecast): TBillPeriodForecast => {
    const end = Date.parse(events.end)
    const actual = {
      api: micros(toDate.api_inference_usd),
      gpu: micros(toDate.gpu_capacity_usd),
      items: micros(toDate.line_items_usd),
    }
    const base = {
      end: events.end,
      actual_to_date: partsOf(toDate),
    }
    if (events.forecast_usd === null) return { ...base, forecast: null, lower_total_usd: null, upper_total_usd: null }
    // the share of event spend that is API inference (the rest is GPU time on the pools, paid in their capacity)
    const eventsToDate = micros(events.actual_to_date_usd)
    const share = eventsToDate > 0n && actual.api < eventsToDate ? Number(actual.api) / Number(eventsToDate) : 1
    const ahead = (usd: string) => BigInt(Math.round((Number(usd) - Number(events.actual_to_date_usd)) * share * 1e6))
    const gpu = actual.gpu + capacity(asOf, end)
    const lineItems = itemsOf(start, end)
    const known = gpu + lineItems
    const api = actual.api + ahead(events.forecast_usd)
    return {
      ...base,
      forecast: {
        api_inference_usd: microsToUsd(api),
        gpu_capacity_usd: microsToUsd(gpu),
        line_items_usd: microsToUsd(lineItems),
        total_usd: microsToUsd(api + known),
      },
      lower_total_usd: microsToUsd(actual.api + ahead(events.lower_usd!) + known),
      upper_total_usd: microsToUsd(actual.api + ahead(events.upper_usd!) + known),
    }
  }
  return {
    month_end: period(monthStart, monthToDate, f.month_end),
    quarter_end: period(quarterStart, quarterToDate, f.quarter_end),
    run_rate: {
      gpu_capacity_per_month_usd: microsToUsd(
        pools.reduce((s, p) => s + monthlyMicros(p.current ? { gpu_count: p.current.gpu_count, gpu_hour_usd: p.current.effective_gpu_hour_usd } : null), 0n),
      ),
      line_items_this_month_usd: microsToUsd(itemsOf(monthStart, monthStart + DAY_MS)),
    },
  }
}
