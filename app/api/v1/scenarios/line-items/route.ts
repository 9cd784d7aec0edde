// GET/POST /api/v1/scenarios/line-items — engineering and operations costs per scenario and month.
// GET: "read" key or any member (?month=YYYY-MM); POST: "write" key or an admin/engineer/finance session.
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { createLineItem, listLineItems, ZLineItemCreate, ZScenarioCostQuery } from '@/lib/gpu/scenarios'

export const GET = withOrg(async (_req, { org, query }) => json({ line_items: await listLineItems(org.orgId, query.month) }), {
  scope: 'read', permission: 'fleet.read', query: ZScenarioCostQuery,
})

export const POST = withOrg(
  async (req, { org }) => json({ line_item: await createLineItem(org.orgId, parseOrThrow(ZLineItemCreate, await readJson(req, 16 * 1024), 'Invalid line item')) }, 201),
  { scope: 'write', permission: 'line_items.write' },
)
