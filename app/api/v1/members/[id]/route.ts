// PATCH /api/v1/members/:user_id {role} — change a member's role; signed-in admin (members.manage).
// DELETE /api/v1/members/:user_id — remove a member (admin), or leave (any member, their own id). The last admin can do neither (409).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { can } from '@/lib/auth/permissions'
import { changeRole, removeMember } from '@/lib/members'
import { ZChangeRole } from '@/lib/members/schema'

export const PATCH = withOrg(
  async (req, { org, params }) => {
    const input = parseOrThrow(ZChangeRole, await readJson(req, 4 * 1024), 'Invalid role change')
    return json({ member: await changeRole(org.orgId, params.id, input.role, org.userId) })
  },
  { permission: 'members.manage' },
)

export const DELETE = withOrg(
  async (_req, { org, params }) => {
    await removeMember(org.orgId, params.id, { userId: org.userId!, mayManage: can(org.role!, 'members.manage') })
    return new Response(null, { status: 204 })
  },
  // any member may leave; removing someone else needs members.manage (checked in lib/members)
  { permission: 'spend.read' }, // every role holds it (lib/auth/permissions.ts)
)
