// GET/PATCH/DELETE /api/v1/budgets/:id — one budget; PATCH and DELETE need a
// "write" key or a session with budgets.write (admin, engineer, finance).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { deleteBudget, getBudget, measureBudget, updateBudget } from '@/lib/budgets'
import { ZBudgetId, ZBudgetPatch } from '@/lib/budgets/schema'
import { reevaluateSoon } from '@/lib/budgets/enforce'

const idOf = (params: Record<string, string>) => parseOrThrow(ZBudgetId, { id: params.id }, 'Invalid budget id').id

export const GET = withOrg(
  async (_req, { org, params }) => json({ budget: await measureBudget(org.orgId, await getBudget(org.orgId, idOf(params)), new Date()) }),
  { scope: 'read', permission: 'metrics.read' },
)

export const PATCH = withOrg(
  async (req, { org, params }) => {
    const id = idOf(params)
    const patch = parseOrThrow(ZBudgetPatch, await readJson(req, 64 * 1024), 'Invalid budget')
    const budget = await updateBudget(org.orgId, id, patch)
    reevaluateSoon(org.orgId)
    return json({ budget })
  },
  { scope: 'write', permission: 'budgets.write' },
)

export const DELETE = withOrg(
  async (_req, { org, params }) => {
    await deleteBudget(org.orgId, idOf(params))
    reevaluateSoon(org.orgId)
    return new Response(null, { status: 204 })
  },
  { scope: 'write', permission: 'budgets.write' },
)
