// GET /api/v1/forecast?workflow_id=&account_id=&history_days= — month-end and
// quarter-end spend forecast with a 95% band and the backtest error, for the
// organization or one workflow or account; with growth_pct and/or
// move_workflow_id + move_step + move_to, the what-if beside it. "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { forecast } from '@/lib/forecast'
import * as api from '@/lib/forecast/api'

export const GET = withOrg(api.forecast, async ({ org, query }) => forecast(org.orgId, query))
