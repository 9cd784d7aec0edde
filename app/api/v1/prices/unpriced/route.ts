// GET /api/v1/prices/unpriced — models seen in events that have no price; "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { listUnpriced } from '@/lib/prices'

export const GET = withOrg(async (_req, { org }) => json({ models: await listUnpriced(org.orgId) }), { scope: 'read', permission: 'prices.read' })
