// GET /api/v1/end-users — the end users that cost the most, of an account or of the organization; API key with "read", or any member.
import { withOrg } from '@/lib/http/route'
import { loadEndUsers } from '@/lib/end-users/load'
import * as api from '@/lib/end-users/api'

export const GET = withOrg(api.endUsers, async ({ org, query }) => loadEndUsers(org.orgId, query))
