// DELETE /api/v1/keys/:id — revoke an API key; signed-in admin or engineer.
import { withOrg } from '@/lib/http/route'
import { revokeApiKey } from '@/lib/auth/api-keys'
import * as api from '@/lib/auth/api'

export const DELETE = withOrg(api.revokeApiKey, async ({ org, params }) => {
  await revokeApiKey(org.orgId, params.id)
  return undefined
})
