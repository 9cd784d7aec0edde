// GET /api/v1/accounts/margin — AI cost as a share of each account's revenue, and gross margin ("read" key or accounts.read).
import { withOrg } from '@/lib/http/route'
import { marginOf } from '@/lib/accounts/revenue'
import * as api from '@/lib/accounts/api'

export const GET = withOrg(api.accountMargin, async ({ org, query }) => marginOf(org.orgId, query))
