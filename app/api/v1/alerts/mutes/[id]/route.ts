// DELETE /api/v1/alerts/mutes/:id — unmute now; "write" key or alerts.write.
import { withOrg } from '@/lib/http/route'
import { unmute } from '@/lib/alerts'
import * as api from '@/lib/alerts/api'

export const DELETE = withOrg(api.unmute, async ({ org, params }) => {
  await unmute(org.orgId, params.id)
  return undefined
})
