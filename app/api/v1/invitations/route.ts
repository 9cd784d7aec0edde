// GET/POST /api/v1/invitations — pending invitations; invite {email, role} → 201 {id, email, role, url, expires_at}; signed-in admin (members.manage).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { createInvitation, listInvitations } from '@/lib/members/invitations'
import { ZCreateInvitation } from '@/lib/members/schema'

export const GET = withOrg(async (_req, { org }) => json({ invitations: await listInvitations(org.orgId) }), { permission: 'members.manage' })

export const POST = withOrg(
  async (req, { org }) => {
    const input = parseOrThrow(ZCreateInvitation, await readJson(req, 4 * 1024), 'Please fix the highlighted fields')
    return json(await createInvitation(org.orgId, input, org.userId), 201)
  },
  { permission: 'members.manage' },
)
