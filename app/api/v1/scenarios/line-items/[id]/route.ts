// DELETE /api/v1/scenarios/line-items/:id — "write" key or an admin/engineer/finance session.
import { withOrg } from '@/lib/http/route'
import { deleteLineItem } from '@/lib/gpu/scenarios'
import * as api from '@/lib/scenarios/api'

export const DELETE = withOrg(api.deleteLineItem, async ({ org, params }) => {
  await deleteLineItem(org.orgId, params.id)
  return undefined
})
