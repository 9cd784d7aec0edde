// GET /api/v1/budgets/:id/history — the budget's current period as a series
// (burn-down for spend budgets: spend per hour of a day or per day of a month,
// cumulative, even pace, projection; value per bucket for per-run and
// per-outcome budgets) and its state changes. "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { budgetHistory } from '@/lib/budgets'
import { ZBudgetId } from '@/lib/budgets/schema'

export const GET = withOrg(
  async (_req, { org, params }) => json(await budgetHistory(org.orgId, parseOrThrow(ZBudgetId, { id: params.id }, 'Invalid budget id').id)),
  { scope: 'read', permission: 'metrics.read' },
)
