import 'server-only'
import { asOrg } from '@/lib/db'
import { DAY_MS } from '@/lib/domain'
import { log } from '@/lib/log'
import { queryMetrics, ZMetricsQuery } from '@/lib/metrics/query'
import { reconciliationRange } from '@/lib/bills/reconcile'
import { balanceToTotals, focusHeader, focusLines, focusRow, keyOfModel } from '@/lib/bills/focus'
import type { TFocusExportQuery } from '@/lib/bills/schema'

// GET /api/v1/exports/focus: the FOCUS CSV streamed a day at a time, each day one read of the cost rollups
// (queryMetrics grouped by provider, model and the attribution, granularity day), so a year of usage never sits
// in memory. The figures are the reconciliation's computed side, split by attribution: the file imported back as
// a bill (POST /api/v1/bills) reconciles to zero difference (lib/bills/focus.integration.test.ts).

const GROUP_BY = 'provider,model,workflow_id,step,account_id,feature,environment,traffic_source'
const MEASURES = 'cost_usd,tokens_in,tokens_out,gpu_seconds,unpriced_events'
/** Rows of one day at most (queryMetrics' own limit): past it the download fails rather than leave rows out. */
const DAY_ROW_LIMIT = 100_000

const nextDay = (day: string) => new Date(Date.parse(day) + DAY_MS).toISOString().slice(0, 10)

const metricsOf = (orgId: string, day: string, groupBy: string, measures: string) =>
  asOrg(orgId, () =>
    queryMetrics(
      orgId,
      ZMetricsQuery.parse({
        from: `${day}T00:00:00Z`,
        to: `${nextDay(day)}T00:00:00Z`,
        group_by: groupBy,
        granularity: 'day',
        measures,
        limit: String(DAY_ROW_LIMIT),
      }),
    ),
  )

/** One day's FOCUS lines (CSV text, possibly empty), each provider × model summing to the reconciliation's figure. */
async function dayLines(orgId: string, day: string): Promise<string> {
  const [{ rows }, totals] = await Promise.all([metricsOf(orgId, day, GROUP_BY, MEASURES), metricsOf(orgId, day, 'provider,model', 'cost_usd')])
  if (rows.length >= DAY_ROW_LIMIT) throw new Error(`${day} has more than ${DAY_ROW_LIMIT} attribution rows: export a narrower grouping`)
  const byModel = new Map(totals.rows.map((t) => [keyOfModel(t.provider, t.model), t.cost_usd ?? '0']))
  return focusLines(balanceToTotals(rows, byModel).map((r) => focusRow(orgId, day, r)))
}

/** The export's range (the reconciliation's defaults) and its CSV as a stream of UTF-8 bytes. */
export function focusExport(orgId: string, q: TFocusExportQuery, now = new Date()): { from: string; to: string; body: ReadableStream<Uint8Array> } {
  const { from, to } = reconciliationRange(q, now)
  const encoder = new TextEncoder()
  let day = from
  let started = false
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true
        controller.enqueue(encoder.encode(focusHeader()))
        return
      }
      try {
        // skip the days without usage: every pull enqueues something or closes
        while (day < to) {
          const text = await dayLines(orgId, day)
          day = nextDay(day)
          if (text) {
            controller.enqueue(encoder.encode(text))
            return
          }
        }
        controller.close()
      } catch (err) {
        // the headers are sent: the client sees a broken download, never a silently short file
        log({ component: 'focus-export' }).error({ err, day }, 'FOCUS export failed')
        controller.error(err)
      }
    },
  })
  return { from, to, body }
}
