// GET /api/v1/alerts/mutes — the mutes in force; "read" key or any member.
import { withOrg } from '@/lib/http/route'
import { listMutes } from '@/lib/alerts'
import * as api from '@/lib/alerts/api'

export const GET = withOrg(api.listMutes, async ({ org }) => ({ mutes: await listMutes(org.orgId) }))
