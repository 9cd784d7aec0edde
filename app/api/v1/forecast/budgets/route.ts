// GET /api/v1/forecast/budgets — this month's spend budgets against their
// scope's forecast: over / at risk (the band's upper edge passes) / within,
// and the day the forecast passes the amount. "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { listBudgetRules } from '@/lib/budgets'
import { budgetOutlook } from '@/lib/forecast'

export const GET = withOrg(async (_req, { org }) => json({ budgets: await budgetOutlook(org.orgId, await listBudgetRules(org.orgId)) }), { scope: 'read', permission: 'metrics.read' })
