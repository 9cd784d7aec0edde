// DELETE /api/v1/invitations/:id — revoke a pending invitation (its link stops working); signed-in admin (members.manage).
import { withOrg } from '@/lib/http/route'
import { revokeInvitation } from '@/lib/members/invitations'
import * as api from '@/lib/members/api'

export const DELETE = withOrg(api.revokeInvitation, async ({ org, params }) => {
  await revokeInvitation(org.orgId, params.id)
  return undefined
})
