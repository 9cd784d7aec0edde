// GET/POST /api/v1/budgets — budgets as code. GET: "read" key or any member;
// POST: "write" key or a session with budgets.write (admin, engineer, finance).
import { withOrg } from '@/lib/http/route'
import { createBudget, listBudgets } from '@/lib/budgets'
import * as api from '@/lib/budgets/api'
import { reevaluateSoon } from '@/lib/budgets/enforce'

export const GET = withOrg(api.listBudgets, async ({ org }) => ({ budgets: await listBudgets(org.orgId) }))

export const POST = withOrg(api.createBudget, async ({ org, body }) => {
  const budget = await createBudget(org.orgId, body)
  reevaluateSoon(org.orgId)
  return { budget }
})
