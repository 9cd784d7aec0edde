// GET /api/v1/changes — the spend delta between two periods, split into volume, tokens per call, model mix, price and retries; API key with "read", or a signed-in member.
import { withOrg } from '@/lib/http/route'
import { queryChanges } from '@/lib/changes/query'
import * as api from '@/lib/changes/api'

export const GET = withOrg(api.changes, async ({ org, query }) => queryChanges(org.orgId, query))
