// GET/POST /api/v1/invitations — pending invitations; invite {email, role} → 201 {id, email, role, url, expires_at}; signed-in admin (members.manage).
import { withOrg } from '@/lib/http/route'
import { createInvitation, listInvitations } from '@/lib/members/invitations'
import * as api from '@/lib/members/api'

export const GET = withOrg(api.listInvitations, async ({ org }) => ({ invitations: await listInvitations(org.orgId) }))

export const POST = withOrg(api.createInvitation, async ({ org, body }) => createInvitation(org.orgId, body, org.userId))
