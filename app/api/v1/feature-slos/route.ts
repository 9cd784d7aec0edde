// GET/PUT/DELETE /api/v1/feature-slos — per-feature cost SLOs (USD per run).
// GET: "read" key or any member. PUT, DELETE ?feature=: "write" key or a session with slos.write (admin, engineer, finance).
import { withOrg } from '@/lib/http/route'
import { deleteFeatureSlo, listFeatureSlos, putFeatureSlos } from '@/lib/slos'
import * as api from '@/lib/slos/api'

const list = async (orgId: string) => ({ slos: await listFeatureSlos(orgId) })

export const GET = withOrg(api.listFeatureSlos, async ({ org }) => list(org.orgId))

export const PUT = withOrg(api.putFeatureSlos, async ({ org, body }) => {
  await putFeatureSlos(org.orgId, org.userId, body)
  return list(org.orgId)
})

export const DELETE = withOrg(api.deleteFeatureSlo, async ({ org, query }) => {
  await deleteFeatureSlo(org.orgId, query.feature)
  return list(org.orgId)
})
