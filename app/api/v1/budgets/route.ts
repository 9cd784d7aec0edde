// GET/POST /api/v1/budgets — budgets as code. GET: "read" key or any member;
// POST: "write" key or a session with budgets.write (admin, engineer, finance).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { createBudget, listBudgets } from '@/lib/budgets'
import { ZBudgetCreate } from '@/lib/budgets/schema'
import { reevaluateSoon } from '@/lib/budgets/enforce'

export const GET = withOrg(async (_req, { org }) => json({ budgets: await listBudgets(org.orgId) }), { scope: 'read', permission: 'metrics.read' })

export const POST = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZBudgetCreate, await readJson(req, 64 * 1024), 'Invalid budget')
    const budget = await createBudget(org.orgId, body)
    reevaluateSoon(org.orgId)
    return json({ budget }, 201)
  },
  { scope: 'write', permission: 'budgets.write' },
)
