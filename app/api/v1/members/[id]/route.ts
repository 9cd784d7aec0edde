// PATCH /api/v1/members/:user_id {role} — change a member's role; signed-in admin (members.manage).
// DELETE /api/v1/members/:user_id — remove a member (admin), or leave (any member, their own id). The last admin can do neither (409).
import { withOrg } from '@/lib/http/route'
import { can } from '@/lib/auth/permissions'
import { changeRole, removeMember } from '@/lib/members'
import * as api from '@/lib/members/api'

export const PATCH = withOrg(api.changeMemberRole, async ({ org, params, body }) => ({ member: await changeRole(org.orgId, params.id, body.role, org.userId) }))

// any member may leave (spend.read: every role holds it); removing someone else needs members.manage (checked in lib/members)
export const DELETE = withOrg(api.removeMember, async ({ org, params }) => {
  await removeMember(org.orgId, params.id, { userId: org.userId!, mayManage: can(org.role!, 'members.manage') })
  return undefined
})
