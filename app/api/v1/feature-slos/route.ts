// GET/PUT/DELETE /api/v1/feature-slos — per-feature cost SLOs (USD per run).
// GET: "read" key or any member. PUT, DELETE ?feature=: "write" key or a session with slos.write (admin, engineer, finance).
import { json, readJson, withOrg } from '@/lib/http/route'
import { parseOrThrow } from '@/lib/validation'
import { deleteFeatureSlo, listFeatureSlos, putFeatureSlos } from '@/lib/slos'
import { ZFeatureSloDeleteQuery, ZFeatureSlosPut, type TFeatureSlosResponse } from '@/lib/slos/schema'

const list = async (orgId: string) => json({ slos: await listFeatureSlos(orgId) } satisfies TFeatureSlosResponse)

export const GET = withOrg(async (_req, { org }) => list(org.orgId), { scope: 'read', permission: 'metrics.read' })

export const PUT = withOrg(
  async (req, { org }) => {
    const body = parseOrThrow(ZFeatureSlosPut, await readJson(req, 256 * 1024), 'Invalid feature SLOs')
    await putFeatureSlos(org.orgId, org.userId, body)
    return list(org.orgId)
  },
  { scope: 'write', permission: 'slos.write' },
)

export const DELETE = withOrg(
  async (_req, { org, query }) => {
    await deleteFeatureSlo(org.orgId, query.feature)
    return list(org.orgId)
  },
  { scope: 'write', permission: 'slos.write', query: ZFeatureSloDeleteQuery },
)
