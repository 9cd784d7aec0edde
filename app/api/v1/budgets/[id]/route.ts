// GET/PATCH/DELETE /api/v1/budgets/:id — one budget; PATCH and DELETE need a
// "write" key or a session with budgets.write (admin, engineer, finance).
import { withOrg } from '@/lib/http/route'
import { deleteBudget, getBudget, measureBudget, updateBudget } from '@/lib/budgets'
import * as api from '@/lib/budgets/api'
import { reevaluateSoon } from '@/lib/budgets/enforce'

export const GET = withOrg(api.getBudget, async ({ org, params }) => ({
  budget: await measureBudget(org.orgId, await getBudget(org.orgId, params.id), new Date()),
}))

export const PATCH = withOrg(api.updateBudget, async ({ org, params, body }) => {
  const budget = await updateBudget(org.orgId, params.id, body)
  reevaluateSoon(org.orgId)
  return { budget }
})

export const DELETE = withOrg(api.deleteBudget, async ({ org, params }) => {
  await deleteBudget(org.orgId, params.id)
  reevaluateSoon(org.orgId)
  return undefined
})
