// GET /api/v1/alerts/mutes — the mutes in force; "read" key or any member.
import { json, withOrg } from '@/lib/http/route'
import { listMutes } from '@/lib/alerts'

export const GET = withOrg(async (_req, { org }) => json({ mutes: await listMutes(org.orgId) }), { scope: 'read', permission: 'metrics.read' })
