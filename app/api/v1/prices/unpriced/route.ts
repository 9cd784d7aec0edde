// GET /api/v1/prices/unpriced — models seen in events that have no price; "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { listUnpriced } from '@/lib/prices'
import * as api from '@/lib/prices/api'

export const GET = withOrg(api.listUnpriced, async ({ org }) => ({ models: await listUnpriced(org.orgId) }))
