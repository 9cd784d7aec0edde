// GET /api/v1/members — the organization's members {user_id, email, name, role, joined_at}; any signed-in member.
import { withOrg } from '@/lib/http/route'
import { listMembers } from '@/lib/members'
import * as api from '@/lib/members/api'

// spend.read: every role holds it (lib/auth/permissions.ts); the list answers "who has access", which every member may know
export const GET = withOrg(api.listMembers, async ({ org }) => ({ members: await listMembers(org.orgId) }))
