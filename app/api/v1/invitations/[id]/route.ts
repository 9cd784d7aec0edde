// DELETE /api/v1/invitations/:id — revoke a pending invitation (its link stops working); signed-in admin (members.manage).
import { withOrg } from '@/lib/http/route'
import { revokeInvitation } from '@/lib/members/invitations'

export const DELETE = withOrg(
  async (_req, { org, params }) => {
    await revokeInvitation(org.orgId, params.id)
    return new Response(null, { status: 204 })
  },
  { permission: 'members.manage' },
)
