// GET/POST /api/v1/scenarios/line-items — engineering and operations costs per scenario and month.
// GET: "read" key or any member (?month=YYYY-MM); POST: "write" key or an admin/engineer/finance session.
import { withOrg } from '@/lib/http/route'
import { createLineItem, listLineItems } from '@/lib/gpu/scenarios'
import * as api from '@/lib/scenarios/api'

export const GET = withOrg(api.listLineItems, async ({ org, query }) => ({ line_items: await listLineItems(org.orgId, query.month) }))

export const POST = withOrg(api.createLineItem, async ({ org, body }) => ({ line_item: await createLineItem(org.orgId, body) }))
