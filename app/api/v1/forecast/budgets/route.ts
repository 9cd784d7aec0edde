// GET /api/v1/forecast/budgets — this month's spend budgets against their
// scope's forecast: over / at risk (the band's upper edge passes) / within,
// and the day the forecast passes the amount. "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { listBudgetRules } from '@/lib/budgets'
import { budgetOutlook } from '@/lib/forecast'
import * as api from '@/lib/forecast/api'

export const GET = withOrg(api.forecastBudgets, async ({ org }) => ({ budgets: await budgetOutlook(org.orgId, await listBudgetRules(org.orgId)) }))
