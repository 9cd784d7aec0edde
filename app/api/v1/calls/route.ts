// GET /api/v1/calls — the individual calls, filtered, newest first, keyset-paged; "read" key or a member who reads spend.
import { withOrg } from '@/lib/http/route'
import * as api from '@/lib/calls/api'
import { listCalls } from '@/lib/calls'

export const GET = withOrg(api.listCalls, async ({ org, query }) => listCalls(org.orgId, query))
