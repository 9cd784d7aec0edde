// GET /api/v1/budgets/:id/history — the budget's current period as a series and
// its state changes. "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { budgetHistory } from '@/lib/budgets'
import * as api from '@/lib/budgets/api'

export const GET = withOrg(api.budgetHistory, async ({ org, params }) => budgetHistory(org.orgId, params.id))
