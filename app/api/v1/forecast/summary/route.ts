// GET /api/v1/forecast/summary — month- and quarter-end forecasts for every
// workflow and the top 10 accounts, each with its backtest error. "read" key or any member.
import { z } from 'zod'
import { json, withOrg } from '@/lib/http/route'
import { forecastSummary } from '@/lib/forecast'

const ZQuery = z.strictObject({
  history_days: z.coerce.number({ error: 'must be a whole number of days' }).int('must be a whole number of days').min(14, 'must be at least 14').max(365, 'must be at most 365').default(120),
  top_accounts: z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(10),
})

export const GET = withOrg(async (_req, { org, query }) => json({ rows: await forecastSummary(org.orgId, query) }), { scope: 'read', permission: 'metrics.read', query: ZQuery })
