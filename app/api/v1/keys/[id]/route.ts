// DELETE /api/v1/keys/:id — revoke an API key; signed-in admin or engineer.
import { withOrg } from '@/lib/http/route'
import { revokeApiKey } from '@/lib/auth/api-keys'

export const DELETE = withOrg(
  async (_req, { org, params }) => {
    await revokeApiKey(org.orgId, params.id)
    return new Response(null, { status: 204 })
  },
  { permission: 'keys.manage' },
)
