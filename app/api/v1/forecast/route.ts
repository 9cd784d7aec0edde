// GET /api/v1/forecast?workflow_id=&account_id=&history_days= — month-end and
// quarter-end spend forecast with a 95% band and the backtest error, for the
// organization or one workflow or account. "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { forecast, ZForecastQuery } from '@/lib/forecast'

export const GET = withOrg(async (_req, { org, query }) => json(await forecast(org.orgId, query)), { scope: 'read', permission: 'metrics.read', query: ZForecastQuery })
