// GET /api/v1/accounts/revenue — revenue per account and month ("read" key or accounts.read); PUT — upsert it, the
// body JSON or CSV ("write" key, or a finance/admin member: revenue.write).
import { withOrg } from '@/lib/http/route'
import { listRevenue, putRevenue } from '@/lib/accounts/revenue'
import * as api from '@/lib/accounts/api'

export const GET = withOrg(api.listRevenue, async ({ org, query }) => ({ rows: await listRevenue(org.orgId, query) }))

// The body is JSON or CSV (the declaration's raw body): lib/accounts/revenue.ts reads it with its own limit.
export const PUT = withOrg(api.putRevenue, async ({ org, req }) => putRevenue(org.orgId, req))
