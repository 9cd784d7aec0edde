// GET /api/v1/forecast/summary — month- and quarter-end forecasts for every
// workflow and the top 10 accounts, each with its backtest error. "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { forecastSummary } from '@/lib/forecast'
import * as api from '@/lib/forecast/api'

export const GET = withOrg(api.forecastSummary, async ({ org, query }) => ({ rows: await forecastSummary(org.orgId, query) }))
